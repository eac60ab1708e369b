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
//
// A Select may use a side without counting it: a *loan* (see
// lib/channel_select.cc). The first loan of a side sets that side's loan
// flag, and from then on the release of the side's last count asks the
// loans (select_loan_takes_over) before it disconnects: while a Select
// still holds a loan of the side, that Select takes the count over and
// releases it when it ends the loan, as if it had counted its own copy all
// along.
#pragma once

#include <atomic>
#include <cstddef>
#include <exception>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

// Selects a copy constructor of a channel end that does not count the copy
// (a Select's loan of the end).
struct LoanTag {
  explicit LoanTag() = default;
};

// Called on the release of the last count of a side whose loan flag is
// `key` (the address of the flag, the loan's key): true when a Select's live
// loan of the side took the count over (it releases it when it ends the
// loan), false when no loan is live and the side goes. lib/channel_select.cc.
bool select_loan_takes_over(const void* key) noexcept;

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
    if (release(counter->senders_)) last_sender(counter);
  }
  // Drops one receiver; the last one disconnects the receivers' side.
  static void release_receiver(Counter* counter) noexcept {
    if (release(counter->receivers_)) last_receiver(counter);
  }

  // The last count of the side went: unless a live loan takes a count over
  // (then the side is counted once more, for that loan), the side goes.
  static void last_sender(Counter* counter) noexcept {
    if (taken_over(counter->sender_loans_, counter->senders_)) return;
    counter->chan_.disconnect_senders();
    finish_side(counter);
  }
  static void last_receiver(Counter* counter) noexcept {
    if (taken_over(counter->receiver_loans_, counter->receivers_)) return;
    counter->chan_.disconnect_receivers();
    finish_side(counter);
  }

  // Marks the side as lent to a Select and returns the loan's key.
  const void* lend(bool sender) noexcept {
    std::atomic<bool>& flag = sender ? sender_loans_ : receiver_loans_;
    // ORDERING(channel-loan-flag): relaxed; the flag is only read by the
    // release of the side's last count, which happens after this (the end
    // lent from was alive here, and its count's release, acq_rel, reaches
    // the last one); a flag already set is not written again, so the line
    // stays shared between the threads that lend the side.
    if (!flag.load(std::memory_order_relaxed)) flag.store(true, std::memory_order_relaxed);
    return &flag;
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

  // Whether the side must not go: a live loan took the count over, or the
  // side was counted again meanwhile (a Select copied a loan as a counted
  // copy). The count is restored before any loan can see it handed over, so
  // a loan's release of it (release_handed) is an ordinary release.
  static bool taken_over(const std::atomic<bool>& loans, std::atomic<std::size_t>& count) noexcept {
    // ORDERING(channel-loan-flag-read): relaxed, see channel-loan-flag in lend().
    if (!loans.load(std::memory_order_relaxed)) return false;
    acquire(count);
    if (select_loan_takes_over(&loans)) return true;
    return !release(count);
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
  std::atomic<bool> sender_loans_{false};    // a Select has lent a sender (the loans' key)
  std::atomic<bool> receiver_loans_{false};  // a Select has lent a receiver
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
  // A loan: the same channel, not counted. The lender marks the side
  // (lend()) first; a loan is never destroyed (SelectHandle::loan_into), so
  // it never releases.
  CounterRef(LoanTag, const CounterRef& other) noexcept : counter_(other.counter_) {}
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

  // Marks the side as lent to a Select; returns the loan's key (null for a
  // moved-from handle, which cannot be lent).
  const void* lend() const noexcept {
    return counter_ == nullptr ? nullptr : counter_->lend(kSender);
  }
  // Releases the count that the release of the side's last count handed to
  // this loan (select_loan_takes_over).
  void release_handed() const noexcept {
    if constexpr (kSender) {
      Counter<C>::release_sender(counter_);
    } else {
      Counter<C>::release_receiver(counter_);
    }
  }
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
