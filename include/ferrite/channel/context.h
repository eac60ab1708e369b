// ferrite/channel/context.h — internal: how a blocked channel operation waits
// (crossbeam-channel's context.rs and crossbeam-utils' Backoff).
//
// Not part of the public API (everything is in ferrite::detail).
//
// A thread that must block on one or more channel operations registers an
// *operation* (a unique id) together with its *Context* in the wakers of
// those channels, then waits on the context. Another thread completes the
// wait by *selecting* the context: one compare-exchange of the context's
// `select` word from Waiting to the chosen outcome (an operation id, Aborted
// or Disconnected). Exactly one selection wins, so a thread blocked in
// Select on several channels is woken for exactly one of them.
//
// Contexts are reference counted (wakers hold a reference while a thread is
// registered), so a waker may unpark a thread whose wait has already ended.
// Each thread caches one context (ContextLease), as crossbeam does.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>

#include "ferrite/detail/futex.h"

namespace ferrite::detail {

// Exponential backoff for spin loops (crossbeam-utils' Backoff): spin() for
// lock-free retries after a lost race, snooze() while waiting for another
// thread to make progress (it yields once spinning has gone on too long).
class Backoff {
 public:
  void spin() noexcept {
    const unsigned limit = step_ < kSpinLimit ? step_ : kSpinLimit;
    for (unsigned i = 0; i < (1u << limit); ++i) spin_loop_hint();
    if (step_ <= kSpinLimit) ++step_;
  }

  void snooze() noexcept {
    if (step_ <= kSpinLimit) {
      for (unsigned i = 0; i < (1u << step_); ++i) spin_loop_hint();
    } else {
      std::this_thread::yield();
    }
    if (step_ <= kYieldLimit) ++step_;
  }

  // True once snoozing has gone on long enough that blocking is better.
  bool is_completed() const noexcept { return step_ > kYieldLimit; }

 private:
  static constexpr unsigned kSpinLimit = 6;
  static constexpr unsigned kYieldLimit = 10;
  unsigned step_ = 0;
};

// Yields the CPU and returns whether the kernel ran another thread in the
// meantime (this thread's count of involuntary context switches went up):
// the CPUs have more runnable threads than they can run. lib/channel/context.cc.
bool yield_and_report_switch() noexcept;

// Waiting for another thread to write a word that only the waiting thread
// polls (its context's selection, its packet's state): polling such a word
// costs no cache traffic until the writer comes, so it is polled at a short,
// fixed interval. Backoff's doubling intervals would let a waiter notice
// the write up to a whole wait late, on the critical path of a hand-off.
//
// Which of the two kinds a wait uses depends on what the partner needs from
// us once it has acted:
//
// * A plain PollWait spins for about kSpinPolls polls (a poll is a few
//   pauses: 13 us in all on the 2-core benchmark VM), then says that
//   blocking is better. It never yields. It is for waits where the partner,
//   once it has acted, waits for *us* (a receiver that selects a Select's
//   send waits for that thread's op.send() to write), or where we wait for
//   a partner that must first be scheduled itself (that receiver). A thread
//   that yielded is still runnable and, once its partner acts, waits for its
//   turn behind whatever it yielded to; a parked thread is woken by the
//   partner and runs promptly (the scheduler favours a thread that slept).
//   On an oversubscribed machine (8 threads on 2 cores in crossbeam's
//   select_both) yielding waiters were most of the context switches, and
//   the run took twice as long (docs/BENCHMARKS.md, fix 12).
// * PollWait::yielding() is for waits where the partner needs nothing more
//   from us once it has acted: a blocked send() or recv(), whose partner
//   completes the exchange before it selects us, and a packet whose partner
//   has selected us and only has the message left to move. Staying
//   runnable spares the partner a futex wake-up (it matters when that
//   partner is the bottleneck, as mpsc's one receiver is), and a yield gives
//   a partner on our CPU its turn. After a shorter spin it yields a few
//   times, then says to block; it says so after the first yield that ran
//   another thread (the CPUs are oversubscribed and parking lets them run).
class PollWait {
 public:
  PollWait() noexcept = default;
  static PollWait yielding() noexcept { return PollWait(kYieldingSpinPolls, kYields); }

  // The thread we wait for last ran on the CPU we run on: it cannot make
  // progress while we spin there, so skip the spinning.
  void partner_shares_cpu() noexcept { polls_ = spin_polls_; }

  // Waits a little. False: the wait has gone on long enough to block.
  bool wait() noexcept {
    if (polls_ < spin_polls_) {
      for (unsigned i = 0; i < kPausesPerPoll; ++i) spin_loop_hint();
    } else if (polls_ < spin_polls_ + yields_) {
      // Block at the next call once a yield ran another thread (see above).
      if (yield_and_report_switch()) polls_ = spin_polls_ + yields_ - 1;
    } else {
      return false;
    }
    ++polls_;
    return true;
  }

