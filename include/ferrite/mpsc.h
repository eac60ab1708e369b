// ferrite/mpsc.h — Rust's std::sync::mpsc: multi-producer, single-consumer
// channels, as a thin layer over ferrite::channel (as Rust's is over its
// copy of crossbeam-channel).
//
//   auto [tx, rx] = ferrite::mpsc::channel<int>();
//   auto worker = ferrite::thread::spawn([tx = tx.clone()] { tx.send(42); });
//   // *rx.recv() == 42
//   worker.join();
//
// Constructors:
//   channel<T>()          an unbounded channel: Sender<T> + Receiver<T>.
//   sync_channel<T>(n)    a bounded one: SyncSender<T> + Receiver<T>;
//                         n == 0 is a rendezvous channel (each send waits
//                         for the receive that takes it).
//
// Contract (Rust's):
// * Sender<T>::send(msg) never blocks; SyncSender<T>::send(msg) blocks
//   while the channel is full; both fail (SendError<T>, the message handed
//   back) only when the Receiver is gone. SyncSender::try_send(msg) never
//   blocks: TrySendError Full or Disconnected.
// * Receiver<T>: recv() blocks; when every sender is gone it first drains
//   what is buffered, then fails with RecvError. try_recv() (Empty /
//   Disconnected), recv_timeout(d) (Timeout / Disconnected), iter() and
//   range-for (block; end at disconnection), try_iter() (ends when empty).
// * Every message is destroyed exactly once, also those still buffered when
//   the Receiver goes (they are destroyed then).
// * T: Send, with a noexcept move constructor and destructor (see
//   ferrite/channel.h).
// Handles: Sender and SyncSender are copyable (copy = clone(); Rust's
// clone); Receiver is move-only: there is exactly one. Using a moved-from
// handle panics (a run-time check: the compiler does not track moves). To
// end a handle before its scope does — the last Sender disconnecting the
// receiver, say — write `ferrite::drop(std::move(tx))` (ferrite/drop.h).
// Send/Sync (ferrite/marker.h): Sender<T>, SyncSender<T>: Send and Sync if T
// is Send. Receiver<T>: Send if T is Send, never Sync (one consumer; share
// it as Arc<Mutex<mpsc::Receiver<T>>>, as the Rust book's thread pool does).
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <iterator>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/channel_error.h"
#include "ferrite/marker.h"

namespace ferrite::mpsc {

// The error types (ferrite/channel_error.h), by their channel names too.
using ferrite::RecvError, ferrite::RecvTimeoutError, ferrite::TryRecvError;
using ferrite::SendError, ferrite::SendTimeoutError, ferrite::TrySendError;
using ferrite::SendTimeoutErrorKind, ferrite::TrySendErrorKind;

template <class T>
class Receiver;

/// The sending half of channel(): never blocks.
template <class T>
class Sender {
 public:
  /// Sends `msg` without blocking; SendError hands it back when the Receiver is gone.
  std::expected<void, SendError<T>> send(T msg) const { return inner_.send(std::move(msg)); }
  /// Another sender of the same channel.
  Sender clone() const { return *this; }

 private:
  template <class U>
  requires(Send<U>&& detail::Owned<U>&& detail::ChannelMessage<U>) friend std::pair<Sender<U>, Receiver<U>> channel();
  explicit Sender(ferrite::channel::Sender<T> inner) noexcept : inner_(std::move(inner)) {}
  ferrite::channel::Sender<T> inner_;
};

/// The sending half of sync_channel(n): blocks while the channel is full.
template <class T>
class SyncSender {
 public:
  /// Sends `msg`, blocking while the channel is full (0: until the Receiver takes
  /// it); SendError hands it back when the Receiver is gone.
  std::expected<void, SendError<T>> send(T msg) const { return inner_.send(std::move(msg)); }
  /// Sends `msg` without blocking; TrySendError (Full or Disconnected) hands it back.
  std::expected<void, TrySendError<T>> try_send(T msg) const {
    return inner_.try_send(std::move(msg));
  }
  /// Another sender of the same channel.
  SyncSender clone() const { return *this; }

