// lib/mutex.cc — the contended half of ferrite::detail::RawMutex (mutex.h).
//
// The word (64 bits; threads sleep on its low 32 with a futex):
//
//   bit 0       kLocked   the lock is held
//   bit 1       kWoken    an unlock has woken a sleeper that has not yet come
//                         back for the lock (absl::Mutex's "designated waker")
//   bits 2-15   sleepers  threads asleep on the word, or about to sleep, in
//                         units of kSleeper (at most kMaxSleepers; more
//                         waiters yield instead of counting themselves)
//   bits 16-63  holder    the holder's thread word while the lock is held
//                         (mutex.h), 0 while it is free
//
// lock() takes a free word with one compare-exchange that sets kLocked and
// the holder, keeping the sleepers' bits; if the lock is held it spins a
// short while (only where another CPU can release the lock meanwhile, and
// reading the word seldom: spin_while_locked), then counts itself a sleeper
// and sleeps on the word. unlock() subtracts kLocked and its holder bits
// with one fetch_sub; only when state bits are left does it come here, and
// it wakes one sleeper only if none is already on its way back (kWoken) and
// nobody has taken the lock since (the new holder's unlock will wake).
//
// So under contention the running threads pass the lock among themselves
// without system calls, and at most one woken sleeper at a time competes for
// it. (Rust's futex mutex, which this replaced, marks the word "contended"
// for as long as anyone sleeps, and then every unlock makes a wake system
// call and every woken thread takes a CPU from a thread that could use the
// lock: measured 1.7x slower than absl::Mutex with 4 threads on 2 CPUs;
// docs/BENCHMARKS.md.)
//
// No wake-up is lost: a thread sleeps only while the word's low half still
// equals the value it counted itself into (futex_wait compares), and that
// value has kLocked set; the unlock that clears it changes the low half (so
// a thread not yet asleep does not sleep) and, seeing a sleeper, wakes one
// unless kWoken is set. kWoken is cleared by every thread that returns from
// futex_wait, woken or not, and by the unlocker if its wake found nobody
// asleep, so it never stays set while the thread it stands for is asleep: at
// worst a sleeper is woken early, which costs a retry.
#include <atomic>
#include <cstdint>
#include <cstdio>
#include <string>
#include <thread>

#include "ferrite/channel/wait.h"
#include "ferrite/detail/futex.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

namespace {

constexpr std::uint64_t kLockedBit = 1;
constexpr std::uint64_t kWoken = 2;
constexpr std::uint64_t kSleeper = 4;
constexpr std::uint64_t kSleepers = 0xfffc;  // bits 2-15
constexpr std::uint64_t kMaxSleepers = kSleepers / kSleeper;

std::uint64_t sleepers(std::uint64_t word) noexcept { return (word & kSleepers) / kSleeper; }

// Spins while the lock is held, for a bounded time; returns the word last
// seen. Only where another CPU may run the holder meanwhile.
//
// The spinner reads the word only once every kPausesPerPeek pauses (about a
// microsecond). Every read pulls the lock's cache line to this CPU, and the
// holder's next lock or unlock must then take it back: a spinner that reads
// after every pause makes each of the holder's own lock/unlock pairs a
// cache-line transfer between the CPUs, and the holder, which would
// otherwise re-take the lock cheaply from its own cache, runs at the speed
// of that transfer (with 2 threads on 2 CPUs: twice glibc's mutex, which
// does not spin; docs/BENCHMARKS.md). Between reads the holder runs many
// critical sections undisturbed, and a short critical section is still seen
// to end within about a microsecond.
std::uint64_t spin_while_locked(const std::atomic<std::uint64_t>& state) noexcept {
  // Measured on the 2-core machine (docs/BENCHMARKS.md): a pause is about
  // 19 ns there, so this spins about 12 us in all before sleeping.
  constexpr int kPeeks = 10;
  constexpr int kPausesPerPeek = 64;
  // ORDERING(mutex-spin-peek): relaxed; only decides whether to retry. The
  // acquire read-modify-write that follows does the locking.
  std::uint64_t seen = state.load(std::memory_order_relaxed);
  if ((seen & kLockedBit) == 0 || !spinning_can_help()) return seen;
  for (int peek = 0; peek < kPeeks && (seen & kLockedBit) != 0; ++peek) {
    for (int pause = 0; pause < kPausesPerPeek; ++pause) spin_loop_hint();
    // ORDERING(mutex-spin-peek-again): relaxed, as mutex-spin-peek.
    seen = state.load(std::memory_order_relaxed);
  }
  return seen;
}

}  // namespace

