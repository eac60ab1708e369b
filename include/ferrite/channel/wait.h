// ferrite/channel/wait.h — internal: how a channel operation waits for
// another thread before it parks (crossbeam-utils' Backoff, and the polling
// of a thread that waits to be selected).
//
// Not part of the public API (everything is in ferrite::detail).
//
// Parking costs two system calls and a wake-up latency, so every wait first
// spins or yields for a short, bounded time in the hope that the partner is
// about to act. How long, and whether to yield, depends on what the caller
// waits for; the choices below were measured with the channel benchmarks
// (docs/BENCHMARKS.md, the crossbeam-channel suite):
//
// * Backoff: retrying a lock-free step after a lost race (spin()), or
//   waiting for another thread to finish a step it has begun, such as a
//   sender that claimed a slot and is still writing it (snooze()).
// * PollWait::for_completion(): waiting for a partner that completes the
//   exchange on its own and then needs nothing more from us.
// * PollWait::for_handoff(): waiting for a partner that, once it has acted,
//   waits for us in turn, or that must first be scheduled itself.
// * Pacer: not a wait for a partner, but the one place where a thread that
//   could go on gives way: on one CPU, a sender of an unbounded channel far
//   ahead of its receivers yields to them once per block it fills.
//
// All of them first ask spinning_can_help(). Spinning only pays while the
// partner runs on another CPU at the same time; when the calling thread may
// use one CPU only (its affinity mask, as under `taskset -c 0` or a
// container's `--cpuset-cpus`), or the process's CPU quota is below two
// CPUs (cgroup v2 cpu.max), the partner cannot run while we spin, and every
// wait skips the spinning:
//
// * It yields first, kOneCpuYields times at most (Backoff::snooze(): once),
//   unless other receivers were already waiting when it registered
//   (PollWait::others_wait_too(): they are served first).
//   On one CPU the partner we wait for is, most of the time, runnable and
//   queued behind us (we just woke it, or it was preempted mid-operation):
//   a yield runs it at once, and when it completes our operation during
//   that turn we were never parked, so it selects us with one atomic
//   exchange instead of a futex wake-up, and we skip the futex wait and the
//   wake-up latency. A rendezvous exchange then costs one context switch
//   per message and no futex call.
// * Then it parks. A yield that found nobody else runnable returns at once
//   and costs one system call; a parked thread costs no CPU however long
//   the partner takes (a thread blocked for long uses a small fraction of
//   the wall time as CPU time, which tests/channel_wait_test.cc checks).
//
// Parking at once instead (no yield) measured two to three times the CPU
// time per message pinned to one CPU on bounded(0) spsc and bounded(1)
// select_rx (docs/BENCHMARKS.md, "The waits on one CPU"). With more threads
// than CPUs but several CPUs, the partner may or may not be running:
// PollWait::for_completion() finds out by yielding, see below.
#pragma once

#include <atomic>
#include <cstddef>
#include <thread>

#include "ferrite/detail/futex.h"

namespace ferrite::detail {

// Whether another thread can make progress while the calling thread spins:
// false when this thread may run on one CPU only (sched_getaffinity) or the
// process's cgroup CPU quota is below two CPUs. The answer is kept per thread
// and asked again every few thousand calls, so a changed affinity is seen
// soon; the quota is read once per process. lib/channel/wait.cc.
bool spinning_can_help() noexcept;

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

