// ferrite/barrier.h — Barrier: n threads meet, then all go on together.
//
// Rust's std::sync::Barrier for C++. `Barrier(n)` blocks each caller of
// `wait()` until n threads are waiting, then releases all of them; exactly
// one of each group is told it is the *leader* (to do once-per-round work).
// The barrier is reusable: the next n calls form the next generation.
//
//   const ferrite::Barrier barrier(3);
//   // on each of 3 threads:
//   if (barrier.wait().is_leader()) std::puts("all 3 arrived");
//
// `Barrier(0)` and `Barrier(1)` never block: every wait() is the leader.
// Waiting threads sleep (Mutex + Condvar, as in Rust). A thread that never
// arrives leaves the others blocked forever; there is no timeout.
//
// Send and Sync: Barrier and BarrierWaitResult (ordinary class types; the
// barrier's state is behind its Mutex).
#pragma once

#include <cstddef>

#include "ferrite/condvar.h"
#include "ferrite/mutex.h"

namespace ferrite {

namespace detail {
struct BarrierState {
  std::size_t count = 0;       // arrivals in the current generation
  std::size_t generation = 0;  // bumped when a generation is released
};
}  // namespace detail

/// What Barrier::wait() tells each thread.
///
/// Contract: `is_leader()` is true for exactly one thread of each generation
/// (the last to arrive). Copyable.
class BarrierWaitResult {
 public:
  /// True for the one thread of its generation that arrived last.
  bool is_leader() const noexcept { return leader_; }

 private:
  friend class Barrier;
  explicit BarrierWaitResult(bool leader) noexcept : leader_(leader) {}
  bool leader_;
};

/// A reusable rendezvous point for a fixed number of threads.
///
/// Contract: `Barrier(n)`; `wait()` blocks until n threads (counting the
/// caller) have called wait() in this generation, then returns in all of
/// them. Not copyable or movable; destroying it while threads wait is invalid.
class Barrier {
 public:
  /// A barrier for `n` threads. With n of 0 or 1, wait() returns at once (as Rust).
  explicit Barrier(std::size_t n) noexcept : num_threads_(n) {}
  Barrier(const Barrier&) = delete;
  Barrier& operator=(const Barrier&) = delete;

  /// Blocks until n threads have called wait() in this generation, then releases
  /// them all and starts the next generation. Returns the leader's result to the
  /// last thread to arrive (Rust's `Barrier::wait`).
  BarrierWaitResult wait() const;  // lib/barrier.cc

 private:
  Mutex<detail::BarrierState> state_;
  Condvar all_arrived_;
  std::size_t num_threads_;
};

}  // namespace ferrite
