// ferrite/channel/counter.h — internal: the reference counts shared by all
// handles of one channel (crossbeam-channel's counter.rs).
//
// Not part of the public API (everything is in ferrite::detail).
//
// A Counter<C> owns the channel `C` and counts its senders and receivers.
// When the last sender goes, the channel is told `disconnect_senders()`;
// when the last receiver goes, `disconnect_receivers()` (which also destroys
// the messages still buffered). Whichever side goes second frees the
// Counter: both sides flip `destroy_`, and the one that finds it already set
// deletes.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

template <class C>
class Counter {
 public:
  template <class... Args>
  explicit Counter(Args&&... args) : chan_(std::forward<Args>(args)...) {}

  C& chan() noexcept { return chan_; }

  void acquire_sender() noexcept { acquire(senders_); }
  void acquire_receiver() noexcept { acquire(receivers_); }

  // Drops one sender; the last one disconnects the senders' side.
  static void release_sender(Counter* counter) noexcept {
    if (release(counter->senders_)) {
      counter->chan_.disconnect_senders();
      finish_side(counter);
    }
  }
  // Drops one receiver; the last one disconnects the receivers' side.
  static void release_receiver(Counter* counter) noexcept {
    if (release(counter->receivers_)) {
      counter->chan_.disconnect_receivers();
      finish_side(counter);
    }
  }

 private:
  static void acquire(std::atomic<std::size_t>& count) noexcept {
    // ORDERING(channel-counter-acquire): relaxed, as for Arc clones: the new
    // handle is made from a live one, which keeps the count above zero and
    // the counter alive; nothing is published through the count.
    const std::size_t old = count.fetch_add(1, std::memory_order_relaxed);
    // Rust aborts when a count overflows isize::MAX; so do we (a count that
    // large means handles are leaked in a loop).
    if (old > static_cast<std::size_t>(-1) / 2) std::terminate();
  }

  // True when this was the last handle of the side.
  static bool release(std::atomic<std::size_t>& count) noexcept {
    // ORDERING(channel-counter-release): acq_rel; the release half publishes
    // this handle's uses of the channel, and the acquire half lets the last
    // handle (which disconnects, and may free) see every other handle's.
    return count.fetch_sub(1, std::memory_order_acq_rel) == 1;
  }

  static void finish_side(Counter* counter) noexcept {
    // ORDERING(channel-counter-destroy): acq_rel; the side that comes second
    // acquires the first side's release (its disconnect and last uses)
    // before deleting the channel.
    // SAFETY(channel-counter-delete): the counter was allocated with new; the
    // exchange returns true to exactly one side, the second, when the other
    // side is gone too, so it is deleted once and nothing uses it after.
    if (counter->destroy_.exchange(true, std::memory_order_acq_rel)) delete counter;
  }

  std::atomic<std::size_t> senders_{1};
  std::atomic<std::size_t> receivers_{1};
  std::atomic<bool> destroy_{false};
  C chan_;
};

// Panics: "<what>: this channel end was moved from". lib/channel/counter.cc.
[[noreturn]] void moved_from_channel_end(const char* what);

// One counted sender (Side = true) or receiver (false) of a Counter<C>.
// Copying acquires another count; destruction releases it.
template <class C, bool kSender>
class CounterRef {
 public:
  explicit CounterRef(Counter<C>* counter) noexcept : counter_(counter) {}
  CounterRef(const CounterRef& other) noexcept : counter_(other.counter_) {
    if (counter_ == nullptr) return;
    if constexpr (kSender) {
      counter_->acquire_sender();
    } else {
      counter_->acquire_receiver();
    }
  }
  CounterRef(CounterRef&& other) noexcept : counter_(std::exchange(other.counter_, nullptr)) {}
  CounterRef& operator=(CounterRef other) noexcept {
    std::swap(counter_, other.counter_);
    return *this;
  }
  ~CounterRef() {
    if (counter_ == nullptr) return;
    if constexpr (kSender) {
      Counter<C>::release_sender(counter_);
    } else {
      Counter<C>::release_receiver(counter_);
    }
  }

  C* operator->() const {
    if (counter_ == nullptr) [[unlikely]] {
      moved_from_channel_end(kSender ? "ferrite::channel::Sender" : "ferrite::channel::Receiver");
    }
    return &counter_->chan();
  }
  bool same(const CounterRef& other) const noexcept { return counter_ == other.counter_; }
  // Identifies the channel (null for a moved-from handle); never dereferenced.
  const void* channel_id() const noexcept { return counter_; }

 private:
  Counter<C>* counter_;
};

// A new channel with one sender and one receiver.
template <class C, class... Args>
std::pair<CounterRef<C, true>, CounterRef<C, false>> make_counted(Args&&... args) {
  auto* counter = new Counter<C>(std::forward<Args>(args)...);
  return {CounterRef<C, true>(counter), CounterRef<C, false>(counter)};
}

}  // namespace ferrite::detail