void RawMutex::lock_contended() noexcept {
  const std::uint64_t mine = holder_bits();
  std::uint64_t seen = spin_while_locked(state_);
  bool counted = false;     // this thread is among the sleepers in the word
  bool clear_woken = false;  // it has returned from futex_wait: clear kWoken
  for (;;) {
    std::uint64_t next;
    if ((seen & kLockedBit) == 0) {
      next = seen | mine;
      if (counted) next -= kSleeper;
    } else if (counted) {
      next = seen;
    } else if (sleepers(seen) < kMaxSleepers) {
      next = seen + kSleeper;
    } else {
      // Every sleeper slot is taken (thousands of threads wait here): wait
      // without sleeping on the word, and look again.
      std::this_thread::yield();
      // ORDERING(mutex-full-peek): relaxed; only decides what to try next.
      seen = state_.load(std::memory_order_relaxed);
      continue;
    }
    if (clear_woken) next &= ~kWoken;
    // ORDERING(mutex-lock-contended): acquire pairs with the release in
    // unlock() that freed the lock, when this takes it; otherwise the
    // exchange only counts this thread in, and a failure reloads `seen`.
    if (next != seen && !state_.compare_exchange_weak(seen, next, std::memory_order_acquire,
                                                      std::memory_order_relaxed)) {
      continue;
    }
    if ((seen & kLockedBit) == 0) return;  // taken
    counted = true;
    futex_wait(state_, static_cast<std::uint32_t>(next));
    clear_woken = true;
    seen = spin_while_locked(state_);
  }
}

void RawMutex::wake_one() noexcept {
  // ORDERING(mutex-wake): relaxed; the word's bits here only decide whether
  // to wake. The data is published by the lock's acquire/release pairs.
  std::uint64_t seen = state_.load(std::memory_order_relaxed);
  for (;;) {
    if (sleepers(seen) == 0 || (seen & (kLockedBit | kWoken)) != 0) return;
    // ORDERING(mutex-wake-mark): relaxed, as mutex-wake; marks the wake-up
    // in flight (a failure reloads `seen`).
    if (state_.compare_exchange_weak(seen, seen | kWoken, std::memory_order_relaxed,
                                     std::memory_order_relaxed)) {
      break;
    }
  }
  if (!futex_wake_one(state_)) {
    // Nobody was asleep yet (the sleepers counted are about to sleep and will
    // find the word changed): nobody is on the way back either.
    // ORDERING(mutex-wake-none): relaxed, as mutex-wake.
    state_.fetch_and(~kWoken, std::memory_order_relaxed);
  }
}

void exclusive_access_violated(const char* what) {
  std::string message(what);
  message +=
      ": the lock is held (a guard is alive), but this operation needs exclusive access; "
      "drop every guard first";
  panic(std::move(message));
}

namespace {

// "<what>: this thread <holds> 0x1234 (<guard> of it is alive on this thread,
// taken at f.cc:12), <why>": the site in checked builds only (the deadlock
// detector's record of held locks).
[[noreturn]] void refuse_held_lock(const char* what, const char* holds, const void* lock,
                                   const char* guard, const char* why) {
  char address[2 * sizeof(void*) + 3];
  std::snprintf(address, sizeof(address), "%p", lock);
  std::string message(what);
  message += ": this thread ";
  message += holds;
  message += address;
  message += " (";
  message += guard;
  message += " of it is alive on this thread";
  if (const auto site = lock_order_held_site(lock)) {
    message += ", taken at ";
    message += site->file_name();
    message += ':';
    message += std::to_string(site->line());
  }
  message += "), ";
  message += why;
  panic(std::move(message));
}

}  // namespace

void relock_refused(const char* what, const void* lock) {
  refuse_held_lock(what, "already holds the lock at ", lock, "a guard",
                   "so waiting for it would wait forever; drop that guard first, or reuse it "
                   "instead of locking again");
}

void upgrade_refused(const char* what, const void* lock) {
  refuse_held_lock(what, "holds a read lock on ", lock, "a read guard",
                   "and the write lock waits for every reader, this one included, so it would "
                   "wait forever; a read lock cannot be upgraded: drop the read guard first");
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
