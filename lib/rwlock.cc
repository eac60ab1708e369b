// lib/rwlock.cc — the contended half of ferrite::detail::RawRwLock (rwlock.h).
//
// Rust's futex RwLock (library/std/src/sys/sync/rwlock/futex.rs), without
// downgrade. Readers sleep on state_ itself; writers sleep on writer_notify_,
// a counter bumped before each writer wake-up, so a writer that read the
// counter before re-checking state_ cannot miss its wake-up. When the lock
// falls free with both kinds waiting, one writer is woken first; readers
// are woken when no writer was actually asleep.
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "ferrite/detail/futex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"

namespace ferrite::detail {

namespace {
constexpr int kSpins = 100;
}  // namespace

constinit thread_local HeldReadLocks held_read_locks;

void RawRwLock::forget_read_held() noexcept {
  HeldReadLocks& held = held_read_locks;
  for (std::size_t i = held.count; i-- > 0;) {
    if (held.locks.at(i) != this) continue;
    // Released out of order: close the gap, keeping the order of the rest.
    for (std::size_t next = i + 1; next < held.count; ++next) {
      held.locks.at(next - 1) = held.locks.at(next);
    }
    --held.count;
    return;
  }
  // Not recorded: one of the read locks held beyond HeldReadLocks::kTracked.
  if (held.untracked != 0) --held.untracked;
}

bool RawRwLock::read_held_by_caller() const noexcept {
  const HeldReadLocks& held = held_read_locks;
  for (std::size_t i = 0; i < held.count; ++i) {
    if (held.locks.at(i) == this) return true;
  }
  return false;
}

void RawRwLock::lock_shared_again() noexcept {
  // This thread holds a read lock, so no writer holds the lock and none can
  // take it before this thread lets go: count one more reader, whatever
  // waits. (Waiting behind a waiting writer would wait for this thread.)
  // ORDERING(rwlock-read-again-peek): relaxed; re-validated by the
  // compare-exchange below.
  std::uint32_t seen = state_.load(std::memory_order_relaxed);
  for (;;) {
    if ((seen & kMask) >= kMaxReaders) panic("ferrite::RwLock: too many active read locks");
    // ORDERING(rwlock-read-again): acquire, as rwlock-read-fast; the waiting
    // bits are kept for the unlock that finds the lock free.
    if (state_.compare_exchange_weak(seen, seen + kReadLocked, std::memory_order_acquire,
                                     std::memory_order_relaxed)) {
      return;
    }
  }
}

std::uint32_t RawRwLock::spin_read() const noexcept {
  // Spin while a writer holds the lock and nobody sleeps yet.
  for (int spin = 0;; ++spin) {
    // ORDERING(rwlock-spin-read): relaxed; the value only decides whether to
    // keep spinning; the caller's compare-exchange re-validates it.
    const std::uint32_t seen = state_.load(std::memory_order_relaxed);
    if (!is_write_locked(seen) || has_readers_waiting(seen) || has_writers_waiting(seen) ||
        spin == kSpins) {
      return seen;
    }
    spin_loop_hint();
  }
}

std::uint32_t RawRwLock::spin_write() const noexcept {
  // Spin while the lock is held and no writer sleeps yet.
  for (int spin = 0;; ++spin) {
    // ORDERING(rwlock-spin-write): relaxed; as in spin_read().
    const std::uint32_t seen = state_.load(std::memory_order_relaxed);
    if (is_unlocked(seen) || has_writers_waiting(seen) || spin == kSpins) return seen;
    spin_loop_hint();
  }
}

void RawRwLock::lock_shared_contended() noexcept {
  if (read_held_by_caller()) {
    lock_shared_again();
    return;
  }
  std::uint32_t seen = spin_read();
  for (;;) {
    if (is_read_lockable(seen)) {
      // ORDERING(rwlock-read-contended): acquire pairs with the release
      // fetch_sub of the writer's unlock(), as in lock_shared().
      if (state_.compare_exchange_weak(seen, seen + kReadLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        return;
      }
      continue;
    }
    // 2^30 - 2 simultaneous readers: a counting bug, not a workload.
    if ((seen & kMask) == kMaxReaders) panic("ferrite::RwLock: too many active read locks");
    // Announce a sleeping reader before sleeping.
    if (!has_readers_waiting(seen)) {
      // ORDERING(rwlock-readers-waiting): relaxed; the bit is only a request
      // for a wake-up. Sleeping re-reads the word in the kernel, and the
      // wake-up path clears the bit with its own compare-exchange.
      if (!state_.compare_exchange_strong(seen, seen | kReadersWaiting, std::memory_order_relaxed,
                                          std::memory_order_relaxed)) {
        continue;
      }
    }
    futex_wait(state_, seen | kReadersWaiting);
    seen = spin_read();
  }
}

void RawRwLock::lock_contended() noexcept {
  std::uint32_t seen = spin_write();
  // Once we have slept, other writers may be asleep too: keep the bit set
  // when we take the lock, so our unlock wakes the next one.
  std::uint32_t other_writers_waiting = 0;
  for (;;) {
    if (is_unlocked(seen)) {
      // ORDERING(rwlock-write-contended): acquire pairs with the release
      // fetch_sub of the previous unlock()/unlock_shared(), as in lock().
      if (state_.compare_exchange_weak(seen, seen | kWriteLocked | other_writers_waiting,
                                       std::memory_order_acquire, std::memory_order_relaxed)) {
        return;
      }
      continue;
    }
    if (!has_writers_waiting(seen)) {
      // ORDERING(rwlock-writers-waiting): relaxed; a wake-up request, see
      // rwlock-readers-waiting. The writer_notify_ counter closes the race.
      if (!state_.compare_exchange_strong(seen, seen | kWritersWaiting, std::memory_order_relaxed,
                                          std::memory_order_relaxed)) {
        continue;
      }
    }
    other_writers_waiting = kWritersWaiting;
    // Read the counter *before* re-checking state_: a wake_writer() after
    // this load changes the counter, so the futex_wait below returns at once.
    // ORDERING(rwlock-writer-notify-read): acquire pairs with the release
    // fetch_add in wake_writer().
    const std::uint32_t notified = writer_notify_.load(std::memory_order_acquire);
    // ORDERING(rwlock-writer-recheck): relaxed; the lock itself is taken by
    // the acquire compare-exchange at the top of the loop.
    seen = state_.load(std::memory_order_relaxed);
    if (is_unlocked(seen) || !has_writers_waiting(seen)) continue;
    futex_wait(writer_notify_, notified);
    seen = spin_write();
  }
}

bool RawRwLock::wake_writer() noexcept {
  // ORDERING(rwlock-writer-notify-bump): release pairs with the acquire load
  // of writer_notify_ in lock_contended().
  writer_notify_.fetch_add(1, std::memory_order_release);
  return futex_wake_one(writer_notify_);
}

void RawRwLock::wake_writer_or_readers(std::uint32_t state) noexcept {
  // The lock was free when the caller unlocked it. If someone locks it in
  // the meantime, that thread's unlock takes over the waking.
  FERRITE_DEBUG_ASSERT(is_unlocked(state));
  // Only writers wait: wake one.
  if (state == kWritersWaiting) {
    // ORDERING(rwlock-wake-writer-clear): relaxed; only the waiting bits
    // change, no data is published (the unlock's release did that).
    if (state_.compare_exchange_strong(state, 0, std::memory_order_relaxed,
                                       std::memory_order_relaxed)) {
      wake_writer();
      return;
    }
    // Readers may have started waiting as well: fall through with the new state.
  }
  // Both wait: wake one writer, leave the readers waiting.
  if (state == (kReadersWaiting | kWritersWaiting)) {
    // ORDERING(rwlock-wake-both-clear): relaxed, as rwlock-wake-writer-clear.
    if (!state_.compare_exchange_strong(state, kReadersWaiting, std::memory_order_relaxed,
                                        std::memory_order_relaxed)) {
      return;  // Somebody locked it; their unlock will wake.
    }
    if (wake_writer()) return;
    // No writer was asleep after all (it is still on its way in, and will
    // find the lock free): wake the readers instead of leaving them asleep.
    state = kReadersWaiting;
  }
  // Only readers wait: wake them all.
  if (state == kReadersWaiting) {
    // ORDERING(rwlock-wake-readers-clear): relaxed, as rwlock-wake-writer-clear.
    if (state_.compare_exchange_strong(state, 0, std::memory_order_relaxed,
                                       std::memory_order_relaxed)) {
      futex_wake_all(state_);
    }
  }
}

}  // namespace ferrite::detail
