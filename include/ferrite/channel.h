// ferrite/channel.h — multi-producer multi-consumer channels
// (crossbeam-channel for C++).
//
// Rust's crossbeam-channel: bounded, unbounded and rendezvous channels whose
// both ends may be copied to any number of threads, plus timer channels and
// a dynamic Select over many operations (ferrite/channel_select.h, included
// below).
//
//   auto [tx, rx] = ferrite::channel::unbounded<int>();
//   auto worker = ferrite::thread::spawn([tx] {     // a copy of the sender
//     for (int i = 0; i < 3; ++i) tx.send(i);
//   });
//   worker.join();
//   // *rx.recv() == 0, then 1, then 2
//
// Constructors (each returns `std::pair<Sender<T>, Receiver<T>>`):
//   bounded<T>(cap)   holds at most `cap` messages (crossbeam's array
//                     flavor: a preallocated ring of slots, lock-free);
//                     `cap == 0` is a rendezvous channel (zero flavor): each
//                     send waits for a receive and hands its message over.
//   unbounded<T>()    never full (list flavor: a lock-free linked list of
//                     blocks of about 2 KB, 31 to 127 slots).
// and timer receivers of `Instant` (std::chrono::steady_clock::time_point):
//   after(d)          delivers one Instant, d from now;
//   tick(d)           delivers one Instant every d;
//   never<T>()        never delivers anything (useful in Select).
//
// Message types. T must be Send (ferrite/marker.h): a message moves to
// another thread. T's move constructor and destructor must be noexcept: a
// message is moved into its slot *after* the slot has been claimed, and the
// channel cannot take a claim back (nor can a Select take back a selected
// operation), so a throwing move would wedge every later receiver, as it
// cannot happen in Rust. Wrap other types in std::unique_ptr. Both rules,
// and owned data (a message may be received after its sender's frame is
// gone: no reference, view or pointer), are constraints of the constructors
// (visible to requires-expressions); a rejected message type is one error
// whose first line names the type, why and the way out.
//
// Disconnection. When the last Sender is gone, receivers first drain what is
// buffered, then fail (RecvError, TryRecvError::Disconnected, ...). When the
// last Receiver is gone, every send fails and hands its message back
// (SendError<T> etc., ferrite/channel_error.h), and every buffered message is
// destroyed right away. Every message is destroyed exactly once.
//
// Handles. Sender<T> and Receiver<T> are copyable (a copy is another handle
// of the same channel, Rust's clone(); `.clone()` does the same) and
// movable; using a moved-from handle panics (a run-time check: the compiler
// does not track moves). `ferrite::drop(std::move(tx))` (ferrite/drop.h)
// ends a handle at that line, as Rust's drop(tx): the last Sender dropped
// disconnects the channel. All operations are `const`.
// Send/Sync (ferrite/marker.h): Sender<T> and Receiver<T> are Send and Sync
// when T is Send, so `const Receiver<T>&` may be shared between consumers.
//
// Blocking. A blocked operation spins briefly (exponential backoff), then
// parks the thread on a futex until a partner wakes it; it never busy-waits
// for long. Timeouts take any std::chrono duration; deadlines are Instants.
// A timed operation never loses its message: on Timeout the send hands it
// back, and a receive that times out took nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <iterator>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "ferrite/channel/array.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/end.h"
#include "ferrite/channel/list.h"
#include "ferrite/channel/recv_iter.h"
#include "ferrite/channel/timer.h"
#include "ferrite/channel/zero.h"
#include "ferrite/channel_error.h"
#include "ferrite/detail/boundary.h"
#include "ferrite/detail/deadline.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/detail/owned.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

namespace ferrite::channel {

// The error types (ferrite/channel_error.h), by their channel names too.
using ferrite::RecvError, ferrite::RecvTimeoutError, ferrite::TryRecvError;
using ferrite::SendError, ferrite::SendTimeoutError, ferrite::TrySendError;
using ferrite::SendTimeoutErrorKind, ferrite::TrySendErrorKind;

// Instant (what after() and tick() deliver, what the *_deadline operations
// take) is std::chrono::steady_clock::time_point: ferrite/detail/deadline.h.

class Select;
class SelectedOperation;

}  // namespace ferrite::channel

namespace ferrite::detail {

// The requirements on a message type besides Send (see the file comment).
template <class T>
concept ChannelMessage =
    std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T> && !std::is_volatile_v<T> &&
    std::is_nothrow_move_constructible_v<T> && std::is_nothrow_destructible_v<T>;

// Makes channel ends from flavor sides (their constructors are private).
struct ChannelAccess {
  template <class T, class Ref>
  static channel::Sender<T> sender(Ref ref) {
    return channel::Sender<T>(SenderFlavor<T>(std::move(ref)));
  }
  template <class T, class Ref>
  static channel::Receiver<T> receiver(Ref ref) {
    return channel::Receiver<T>(ReceiverFlavor<T>(std::move(ref)));
  }
};

}  // namespace ferrite::detail

