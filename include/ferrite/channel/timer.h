// ferrite/channel/timer.h — internal: the timer flavors behind channel::after,
// channel::tick and channel::never (crossbeam-channel's flavors/{at,tick,never}.rs).
//
// Not part of the public API (everything is in ferrite::detail).
//
// None of them has senders. `after(d)` delivers one steady_clock time point,
// d from now, to whichever receiver asks first; `tick(d)` delivers one every
// d (a tick missed by a slow receiver is not queued: the next delivery is d
// after the late one); `never<T>()` never delivers and never disconnects.
// Their receivers sleep until the delivery time instead of parking, and
// tell Select how long it may block (deadline()).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel_error.h"
#include "ferrite/channel/token.h"
#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

using channel::Instant;

// `when + step`, or kNoDeadline when that would overflow.
Instant saturating_add(Instant when, std::chrono::nanoseconds step) noexcept;

// What after() and tick() share: no senders, never disconnected, and at
// most one delivery ready at a time (the timer's is_empty() says whether).
class OneDelivery {
 public:
  // The delivery that start_recv() claimed into `token`.
  template <class E>
  std::expected<Instant, E> read(Token& token, E disconnected) noexcept {
    if (!token.timer.delivery) return std::unexpected(disconnected);
    return *token.timer.delivery;
  }

  std::optional<std::size_t> capacity() const noexcept { return 1; }
  bool is_disconnected() const noexcept { return false; }
};

// channel::after: one delivery at a fixed time. lib/channel/timer.cc.
class AtChannel : public OneDelivery {
 public:
  explicit AtChannel(Instant delivery_time) noexcept : delivery_time_(delivery_time) {}

  std::expected<Instant, TryRecvError> try_recv() noexcept;
  std::expected<Instant, RecvTimeoutError> recv(Deadline deadline) noexcept;
  bool start_recv(Token& token) noexcept;
  Deadline deadline_hint() const noexcept;

  bool is_empty() const noexcept;
  bool is_full() const noexcept { return !is_empty(); }
  std::size_t len() const noexcept { return is_empty() ? 0 : 1; }

 private:
  const Instant delivery_time_;
  std::atomic<bool> received_{false};
};

// channel::tick: a delivery every `period`. lib/channel/timer.cc.
class TickChannel : public OneDelivery {
 public:
  TickChannel(Instant first, std::chrono::nanoseconds period) noexcept
      : delivery_ns_(first.time_since_epoch().count()), period_(period) {}

  std::expected<Instant, TryRecvError> try_recv() noexcept;
  std::expected<Instant, RecvTimeoutError> recv(Deadline deadline) noexcept;
  bool start_recv(Token& token) noexcept;
  Deadline deadline_hint() const noexcept { return delivery(); }

  bool is_empty() const noexcept { return std::chrono::steady_clock::now() < delivery(); }
  bool is_full() const noexcept { return !is_empty(); }
  std::size_t len() const noexcept { return is_empty() ? 0 : 1; }

 private:
  Instant delivery() const noexcept;
  bool advance(Instant seen, Instant next) noexcept;

  std::atomic<std::int64_t> delivery_ns_;  // steady_clock nanoseconds
  const std::chrono::nanoseconds period_;
};

// channel::never: nothing, ever.
template <class T>
class NeverChannel {
 public:
  std::expected<T, TryRecvError> try_recv() noexcept {
    return std::unexpected(TryRecvError::Empty);
  }
  std::expected<T, RecvTimeoutError> recv(Deadline deadline) noexcept {
    sleep_until(deadline);
    return std::unexpected(RecvTimeoutError::Timeout);
  }

  std::size_t len() const noexcept { return 0; }
  std::optional<std::size_t> capacity() const noexcept { return 0; }
  bool is_empty() const noexcept { return true; }
  bool is_full() const noexcept { return true; }
  bool is_disconnected() const noexcept { return false; }
};

// The receiving side of after() and tick(), as Receiver<Instant> and Select
// use it (crossbeam's `impl SelectHandle for Receiver` in
// flavors/{at,tick}.rs): a shared reference to the timer; operator-> panics
// on a moved-from handle. Nobody wakes a timer's waiter, so nothing
// registers: a Select blocks at most until deadline(), the next delivery,
// and then finds the timer ready.
template <class C>
class TimerReceiver {
 public:
  explicit TimerReceiver(std::shared_ptr<C> chan) noexcept : chan_(std::move(chan)) {}
  C* operator->() const {
    if (chan_ == nullptr) [[unlikely]]
      moved_from_channel_end("ferrite::channel::Receiver");
    return chan_.get();
  }
  bool same(const TimerReceiver& other) const noexcept { return chan_ == other.chan_; }
  const void* channel_id() const noexcept { return chan_.get(); }

  bool try_select(Token& token) const { return (*this)->start_recv(token); }
  Deadline deadline() const noexcept { return (*this)->deadline_hint(); }
  bool register_op(Operation, const Context&) const { return is_ready(); }
  void unregister(Operation) const noexcept {}
  bool accept(Token& token, const Context&) const { return (*this)->start_recv(token); }
  bool is_ready() const { return !(*this)->is_empty(); }
  bool watch(Operation, const Context&) const { return is_ready(); }
  void unwatch(Operation) const noexcept {}
  std::expected<Instant, RecvError> read_selected(Token& token) const {
    return (*this)->read(token, RecvError{});
  }

 private:
  std::shared_ptr<C> chan_;
};

// The receiving side of never<T>(): stateless, so every copy is "the same
// channel". In a Select it is never ready, registers nothing and does not
// limit how long the Select blocks.
template <class T>
class NeverReceiver {
 public:
  NeverChannel<T>* operator->() const noexcept { return &chan_; }
  bool same(const NeverReceiver&) const noexcept { return true; }
  // Never selected, so never compared.
  const void* channel_id() const noexcept { return nullptr; }

  bool try_select(Token&) const noexcept { return false; }
  Deadline deadline() const noexcept { return kNoDeadline; }
  bool register_op(Operation, const Context&) const noexcept { return false; }
  void unregister(Operation) const noexcept {}
  bool accept(Token&, const Context&) const noexcept { return false; }
  bool is_ready() const noexcept { return false; }
  bool watch(Operation, const Context&) const noexcept { return false; }
  void unwatch(Operation) const noexcept {}
  std::expected<T, RecvError> read_selected(Token&) const noexcept {
    return std::unexpected(RecvError{});  // never selected
  }

 private:
  mutable NeverChannel<T> chan_;
};

}  // namespace ferrite::detail
