// ferrite/channel/waker.h — internal: the lists of threads blocked on one side
// of a channel (crossbeam-channel's waker.rs).
//
// Not part of the public API (everything is in ferrite::detail).
//
// A Waker holds *selectors* (threads blocked in an operation that a partner
// completes: a receiver waiting for a message) and *observers* (threads in
// Select::ready() that only want to hear that something changed). A partner
// that makes progress calls try_select() to hand its progress to one
// selector, or notify() to tell every observer. disconnect() wakes everyone.
//
// Waker is not synchronized; SyncWaker wraps one in a lock and keeps a
// `nobody_to_wake` flag so that the common case, nobody blocked, costs a
// notifier one atomic load and no lock. The flag counts only threads a
// notifier could still wake: a Select blocked on several channels and
// selected through one of them stays listed in the others until its thread
// runs and unregisters, which on a busy CPU can be a whole time slice of
// messages later; those messages skip the lock (Waker::has_waiters).
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "ferrite/channel/context.h"
#include "ferrite/channel/lock.h"
#include "ferrite/mutex.h"
#include "ferrite/detail/thread_annotations.h"

namespace ferrite::detail {

// A thread blocked on an operation: the operation, its packet (zero flavor:
// where the message is exchanged; null otherwise) and its context.
struct WakerEntry {
  Operation oper;
  void* packet;
  Context cx;
};

// Unsynchronized lists of blocked operations. lib/channel/waker.cc.
class Waker {
 public:
  Waker() = default;
  Waker(const Waker&) = delete;
  Waker& operator=(const Waker&) = delete;
  ~Waker();  // debug-asserts that nobody is registered

  // Adds a selector; returns whether other selectors were waiting already.
  // May throw std::bad_alloc (then nothing was added).
  bool register_op(Operation oper, const Context& cx) {
    return register_with_packet(oper, nullptr, cx);
  }
  bool register_with_packet(Operation oper, void* packet, const Context& cx);
  // Removes the selector `oper`, if it is still there, and returns it.
  std::optional<WakerEntry> unregister(Operation oper) noexcept;
  // Selects, stores the packet of and unparks the first selector of another
  // thread whose context is still waiting; removes and returns it.
  std::optional<WakerEntry> try_select() noexcept {
    return try_select_offering(nothing, nothing);
  }
  // As try_select(), but calls `offer(entry)` just before trying to select
  // each candidate, and `withdraw(entry)` when that fails (its thread has
  // aborted the wait). A rendezvous partner hands its message over this way
  // before the selection wakes the other side: under the channel's lock the
  // candidate's packet stays alive even if it aborts, because its thread
  // must take that lock to unregister.
  template <class Offer, class Withdraw>
  std::optional<WakerEntry> try_select_offering(Offer offer, Withdraw withdraw) noexcept {
    return try_select_where([](const WakerEntry&) noexcept { return true; }, offer, withdraw);
  }
  // As try_select_offering(), but tries the candidates for which
  // `prefer(entry)` holds first, then the others.
  template <class Prefer, class Offer, class Withdraw>
  std::optional<WakerEntry> try_select_preferring(Prefer prefer, Offer offer,
                                                  Withdraw withdraw) noexcept {
    if (auto entry = try_select_where(prefer, offer, withdraw)) return entry;
    return try_select_where([&](const WakerEntry& e) noexcept { return !prefer(e); }, offer,
                            withdraw);
  }
  // As try_select(), trying the candidates for which `prefer(entry)` holds
  // first.
  template <class Prefer>
  std::optional<WakerEntry> try_select_preferring(Prefer prefer) noexcept {
    return try_select_preferring(prefer, nothing, nothing);
  }
  // Whether try_select() could succeed now (zero flavor).
  bool can_select() const noexcept;
  // Adds / removes an observer. watch() may throw std::bad_alloc.
  void watch(Operation oper, const Context& cx);
  void unwatch(Operation oper) noexcept;
  // Selects and unparks every observer, and removes them all.
  void notify() noexcept;
  // Selects Disconnected for every selector (they unregister themselves),
  // then notifies the observers.
  void disconnect() noexcept;

  bool is_empty() const noexcept { return selectors_.empty() && observers_.empty(); }
  // Whether try_select() or notify() could reach anybody: an observer, or a
  // selector whose context still waits. A selector that another channel (or
  // a timeout) has selected already stays listed until its thread runs and
  // unregisters, but no partner can select it any more.
  bool has_waiters() const noexcept;