namespace ferrite::channel {

/// The sending end of a channel.
///
/// Contract:
/// * `send(msg)` blocks while the channel is full (for a rendezvous channel:
///   until a receiver takes the message). Fails, handing msg back in a
///   SendError, only when every receiver is gone.
/// * `try_send(msg)` never blocks: TrySendErrorKind::Full (no room; for a
///   rendezvous channel: no receiver is waiting right now) or Disconnected.
/// * `send_timeout(msg, d)` / `send_deadline(msg, t)`: as send, but gives up
///   with SendTimeoutErrorKind::Timeout (msg handed back) when the time passes.
/// * `len()`, `is_empty()`, `is_full()` are snapshots; `capacity()` is the
///   bound (0 for rendezvous), nullopt for unbounded channels.
/// * `clone()` / copying: another sender; `same_channel(other)`.
/// Invalid: using a moved-from Sender (panics).
/// Send and Sync when T is Send.
///
/// ```cpp
///   auto [tx, rx] = ferrite::channel::bounded<int>(1);
///   tx.send(1);                                  // fits
///   auto r = tx.send_timeout(2, std::chrono::milliseconds(1));
///   // !r && r.error().is_timeout(): still full; 2 comes back
/// ```
template <class T>
class Sender final : public detail::ChannelEnd<Sender<T>, detail::SenderFlavor<T>> {
  static_assert(detail::AssertSend<T>::value);
  static_assert(detail::ChannelMessage<T>,
                "ferrite::channel::Sender<T>: T's move constructor and destructor must be noexcept "
                "(wrap T in std::unique_ptr)");
  using End = detail::ChannelEnd<Sender<T>, detail::SenderFlavor<T>>;

 public:
  /// Another sender of the same channel (as clone()).
  Sender(const Sender&) = default;
  /// Takes `other`'s end; using the moved-from Sender panics.
  Sender(Sender&&) noexcept = default;
  /// Drops this end (the last sender gone disconnects the channel), then
  /// becomes another sender of `other`'s channel.
  Sender& operator=(const Sender&) = default;
  /// Drops this end, then takes `other`'s; using the moved-from Sender panics.
  Sender& operator=(Sender&&) noexcept = default;
  ~Sender() = default;

  /// Sends `msg`, blocking while the channel is full (rendezvous: until a
  /// receiver takes it). SendError hands `msg` back when every receiver is gone.
  std::expected<void, SendError<T>> send(T msg) const {
    if (detail::lock_order_checks_on() && this->is_full()) {
      detail::lock_order_before_blocking("ferrite::channel::Sender::send on a full channel");
    }
    auto result = this->visit(
        [&](const auto& side) { return side->send(std::move(msg), detail::kNoDeadline); });
    if (result) return {};
    return std::unexpected(SendError<T>(std::move(result.error()).into_inner()));
  }

  /// Sends `msg` without blocking; TrySendError (Full or Disconnected) hands it back.
  std::expected<void, TrySendError<T>> try_send(T msg) const {
    return this->visit([&](const auto& side) { return side->try_send(std::move(msg)); });
  }

  /// As send(), but gives up after `timeout` (SendTimeoutErrorKind::Timeout).
  template <class Rep, class Period>
  std::expected<void, SendTimeoutError<T>> send_timeout(
      T msg, std::chrono::duration<Rep, Period> timeout) const {
    return send_deadline(std::move(msg), detail::deadline_after(timeout));
  }

  /// As send(), but gives up at `deadline` (SendTimeoutErrorKind::Timeout).
  std::expected<void, SendTimeoutError<T>> send_deadline(T msg, Instant deadline) const {
    return this->visit([&](const auto& side) { return side->send(std::move(msg), deadline); });
  }

 private:
  friend struct detail::ChannelAccess;
  friend class Select;
  friend class SelectedOperation;

  explicit Sender(detail::SenderFlavor<T> flavor) noexcept : End(std::move(flavor)) {}
  // A Select's loan of `other` (ChannelEnd::loan_into): not counted.
  Sender(detail::LoanTag tag, const Sender& other) noexcept : End(tag, other) {}
  friend End;

