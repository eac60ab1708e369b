// ferrite/condvar.h — Condvar: wait for a condition on a Mutex<T>'s data.
//
// Rust's std::sync::Condvar for C++. A waiting thread hands its MutexGuard
// to the Condvar, which atomically releases the lock and sleeps; when woken
// (notify_one / notify_all, a timeout, or spuriously) it re-acquires the lock
// and hands the guard back. Prefer the `*_while` forms: they re-check the
// condition, so spurious wake-ups and stolen notifications cannot leak out.
//
//   const ferrite::Mutex<bool> ready(false);
//   const ferrite::Condvar changed;
//   // consumer (`*ready.lock()` moves the guard in; it panics if poisoned):
//   auto guard = changed.wait_while(*ready.lock(), [](bool& r) { return !r; });
//   // producer:
//   ready.with_lock([](bool& r) { r = true; });
//   changed.notify_one();
//
// Poisoning: every wait returns a LockResult (ferrite/poison.h), with its
// guard inside a PoisonError if the mutex is poisoned when the wait ends
// (another thread panicked while holding it); `*`, `->` and value() on such
// a result panic, as Rust's `unwrap()` does.
//
// One Condvar serves one Mutex: the first wait binds it to that mutex, and a
// wait with a guard of any other mutex panics (as in Rust), since a
// notification could not be paired with the state it announces. The
// mismatching wait panics while still holding its guard, so it poisons
// that mutex.
//
// Deadlocks (checked builds, ferrite/deadlock_detection.h): the re-acquired
// mutex counts in the lock order, and a wait without a timeout while the
// thread holds a lock other than the guard's is reported. Each wait takes a
// trailing `site`, defaulted to the caller's, for those reports.
//
// Time: every timeout accepts any std::chrono::duration; deadlines are
// computed on steady_clock, so clock changes do not affect them.
//
// Implementation (lib/condvar.cc): Rust's futex condvar — a sequence number
// that notify bumps; a waiter reads it, unlocks, and sleeps only while it is
// unchanged, so a notification between the unlock and the sleep is not lost.
//
// Send and Sync (an ordinary class type whose state is atomic).
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstdint>
#include <expected>
#include <functional>
#include <source_location>
#include <utility>

#include "ferrite/detail/futex.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/mutex.h"
#include "ferrite/poison.h"
#include "ferrite/detail/thread_annotations.h"

namespace ferrite {

/// Whether a timed wait returned because its time ran out.
///
/// Contract: `timed_out()` is true when the wait ended at its deadline; for
/// the `*_while` forms, when the deadline passed with the condition still
/// true. Copyable; Send and Sync.
class WaitTimeoutResult {
 public:
  /// A result saying whether the wait timed out.
  constexpr explicit WaitTimeoutResult(bool timed_out) noexcept : timed_out_(timed_out) {}
  /// True if the wait ended because its time ran out.
  constexpr bool timed_out() const noexcept { return timed_out_; }
  friend constexpr bool operator==(WaitTimeoutResult, WaitTimeoutResult) = default;

 private:
  bool timed_out_;
};

/// A condition variable for Mutex<T>.
///
/// Contract:
/// * `wait(guard)`: releases the guard's lock, blocks until notified (or
///   spuriously), re-locks; returns the guard (in a PoisonError if poisoned).
/// * `wait_while(guard, pred)`: waits while `pred(T&)` is true (checked under
///   the lock, first before any wait); returns the guard with pred false, or
///   the first PoisonError.
/// * `wait_timeout(guard, d)`: like wait, but gives up after `d`; returns
///   {guard, WaitTimeoutResult}. May also return early (spuriously) with
///   timed_out() false.
/// * `wait_timeout_while(guard, d, pred)`: waits while pred is true, at most
///   `d` in total; timed_out() is true only if pred is still true at the end.
/// * `notify_one()` wakes one waiter if any; `notify_all()` wakes every
///   waiter. Neither needs the lock held; notifications are not remembered
///   when nobody waits.
/// * Invalid (panics): a moved-from guard; guards of two different mutexes
///   over the Condvar's lifetime. Destroying it while threads wait is invalid.
class Condvar {
 public:
  constexpr Condvar() noexcept = default;
  Condvar(const Condvar&) = delete;
  Condvar& operator=(const Condvar&) = delete;

  /// Releases `guard`'s lock, blocks until notified (or spuriously), re-locks and
  /// returns the guard, inside a PoisonError if the mutex is poisoned. Panics on
  /// a moved-from guard, or a guard of another mutex than earlier waits used.
  template <class T>
  LockResult<MutexGuard<T>> wait(
      MutexGuard<T> guard, std::source_location site = std::source_location::current()) const {
    const Mutex<T>& mutex = guard.mutex("ferrite::Condvar::wait");
    block(mutex, detail::kNoDeadline, site);
    return mutex.with_poison(std::move(guard));
  }