 private:
  // The offer / withdraw of a plain selection: nothing to hand over.
  static void nothing(const WakerEntry&) noexcept {}

  // One pass of try_select_preferring over the candidates where `where`.
  template <class Where, class Offer, class Withdraw>
  std::optional<WakerEntry> try_select_where(Where where, Offer& offer,
                                             Withdraw& withdraw) noexcept {
    const std::uintptr_t me = current_thread_id();
    for (auto it = selectors_.begin(); it != selectors_.end(); ++it) {
      // A thread must not complete its own operation (a Select that both
      // sends and receives on one rendezvous channel would pair with itself).
      if (it->cx.thread_id() == me || !where(*it)) continue;
      offer(*it);
      if (!it->cx.try_select(Selected::operation(it->oper))) {
        withdraw(*it);
        continue;
      }
      it->cx.store_packet(it->packet);
      it->cx.unpark();
      std::optional<WakerEntry> entry(std::move(*it));
      selectors_.erase(it);
      return entry;
    }
    return std::nullopt;
  }

  std::vector<WakerEntry> selectors_;
  std::vector<WakerEntry> observers_;
};

// A Waker behind a lock, with a lock-free "nobody waits" fast path.
class SyncWaker {
 public:
  SyncWaker() = default;
  SyncWaker(const SyncWaker&) = delete;
  SyncWaker& operator=(const SyncWaker&) = delete;

  // As Waker::register_op.
  bool register_op(Operation oper, const Context& cx);
  void unregister(Operation oper) noexcept;
  void watch(Operation oper, const Context& cx);
  void unwatch(Operation oper) noexcept;
  void disconnect() noexcept;

  // Wakes one selector and every observer, if any. The seq_cst load of
  // `nobody_to_wake_` orders after the caller's seq_cst update of the
  // channel index, and a registering thread clears it (seq_cst) before it
  // re-checks the channel: one of the two always sees the other.
  void notify() noexcept {
    if (!nobody_to_wake_.load()) notify_slow();
  }

 private:
  void notify_slow() noexcept;
  void update_nobody_to_wake() noexcept FERRITE_REQUIRES(lock_);
  // Applies `change` to the list under the lock, then republishes the flag.
  template <class Change>
  void change_list(Change change) noexcept(noexcept(change(std::declval<Waker&>())));

  RawMutex lock_;
  Waker waker_ FERRITE_GUARDED_BY(lock_);
  std::atomic<bool> nobody_to_wake_{true};
};

// What a blocked operation does where spinning cannot help (one CPU) when
// other operations of its side were waiting already as it registered:
// park at once (PollWait::others_wait_too), or yield first as a lone
// waiter does. Receivers park: pinned to one CPU, four receivers of a
// bounded(1) channel that yielded to each other took 0.57 of
// crossbeam-channel's time, 0.35 parking. Senders yield: four senders of a
// bounded(1) channel with one receiver that parked took 0.59 of its time
// instead of 0.53 (docs/BENCHMARKS.md): the receiver, freeing a slot, woke
// a parked sender whose place a yielding one had taken meanwhile, and the
// woken one parked again, a system call on the lone receiver's path each
// time.
enum class BehindOthers { kPark, kYield };

// Blocks the calling thread as one selector of `waker` until a partner
// selects it, the channel is disconnected, or `deadline` passes; the caller
// then retries its operation. `ready_now()` re-checks the channel after
// registering (and aborts the wait if the operation can already proceed),
// which closes the race with a partner that notified before we registered.
// `token` is the operation's token: its address is the operation id.
// `behind` says what to do behind other waiters (above).
template <class ReadyNow>
void wait_as_selector(SyncWaker& waker, const void* token, Deadline deadline, ReadyNow ready_now,
                      BehindOthers behind) {
  const ContextLease lease;
  const Context& cx = lease.context();
  const Operation oper = operation_hook(token);
  const bool others_wait = waker.register_op(oper, cx);
  if (ready_now()) cx.try_select(Selected::aborted());
  // The partner pushed or popped before it selects us, and needs nothing
  // more from us.
  PollWait poll = PollWait::for_completion();
  if (others_wait && behind == BehindOthers::kPark) poll.others_wait_too();
  const Selected sel = cx.wait_until(deadline, poll);
  // Selected operations were removed by their selector; the others remove
  // themselves.
  if (!sel.is_operation()) waker.unregister(oper);
}

}  // namespace ferrite::detail