  // Finishes a selected send (SelectedOperation::send).
  bool write_selected(detail::Token& token, T& msg) const {
    return this->visit([&](const auto& side) { return side.write_selected(token, msg); });
  }
};

/// The receiving end of a channel.
///
/// Contract:
/// * `recv()` blocks until a message arrives; fails with RecvError only when
///   the channel is empty and every sender is gone (buffered messages are
///   always delivered first).
/// * `try_recv()` never blocks: TryRecvError::Empty or Disconnected.
/// * `recv_timeout(d)` / `recv_deadline(t)`: as recv, but RecvTimeoutError::
///   Timeout when the time passes first (nothing was taken).
/// * `iter()`: a range that blocks for each message and ends at
///   disconnection; `begin()/end()` are iter()'s, so `for (T& m : rx)`
///   works. `try_iter()` ends as soon as the channel is empty. Each iterator
///   holds the message it last received: `*it` may be moved from.
/// * `len()`, `is_empty()`, `is_full()`, `capacity()`, `clone()`,
///   `same_channel()` as for Sender.
/// Invalid: using a moved-from Receiver (panics).
/// Send and Sync when T is Send (channels are multi-consumer).
///
/// ```cpp
///   auto [tx, rx] = ferrite::channel::unbounded<int>();
///   tx.send(1); tx.send(2);
///   { auto gone = std::move(tx); }               // the last sender goes
///   int sum = 0;
///   for (int& v : rx) sum += v;                  // drains 1 and 2, then ends
///   // sum == 3, and rx.recv() now fails with RecvError
/// ```
template <class T>
class Receiver final : public detail::ChannelEnd<Receiver<T>, detail::ReceiverFlavor<T>> {
  static_assert(detail::AssertSend<T>::value);
  static_assert(detail::ChannelMessage<T>,
                "ferrite::channel::Receiver<T>: T's move constructor and destructor must be "
                "noexcept (wrap T in std::unique_ptr)");
  using End = detail::ChannelEnd<Receiver<T>, detail::ReceiverFlavor<T>>;

 public:
  /// The range iter() returns: blocks for each message, ends at disconnection.
  using Iter = detail::RecvRange<Receiver, T, true>;
  /// The range try_iter() returns: ends as soon as the channel is empty.
  using TryIter = detail::RecvRange<Receiver, T, false>;

  /// Another receiver of the same channel (as clone()).
  Receiver(const Receiver&) = default;
  /// Takes `other`'s end; using the moved-from Receiver panics.
  Receiver(Receiver&&) noexcept = default;
  /// Drops this end, then becomes another receiver of `other`'s channel.
  Receiver& operator=(const Receiver&) = default;
  /// Drops this end, then takes `other`'s; using the moved-from Receiver panics.
  Receiver& operator=(Receiver&&) noexcept = default;
  ~Receiver() = default;

  /// The next message, blocking until one arrives. RecvError once the channel is
  /// empty and every sender is gone.
  std::expected<T, RecvError> recv() const {
    detail::lock_order_before_blocking("ferrite::channel::Receiver::recv");
    auto result = this->visit([](const auto& side) { return side->recv(detail::kNoDeadline); });
    if (result) return std::expected<T, RecvError>(std::in_place, std::move(*result));
    return std::unexpected(RecvError{});
  }

  /// The next message without blocking; TryRecvError::Empty or Disconnected.
  std::expected<T, TryRecvError> try_recv() const {
    return this->visit([](const auto& side) { return side->try_recv(); });
  }

  /// As recv(), but gives up after `timeout` (RecvTimeoutError::Timeout).
  template <class Rep, class Period>
  std::expected<T, RecvTimeoutError> recv_timeout(
      std::chrono::duration<Rep, Period> timeout) const {
    return recv_deadline(detail::deadline_after(timeout));
  }

  /// As recv(), but gives up at `deadline` (RecvTimeoutError::Timeout).
  std::expected<T, RecvTimeoutError> recv_deadline(Instant deadline) const {
    return this->visit([&](const auto& side) { return side->recv(deadline); });
  }

  /// A range that blocks for each message and ends when the channel is empty and
  /// disconnected (Rust's `Receiver::iter`).
  Iter iter() const noexcept { return Iter(this); }
  /// A range over the messages buffered now; it never blocks (Rust's `try_iter`).
  TryIter try_iter() const noexcept { return TryIter(this); }
  /// iter().begin(): `for (T& m : rx)` receives until disconnection.
  detail::RecvIterator<Receiver, T, true> begin() const { return iter().begin(); }
  /// The end of iter(): reached when the channel is empty and disconnected.
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  friend struct detail::ChannelAccess;
  friend class Select;
  friend class SelectedOperation;

  explicit Receiver(detail::ReceiverFlavor<T> flavor) noexcept : End(std::move(flavor)) {}
  // A Select's loan of `other` (ChannelEnd::loan_into): not counted.
  Receiver(detail::LoanTag tag, const Receiver& other) noexcept : End(tag, other) {}
  friend End;