 private:
  template <class U>
  requires(Send<U>&& detail::Owned<U>&& detail::ChannelMessage<U>) friend std::pair<
      SyncSender<U>, Receiver<U>> sync_channel(std::size_t bound);
  explicit SyncSender(ferrite::channel::Sender<T> inner) noexcept : inner_(std::move(inner)) {}
  ferrite::channel::Sender<T> inner_;
};

/// The single receiving half of either channel. Move-only.
template <class T>
class Receiver {
 public:
  /// The range iter() returns: blocks for each message, ends at disconnection.
  using Iter = detail::RecvRange<Receiver, T, true>;
  /// The range try_iter() returns: ends as soon as the channel is empty.
  using TryIter = detail::RecvRange<Receiver, T, false>;

  /// Takes `other`'s end; using the moved-from Receiver panics.
  Receiver(Receiver&&) noexcept = default;
  /// Drops this end, then takes `other`'s; using the moved-from Receiver panics.
  Receiver& operator=(Receiver&&) noexcept = default;
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() = default;

  /// The next message, blocking until one arrives; RecvError once the channel is
  /// empty and every sender is gone.
  std::expected<T, RecvError> recv() const { return inner_.recv(); }
  /// The next message without blocking; TryRecvError::Empty or Disconnected.
  std::expected<T, TryRecvError> try_recv() const { return inner_.try_recv(); }
  /// As recv(), but gives up after `timeout` (RecvTimeoutError::Timeout).
  template <class Rep, class Period>
  std::expected<T, RecvTimeoutError> recv_timeout(
      std::chrono::duration<Rep, Period> timeout) const {
    return inner_.recv_timeout(timeout);
  }
  /// As recv(), but gives up at `deadline` (RecvTimeoutError::Timeout).
  std::expected<T, RecvTimeoutError> recv_deadline(
      std::chrono::steady_clock::time_point deadline) const {
    return inner_.recv_deadline(deadline);
  }

  /// A range that blocks for each message and ends at disconnection.
  Iter iter() const noexcept { return Iter(this); }
  /// A range over the messages buffered now; it never blocks.
  TryIter try_iter() const noexcept { return TryIter(this); }
  /// iter().begin(): `for (T& m : rx)` receives until disconnection.
  detail::RecvIterator<Receiver, T, true> begin() const { return iter().begin(); }
  /// The end of iter(): reached when the channel is empty and disconnected.
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  template <class U>
  requires(Send<U>&& detail::Owned<U>&& detail::ChannelMessage<U>) friend std::pair<Sender<U>, Receiver<U>> channel();
  template <class U>
  requires(Send<U>&& detail::Owned<U>&& detail::ChannelMessage<U>) friend std::pair<
      SyncSender<U>, Receiver<U>> sync_channel(std::size_t bound);

  explicit Receiver(ferrite::channel::Receiver<T> inner) noexcept : inner_(std::move(inner)) {}

  ferrite::channel::Receiver<T> inner_;
};

/// An unbounded channel.
template <class T>
requires(Send<T>&& detail::Owned<T>&& detail::ChannelMessage<T>) std::pair<Sender<T>, Receiver<T>> channel() {
  auto [tx, rx] = ferrite::channel::unbounded<T>();
  return {Sender<T>(std::move(tx)), Receiver<T>(std::move(rx))};
}

/// A channel of at most `bound` buffered messages; 0: rendezvous.
template <class T>
requires(Send<T>&& detail::Owned<T>&& detail::ChannelMessage<T>) std::pair<SyncSender<T>, Receiver<T>> sync_channel(
    std::size_t bound) {
  auto [tx, rx] = ferrite::channel::bounded<T>(bound);
  return {SyncSender<T>(std::move(tx)), Receiver<T>(std::move(rx))};
}

/// A message type that breaks the rules: see channel::bounded's.
template <class T>
requires(!(Send<T> && detail::Owned<T> && detail::ChannelMessage<T>))
detail::ChannelRejection<T> channel();
/// The rejection overload of sync_channel(), as channel()'s above.
template <class T>
requires(!(Send<T> && detail::Owned<T> && detail::ChannelMessage<T>))
detail::ChannelRejection<T> sync_channel(std::size_t bound);

}  // namespace ferrite::mpsc