  // Where spinning cannot help, the first snooze() already yields, and
  // is_completed() is true after it (block without spinning). The question
  // is asked here, not at construction, so that an operation that succeeds
  // at its first try never asks it.
  void snooze() noexcept {
    if (step_ == 0 && !spinning_can_help()) step_ = kYieldLimit;
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
// meantime (the yield took longer than a system call that switches nothing
// does): the CPUs have more runnable threads than they can run.
// lib/channel/wait.cc.
bool yield_and_report_switch() noexcept;

// Paces the senders of an unbounded channel that run far ahead of its
// receivers where spinning cannot help (one CPU; see spinning_can_help()).
//
// On one CPU the scheduler shares the CPU alike between runnable threads:
// four senders and one receiver, each message costing both sides about the
// same, fill the queue four times as fast as it drains. An unbounded
// channel then grows to most of what is sent, far beyond the caches; each
// message costs the sender its share of a page fault on fresh heap (several
// microseconds a page on a virtual machine) and the receiver a cache miss.
// So once the backlog reaches kFarAheadBlocks blocks, a sender yields once
// per block it fills: the receiver, runnable behind it, drains blocks while
// they are still in cache, and the heap they go back to serves the next
// ones. The total work is the same; the senders only stop building a queue
// that the receiver would have to catch up with anyway.
//
// A yield that ran no other thread (nobody to drain: the receiver is busy
// elsewhere, or the sender fills the queue before it receives, as
// unbounded_seq does) pauses the pacing for the next kHoldoffBlocks blocks
// it would have yielded at, twice as many after each further such yield (up
// to 2^kMaxDoublings times as many), until a yield runs another thread
// again: a producer with nobody to wait for pays a handful of system calls
// however much it sends. Numbers: "Pacing the senders of an unbounded
// channel on one CPU" in docs/BENCHMARKS.md.
class Pacer {
 public:
  // A sender filled a block; `backlog_blocks()` says how many blocks of
  // messages wait for the receivers (a racy estimate is fine; it is asked
  // only where spinning cannot help). Yields, when it does, through
  // `yield_and_report` (tests pass their own).
  template <class BacklogBlocks>
  void block_filled(BacklogBlocks backlog_blocks,
                    bool (*yield_and_report)() noexcept = yield_and_report_switch) noexcept {
    if (!spinning_can_help() && backlog_blocks() >= kFarAheadBlocks) pace(yield_and_report);
  }

  static constexpr std::size_t kFarAheadBlocks = 64;
  static constexpr unsigned kHoldoffBlocks = 64;
  static constexpr unsigned kMaxDoublings = 6;

 private:
  void pace(bool (*yield_and_report)() noexcept) noexcept;  // lib/channel/wait.cc

  // Blocks left before the next yield, and the yields in a row that ran no
  // other thread: hints that senders update without ordering (a lost
  // update only moves one yield).
  std::atomic<unsigned> holdoff_{0};
  std::atomic<unsigned> quiet_yields_{0};
};

// The CPU the calling thread runs on (sched_getcpu, a few nanoseconds where
// the kernel supports rseq), or -1 where that is unknown. A hint only: the
// thread may move at any time. lib/channel/wait.cc.
int current_cpu() noexcept;

// Where a thread ran when it registered to wait (current_cpu(); unknown if
// -1). A partner that will have to wait for that thread compares it with
// its own CPU: a thread queued behind us on our CPU cannot make progress
// while we spin there (see PollWait::partner_shares_cpu).
class HomeCpu {
 public:
  static HomeCpu unknown() noexcept { return HomeCpu(-1); }
  static HomeCpu of_caller() noexcept { return HomeCpu(current_cpu()); }
  // Whether the thread registered on `cpu` (a current_cpu() value).
  bool is(int cpu) const noexcept { return cpu_ != -1 && cpu_ == cpu; }

 private:
  explicit HomeCpu(int cpu) noexcept : cpu_(cpu) {}
  int cpu_;
};

// Waiting for another thread to write a word that only the waiting thread
// polls (its context's selection, its packet's state): polling such a word
// costs no cache traffic until the writer comes, so it is polled at a short,
// fixed interval. Backoff's doubling intervals would let a waiter notice
// the write up to a whole wait late, on the critical path of a hand-off.
//
// Which of the two kinds a wait uses depends on what the partner needs from
// us once it has acted:
//
// * for_handoff() spins for about kSpinPolls polls (a poll is a few pauses;
//   all of them took about 13 us on the 2-core machine of
//   docs/BENCHMARKS.md), then says that blocking is better. It never
//   yields. It is for a rendezvous receiver that selected a Select's send
//   and waits for that thread's op.send() to write the packet. That thread
//   may first have to wake up and be scheduled; a thread that yielded is
//   still runnable and, once the write comes, waits for its turn behind
//   whatever it yielded to, while a parked one is woken by the writer and
//   runs promptly (the scheduler favours a thread that slept).
// * for_completion() is for every wait to be selected: a blocked send() or
//   recv(), whose partner completes the exchange before it selects us, a
//   Select, and a packet whose partner has selected us and only has the
//   message left to move. Staying runnable spares the partner a futex
//   wake-up (it matters when that partner is the bottleneck, as mpsc's one
//   receiver is), and a yield gives a partner on our CPU its turn. After a
//   spin of kYieldingSpinPolls polls (as long as crossbeam's) it yields a
//   few times, then says to block; it says so after the first yield that
//   ran another thread (the CPUs are oversubscribed and parking lets them
//   run). A Select used to wait with for_handoff() (about 13 us of spinning,
//   no yield); on two loaded CPUs that cost 2.5 to 4 times the CPU time of
//   crossbeam on bounded(0) and bounded(1) select_rx and select_both, and
//   for_completion() cut it by half to two thirds on all four ("Select
//   waits as a blocked recv() does" in docs/BENCHMARKS.md).
class PollWait {
 public:
  static PollWait for_handoff() noexcept { return PollWait(kSpinPolls, 0); }
  static PollWait for_completion() noexcept { return PollWait(kYieldingSpinPolls, kYields); }

  // The thread we wait for last ran on the CPU we run on: it cannot make
  // progress while we spin there, so skip the spinning.
  void partner_shares_cpu() noexcept {
    if (polls_ < spin_polls_) polls_ = spin_polls_;
  }

  // Other threads of our side were already waiting when we registered (an
  // empty channel's receivers). Where spinning cannot help, park at once
  // instead of yielding: the partner's next step serves whoever waited
  // first, so our yields would mostly run the others that wait as we do,
  // each as fruitless as ours, and keep every one of us in the run queue.
  // A lone waiter still yields: its partner is most likely queued behind it
  // and about to act. Which waits use it: BehindOthers in channel/waker.h.
  void others_wait_too() noexcept { one_cpu_yields_ = 0; }

  // Waits a little. False: the wait has gone on long enough to block.
  bool wait() noexcept {
    if (one_cpu_yields_ != 0) {
      // Spinning cannot help: let a partner queued on our CPU run (above).
      --one_cpu_yields_;
      std::this_thread::yield();
      return true;
    }
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
  // Where spinning cannot help, the wait yields kOneCpuYields times, then
  // says to block.
  PollWait(unsigned spin_polls, unsigned yields) noexcept
      : PollWait(spin_polls, yields, spinning_can_help()) {}
  PollWait(unsigned spin_polls, unsigned yields, bool spin) noexcept
      : spin_polls_(spin_polls),
        yields_(yields),
        polls_(spin ? 0 : spin_polls + yields),
        one_cpu_yields_(spin ? 0 : kOneCpuYields) {}

  // Yields on one CPU before parking (see the top of this file): two
  // measured a little less CPU time per message than one on bounded(0)
  // spsc/mpmc/select_rx and bounded(1) mpsc/select_rx (more were not tried:
  // each one that finds the partner still busy is a wasted system call).
  static constexpr unsigned kOneCpuYields = 2;

  static constexpr unsigned kPausesPerPoll = 4;
  static constexpr unsigned kSpinPolls = 128;
  static constexpr unsigned kYieldingSpinPolls = 32;  // 128 pauses, as Backoff's spinning
  static constexpr unsigned kYields = 4;              // as Backoff's yielding steps
  unsigned spin_polls_;
  unsigned yields_;
  unsigned polls_;
  unsigned one_cpu_yields_;
};

}  // namespace ferrite::detail
