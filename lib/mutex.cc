// lib/mutex.cc — the contended half of ferrite::detail::RawMutex (mutex.h).
//
// Rust's futex mutex (library/std/src/sys/sync/mutex/futex.rs): the word is
// 0 (unlocked), 1 (locked) or 2 (locked, sleepers possible). A locker that
// finds it held spins briefly, then marks it 2 and sleeps; the unlocker that
// swaps out a 2 wakes one sleeper. A woken thread re-locks with 2 (it cannot
// know whether others still sleep), which costs at most one spare wake-up.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ferrite/detail/futex.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

namespace {

// Spins while the lock is held by a running thread without sleepers, which
// is when it is likely to be released within a few hundred cycles.
std::uint32_t spin_while_locked(const std::atomic<std::uint32_t>& state) noexcept {
  // Rust's count. Measured on the 2-core machine (docs/BENCHMARKS.md, spins 0,
  // 40 and 100 in one session): all beat std::mutex when contended, 100 by the
  // widest margin at 4 threads.
  constexpr int kSpins = 100;
  for (int spin = 0;; ++spin) {
    // ORDERING(mutex-spin-peek): relaxed; only decides whether to retry.
    // The acquire compare-exchange/exchange that follows does the locking.
    const std::uint32_t seen = state.load(std::memory_order_relaxed);
    if (seen != 1 || spin == kSpins) return seen;
    spin_loop_hint();
  }
}

}  // namespace

void RawMutex::lock_contended() noexcept {
  std::uint32_t seen = spin_while_locked(state_);
  if (seen == kUnlocked) {
    // ORDERING(mutex-lock-after-spin): acquire pairs with the release
    // exchange in unlock(), like the fast path in lock().
    if (state_.compare_exchange_strong(seen, kLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
      return;
    }
  }
  for (;;) {
    // Announce a sleeper before sleeping. If the exchange finds the lock
    // free, we own it (marked contended, which may cost one spare wake-up).
    // ORDERING(mutex-lock-contended): acquire pairs with the release exchange
    // in unlock() that freed the lock.
    if (seen != kContended &&
        state_.exchange(kContended, std::memory_order_acquire) == kUnlocked) {
      return;
    }
    futex_wait(state_, kContended);
    seen = spin_while_locked(state_);
  }
}

void RawMutex::wake_one() noexcept { futex_wake_one(state_); }

void exclusive_access_violated(const char* what) {
  std::string message(what);
  message +=
      ": the lock is held (a guard is alive), but this operation needs exclusive access; "
      "drop every guard first";
  panic(std::move(message));
}

void relock_refused(const char* what, const void* lock) {
  char address[2 * sizeof(void*) + 3];
  std::snprintf(address, sizeof(address), "%p", lock);
  std::string message(what);
  message += ": this thread already holds the lock at ";
  message += address;
  message +=
      " (a guard of it is alive on this thread), so waiting for it would wait forever; drop "
      "that guard first, or reuse it instead of locking again";
  panic(std::move(message));
}

void moved_from_guard(const char* what) {
  std::string message(what);
  message += ": the guard was moved from and holds no lock";
  panic(std::move(message));
}

void with_lock_poisoned() {
  panic(
      "ferrite::Mutex::with_lock: the mutex is poisoned (a thread panicked while holding "
      "it); use lock() and PoisonError::into_inner() to recover the data");
}

}  // namespace ferrite::detail
