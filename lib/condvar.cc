// lib/condvar.cc — the non-template half of ferrite::Condvar (condvar.h).
//
// Rust's futex condvar (library/std/src/sys/sync/condvar/futex.rs). The
// notify side only bumps `sequence_` and wakes; the mutex, not the Condvar,
// orders the data: a notifier changes the state under the lock, and the
// waiter re-reads it under the lock after waking.
#include <atomic>
#include <climits>
#include <cstdint>

#include "ferrite/condvar.h"
#include "ferrite/detail/futex.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"

namespace ferrite {

bool Condvar::wait_raw(detail::RawMutex& mutex, detail::Deadline deadline) const {
  const detail::RawMutex* bound = nullptr;
  // ORDERING(condvar-bind-mutex): relaxed; the pointer is only compared,
  // never dereferenced, so no data is published through it (as in Rust).
  if (!mutex_.compare_exchange_strong(bound, &mutex, std::memory_order_relaxed,
                                      std::memory_order_relaxed) &&
      bound != &mutex) {
    panic("ferrite::Condvar: attempted to use a condition variable with two mutexes");
  }
  // Read the sequence *before* unlocking: a notify_* that follows our unlock
  // changes it, so the futex_wait below returns at once instead of missing it.
  // ORDERING(condvar-sequence-read): relaxed; the notifier's state change is
  // published by the mutex (its unlock, our re-lock), not by this counter.
  // The read happens while we hold the mutex, so a notifier that changed the
  // state under the mutex before notifying bumps the counter after it.
  const std::uint32_t seen = sequence_.load(std::memory_order_relaxed);
  mutex.unlock();
  const bool woken = detail::futex_wait(sequence_, seen, deadline);
  mutex.lock();
  return woken;
}

void Condvar::notify_one() const noexcept {
  // ORDERING(condvar-notify-one): relaxed; see condvar-sequence-read. The
  // increment is what a sleeping waiter's futex compares against.
  sequence_.fetch_add(1, std::memory_order_relaxed);
  detail::futex_wake_one(sequence_);
}

void Condvar::notify_all() const noexcept {
  // ORDERING(condvar-notify-all): relaxed; see condvar-sequence-read.
  sequence_.fetch_add(1, std::memory_order_relaxed);
  detail::futex_wake_all(sequence_);
}

}  // namespace ferrite