 private:
  PollWait(unsigned spin_polls, unsigned yields) noexcept
      : spin_polls_(spin_polls), yields_(yields) {}

  static constexpr unsigned kPausesPerPoll = 4;
  static constexpr unsigned kSpinPolls = 128;
  static constexpr unsigned kYieldingSpinPolls = 32;  // 128 pauses, as Backoff's spinning
  static constexpr unsigned kYields = 4;              // as Backoff's yielding steps
  unsigned spin_polls_ = kSpinPolls;
  unsigned yields_ = 0;
  unsigned polls_ = 0;
};

// An operation id: the address of an object that lives while the operation
// waits (a token on the stack, a Select entry), so ids of concurrently
// waiting operations differ. Addresses are never 0, 1 or 2.
using Operation = std::uintptr_t;

// The outcome of a wait: still Waiting, Aborted (timeout, or the thread
// aborted itself because an operation became ready while it registered),
// Disconnected (a channel was disconnected), or the operation that was
// selected.
class Selected {
 public:
  static constexpr Selected waiting() noexcept { return Selected(kWaiting); }
  static constexpr Selected aborted() noexcept { return Selected(kAborted); }
  static constexpr Selected disconnected() noexcept { return Selected(kDisconnected); }
  static constexpr Selected operation(Operation oper) noexcept { return Selected(oper); }
  static constexpr Selected from_raw(std::uintptr_t raw) noexcept { return Selected(raw); }

  constexpr std::uintptr_t raw() const noexcept { return raw_; }
  constexpr bool is_waiting() const noexcept { return raw_ == kWaiting; }
  constexpr bool is_operation() const noexcept { return raw_ > kDisconnected; }
  friend constexpr bool operator==(Selected, Selected) noexcept = default;

 private:
  static constexpr std::uintptr_t kWaiting = 0;
  static constexpr std::uintptr_t kAborted = 1;
  static constexpr std::uintptr_t kDisconnected = 2;
  constexpr explicit Selected(std::uintptr_t raw) noexcept : raw_(raw) {}
  std::uintptr_t raw_;
};

// The operation id of the object at `address` (see Operation).
Operation operation_hook(const void* address) noexcept;  // lib/channel/context.cc

// A number unique to the calling thread among live threads.
std::uintptr_t current_thread_id() noexcept;  // lib/channel/context.cc

// The CPU the calling thread runs on (sched_getcpu, a few nanoseconds where
// the kernel supports rseq), or -1 where that is unknown. A hint only: the
// thread may move at any time. lib/channel/context.cc.
int current_cpu() noexcept;

// The shared state of one waiting thread. lib/channel/context.cc.
struct ContextState;

// A counted reference to a thread's waiting state (crossbeam's Context).
// Copying it shares the same state; any thread may select and unpark it, only
// the owning thread waits on it.
class Context {
 public:
  // Selects `outcome` if nothing is selected yet. On failure returns false
  // and stores what was selected before in `*actual` (if non-null).
  bool try_select(Selected outcome, Selected* actual = nullptr) const noexcept;
  // What is selected now (Waiting if nothing).
  Selected selected() const noexcept;
  // Publishes the packet of the selected operation (zero flavor); a null
  // packet is ignored.
  void store_packet(void* packet) const noexcept;
  // Spins until a packet is stored, then returns it.
  void* wait_packet() const noexcept;
  // Waits until something is selected, or until `deadline`, then returns the
  // selection (Aborted when the deadline passed first and the abort won).
  // Polls briefly with `poll` (see PollWait for which kind), then parks on a
  // futex.
  Selected wait_until(Deadline deadline, PollWait poll) const noexcept;
  // Parks the owning thread until unpark(), or spuriously: callers re-check
  // what they wait for. Only the owning thread may call it.
  void park() const noexcept;
  // Wakes the owning thread if it is parked in wait_until or park.
  void unpark() const noexcept;
  // The owning thread's current_thread_id().
  std::uintptr_t thread_id() const noexcept;

 private:
  friend class ContextLease;
  explicit Context(std::shared_ptr<ContextState> state) noexcept : state_(std::move(state)) {}
  std::shared_ptr<ContextState> state_;
};

// Lends the calling thread its cached, reset Context for one wait (a fresh
// one if the cache is in use), and returns it to the cache afterwards.
// crossbeam's Context::with.
class ContextLease {
 public:
  ContextLease();  // may throw std::bad_alloc (before anything is registered)
  ~ContextLease();
  ContextLease(const ContextLease&) = delete;
  ContextLease& operator=(const ContextLease&) = delete;

  const Context& context() const noexcept { return context_; }

 private:
  Context context_;
};

// Sleeps until `deadline` (forever for kNoDeadline); for empty selects and
// the never() flavor.
void sleep_until(Deadline deadline) noexcept;  // lib/channel/context.cc

}  // namespace ferrite::detail