  // Finishes a selected receive (SelectedOperation::recv).
  std::expected<T, RecvError> read_selected(detail::Token& token) const {
    return this->visit([&](const auto& side) { return side.read_selected(token); });
  }
};

/// A channel of at most `cap` buffered messages; `cap == 0`: rendezvous.
/// ```cpp
///   auto [tx, rx] = ferrite::channel::bounded<std::string>(16);
/// ```
template <class T>
requires(Send<T>&& detail::Owned<T>&& detail::ChannelMessage<T>) std::pair<Sender<T>, Receiver<T>> bounded(
    std::size_t cap) {
  if (cap == 0) {
    auto [tx, rx] = detail::make_counted<detail::ZeroChannel<T>>();
    return {detail::ChannelAccess::sender<T>(detail::ZeroSender<T>(std::move(tx))),
            detail::ChannelAccess::receiver<T>(detail::ZeroReceiver<T>(std::move(rx)))};
  }
  auto [tx, rx] = detail::make_counted<detail::ArrayChannel<T>>(cap);
  return {detail::ChannelAccess::sender<T>(detail::ArraySender<T>(std::move(tx))),
          detail::ChannelAccess::receiver<T>(detail::ArrayReceiver<T>(std::move(rx)))};
}

/// A channel without bound.
/// ```cpp
///   auto [tx, rx] = ferrite::channel::unbounded<int>();
/// ```
template <class T>
requires(Send<T>&& detail::Owned<T>&& detail::ChannelMessage<T>) std::pair<Sender<T>, Receiver<T>> unbounded() {
  auto [tx, rx] = detail::make_counted<detail::ListChannel<T>>();
  return {detail::ChannelAccess::sender<T>(detail::ListSender<T>(std::move(tx))),
          detail::ChannelAccess::receiver<T>(detail::ListReceiver<T>(std::move(rx)))};
}

/// A message type that breaks the rules above gets these overloads, declared
/// and never defined: the result type, declared and never defined too, is the
/// one error at the call, and names the type that is not Send, does not own
/// its data or may throw when moved, why, and the way out
/// (ferrite/detail/boundary.h).
template <class T>
requires(!(Send<T> && detail::Owned<T> && detail::ChannelMessage<T>))
detail::ChannelRejection<T> bounded(std::size_t cap);
/// The rejection overload of unbounded(), as bounded()'s above.
template <class T>
requires(!(Send<T> && detail::Owned<T> && detail::ChannelMessage<T>))
detail::ChannelRejection<T> unbounded();

/// A receiver that delivers one Instant (the delivery time) after `duration`.
/// ```cpp
///   auto timeout = ferrite::channel::after(std::chrono::milliseconds(10));
/// ```
template <class Rep, class Period>
Receiver<Instant> after(std::chrono::duration<Rep, Period> duration) {
  return detail::ChannelAccess::receiver<Instant>(detail::TimerReceiver<detail::AtChannel>(
      std::make_shared<detail::AtChannel>(detail::deadline_after(duration))));
}

/// A receiver that delivers an Instant every `duration`, the first one
/// `duration` from now. A slow receiver misses ticks instead of queueing them.
template <class Rep, class Period>
Receiver<Instant> tick(std::chrono::duration<Rep, Period> duration) {
  const auto period = duration > std::chrono::duration<Rep, Period>::zero()
                          ? std::chrono::ceil<std::chrono::nanoseconds>(
                                std::chrono::duration<double, std::nano>(duration).count() > 9.0e18
                                    ? std::chrono::duration<double, std::nano>(9.0e18)
                                    : std::chrono::duration<double, std::nano>(duration))
                          : std::chrono::nanoseconds::zero();
  return detail::ChannelAccess::receiver<Instant>(detail::TimerReceiver<detail::TickChannel>(
      std::make_shared<detail::TickChannel>(detail::deadline_after(duration), period)));
}

/// A receiver that never delivers and is never disconnected: in a Select it
/// disables one arm without changing the arm's index.
template <class T>
requires(Send<T>&& detail::Owned<T>&& detail::ChannelMessage<T>) Receiver<T> never() {
  return detail::ChannelAccess::receiver<T>(detail::NeverReceiver<T>());
}
/// The rejection overload of never(), as bounded()'s above.
template <class T>
requires(!(Send<T> && detail::Owned<T> && detail::ChannelMessage<T>))
detail::ChannelRejection<T> never();

}  // namespace ferrite::channel

#include "ferrite/channel_select.h"  // IWYU pragma: export