  /// Waits while `pred(T&)` is true (checked under the lock, first before any
  /// wait); returns the guard with `pred` false, or the first PoisonError.
  template <class T, class Pred>
    requires std::predicate<Pred&, T&>
  LockResult<MutexGuard<T>> wait_while(
      MutexGuard<T> guard, Pred pred,
      std::source_location site = std::source_location::current()) const {
    while (std::invoke(pred, *guard)) {
      LockResult<MutexGuard<T>> woken = wait(std::move(guard), site);
      if (!woken) return woken;
      guard = std::move(*woken);
    }
    return LockResult<MutexGuard<T>>(std::in_place, std::move(guard));
  }

  /// As wait(), but gives up after `timeout`: returns the guard and whether the
  /// time ran out. May return early (spuriously) with timed_out() false.
  template <class T, class Rep, class Period>
  LockResult<std::pair<MutexGuard<T>, WaitTimeoutResult>> wait_timeout(
      MutexGuard<T> guard, std::chrono::duration<Rep, Period> timeout,
      std::source_location site = std::source_location::current()) const {
    return wait_until(std::move(guard), detail::deadline_after(timeout), site);
  }

  /// Waits while `pred(T&)` is true, at most `timeout` in total; timed_out() is
  /// true only if `pred` is still true at the end.
  template <class T, class Rep, class Period, class Pred>
    requires std::predicate<Pred&, T&>
  LockResult<std::pair<MutexGuard<T>, WaitTimeoutResult>> wait_timeout_while(
      MutexGuard<T> guard, std::chrono::duration<Rep, Period> timeout, Pred pred,
      std::source_location site = std::source_location::current()) const {
    using Result = LockResult<std::pair<MutexGuard<T>, WaitTimeoutResult>>;
    const detail::Deadline deadline = detail::deadline_after(timeout);
    while (std::invoke(pred, *guard)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        return Result(std::in_place, std::move(guard), WaitTimeoutResult(true));
      }
      Result woken = wait_until(std::move(guard), deadline, site);
      if (!woken) return woken;
      guard = std::move(woken->first);
    }
    return Result(std::in_place, std::move(guard), WaitTimeoutResult(false));
  }

  /// Wakes one waiting thread, if any. Needs no lock; not remembered when nobody waits.
  void notify_one() const noexcept;  // lib/condvar.cc
  /// Wakes every waiting thread. Needs no lock; not remembered when nobody waits.
  void notify_all() const noexcept;  // lib/condvar.cc

 private:
  template <class T>
  LockResult<std::pair<MutexGuard<T>, WaitTimeoutResult>> wait_until(
      MutexGuard<T> guard, detail::Deadline deadline, const std::source_location& site) const {
    using Result = LockResult<std::pair<MutexGuard<T>, WaitTimeoutResult>>;
    const Mutex<T>& mutex = guard.mutex("ferrite::Condvar::wait_timeout");
    const WaitTimeoutResult result(!block(mutex, deadline, site));
    if (mutex.poison_.get()) {
      return Result(std::unexpect,
                    std::pair<MutexGuard<T>, WaitTimeoutResult>(std::move(guard), result));
    }
    return Result(std::in_place, std::move(guard), result);
  }

  // Releases `mutex` (held by the caller's guard), sleeps, re-locks.
  // Returns false if it woke because `deadline` passed. In checked builds,
  // first reports a wait without end while this thread holds another lock,
  // and records the re-acquisition of `mutex` in the lock order.
  template <class T>
  bool block(const Mutex<T>& mutex, detail::Deadline deadline,
             const std::source_location& site) const {
    mutex.raw_.assert_held();  // The caller's guard holds it.
    if (deadline == detail::kNoDeadline) {
      detail::lock_order_before_blocking("ferrite::Condvar::wait", &mutex);
    }
    detail::lock_order_before_acquire(mutex.order_, &mutex, Mutex<T>::kTypeName, site,
                                      /*reacquire=*/true);
    return wait_raw(mutex.raw_, deadline);
  }

  // lib/condvar.cc: checks the mutex binding, then unlocks, sleeps, re-locks.
  bool wait_raw(detail::RawMutex& mutex, detail::Deadline deadline) const FERRITE_REQUIRES(mutex);

  // Bumped by every notification; waiters sleep while it is unchanged.
  mutable std::atomic<std::uint32_t> sequence_{0};
  // The mutex this Condvar is bound to (null until the first wait).
  mutable std::atomic<const detail::RawMutex*> mutex_{nullptr};
};

}  // namespace ferrite
