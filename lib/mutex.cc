// lib/mutex.cc — the contended half of ferrite::detail::RawMutex (mutex.h).
//
// Two words. The lock word (64 bits; threads sleep on its low 32 with a
// futex) is 0 while the lock is free, and kLocked | the holder's thread
// word << 16 while it is held. The waiters word (32 bits):
//
//   bit 0       kWoken     an unlock has woken a sleeper that has not yet
//                          come back for the lock (absl::Mutex's
//                          "designated waker")
//   bit 1       kFencing   a thread is making the mutex fenced (below)
//   bit 2       kFenced    it is: sleepers may count themselves in
//   bits 3-31   sleepers   threads asleep on the lock word, or about to
//                          sleep, in units of kSleeper
//
// lock() takes a free word with one compare-exchange; if the lock is held it
// spins a short while (only where another CPU can release the lock
// meanwhile; how often it reads the word depends on the caller:
// spin_while_locked), then counts
// itself a sleeper and sleeps on the lock word. unlock() of an unfenced
// mutex (waiters word 0; see below) stores 0 to the lock word and reads the
// waiters word again, coming here (unlock_slow) only if it is no longer 0;
// a fenced mutex's unlock comes here at once (unlock_fenced: one exchange,
// then a look at the sleepers). Either wakes one sleeper only if none is
// already on its way back (kWoken) and nobody has taken the lock since (the
// new holder's unlock will wake).
//
// So under contention the running threads pass the lock among themselves
// without system calls, and at most one woken sleeper at a time competes for
// it. (Rust's futex mutex, which an earlier version was, marks the word
// "contended" for as long as anyone sleeps, and then every unlock makes a
// wake system call and every woken thread takes a CPU from a thread that
// could use the lock: measured 1.7x slower than absl::Mutex with 4 threads
// on 2 CPUs; docs/BENCHMARKS.md.)
//
// No wake-up is lost. An unlocker stores 0 to the lock word, then reads the
// waiters word; a sleeper counts itself in (a read-modify-write of the
// waiters word), then sleeps only while the lock word still holds the value
// it saw locked (futex_wait compares). Either the unlocker's read sees the
// sleeper, or the sleeper's compare sees the word freed, provided neither
// thread's read can pass its own earlier write: Dekker's pattern, which
// needs a full fence between the store and the load on both sides. The
// sleeper's read-modify-write is one; an unlocker fences in unlock_slow(),
// but its inline path reads the waiters word with no fence, to keep the
// uncontended unlock a plain store. That is sound because the inline path
// only ever reads 0 before the mutex is *fenced*: the first thread that
// needs to sleep sets kFencing, calls heavy_fence() (every thread of the
// process executes a full fence: detail/heavy_fence.h), and only then sets
// kFenced; no thread counts itself in before kFenced. Take any unlocker. If
// its fence from heavy_fence() came before its store of 0, its read of the
// waiters word comes after that fence too and sees kFencing: it takes
// unlock_slow(), which fences. If the fence came after the store, the store
// was visible to every thread before heavy_fence() returned, so before
// kFenced was set, so before any sleeper's compare. Both ways, the pair is
// fenced. (An unlocker that finds the waiters word not 0 before its store
// takes unlock_fenced(), whose exchange is the fence.) A fenced mutex stays
// fenced: from then on each unlock is one exchange, what the unlock of a
// lock without this scheme costs.
//
// Where heavy_fence() is unavailable (before Linux 4.14, or forbidden by a
// seccomp filter), the mutex is fenced without it, and the one unlock that
// may be racing with the first sleeper could miss it: every sleep is then
// bounded to a millisecond, after which the sleeper looks at the lock word
// again.
//
// kWoken is cleared by every thread that returns from futex_wait, woken or
// not, and by the unlocker if its wake found nobody asleep, so it never
// stays set while the thread it stands for is asleep: at worst a sleeper is
// woken early, which costs a retry.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string>

#include "ferrite/channel/wait.h"
#include "ferrite/detail/futex.h"
#include "ferrite/detail/heavy_fence.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

namespace {

constexpr std::uint64_t kLockedBit = 1;
constexpr std::uint32_t kWoken = 1;
constexpr std::uint32_t kFencing = 2;
constexpr std::uint32_t kFenced = 4;
constexpr std::uint32_t kSleeper = 8;

// How long one sleep may last where heavy_fence() is unavailable (see the
// file comment).
constexpr std::chrono::milliseconds kUnfencedSleep{1};

// How a contended lock spins: `peeks` reads of the lock word, `pauses`
// pauses apart (a pause is about 19 ns on the 2-core machine of
// docs/BENCHMARKS.md).
struct SpinProfile {
  int peeks;
  int pauses;
};

// Mutex<T> (and Condvar's re-lock of it): about 12 us in all, one
// read every 64 pauses (about a microsecond). Every read pulls the lock's
// cache line to this CPU, and the holder's next lock or unlock must then take
// it back: a spinner that reads after every pause makes each of the holder's
// own lock/unlock pairs a cache-line transfer between the CPUs, and the
// holder, which would otherwise re-take the lock cheaply from its own cache,
// runs at the speed of that transfer (with 2 threads on 2 CPUs: twice glibc's
// mutex, which does not spin; docs/BENCHMARKS.md). Between reads the holder
// runs many critical sections undisturbed, and a short critical section is
// still seen to end within about a microsecond.
constexpr SpinProfile kSpinForThroughput{10, 64};

// A channel's lock (RawMutex::lock_for_latency): held for a few hundred
// nanoseconds by a thread that then leaves, and wanted by a thread whose
// partner waits for it. One read every 4 pauses, 128 pauses in all (about
// 2.5 us, as long as a channel wait's spin, ferrite/channel/wait.h): the
// waiter takes the lock within about 80 ns of its release, and a holder
// that was preempted, which no spinning can outwait, costs it little.
// With Mutex<T>'s spin (up to a microsecond late, 12 us in all), bounded(0)
// spsc, mpsc, mpmc and select_rx took 1.1 to 1.3 times crossbeam-channel's
// wall time on two CPUs; with this one, 0.7 to 1.1 (docs/BENCHMARKS.md,
// "Before/after: the channel lock's spin, receivers that queue, Select's
// draw").
constexpr SpinProfile kSpinForLatency{32, 4};

// Spins while the lock is held, as `profile` says; returns the word last
// seen. Only where another CPU may run the holder meanwhile.
std::uint64_t spin_while_locked(const std::atomic<std::uint64_t>& state,
                                SpinProfile profile) noexcept {
  // ORDERING(mutex-spin-peek): relaxed; only decides whether to retry. The
  // acquire read-modify-write that follows does the locking.
  std::uint64_t seen = state.load(std::memory_order_relaxed);
  if ((seen & kLockedBit) == 0 || !spinning_can_help()) return seen;
  for (int peek = 0; peek < profile.peeks && (seen & kLockedBit) != 0; ++peek) {
    for (int pause = 0; pause < profile.pauses; ++pause) spin_loop_hint();
    // ORDERING(mutex-spin-peek-again): relaxed, as mutex-spin-peek.
    seen = state.load(std::memory_order_relaxed);
  }
  return seen;
}

}  // namespace

void RawMutex::count_in_as_sleeper() noexcept {
  // ORDERING(mutex-fenced-peek): acquire pairs with the release of
  // mutex-fenced below: a thread that sees kFenced set is ordered after the
  // heavy_fence() that preceded it.
  if ((waiters_.load(std::memory_order_acquire) & kFenced) == 0) {
    // The first sleeper (or one of the first, racing: each fences, which is
    // only redundant). See the file comment for why this order.
    // seq_cst: kFencing must be visible to every thread before heavy_fence()
    // makes them fence (a read-modify-write is).
    waiters_.fetch_or(kFencing, std::memory_order_seq_cst);
    heavy_fence();
    // ORDERING(mutex-fenced): release pairs with mutex-fenced-peek.
    waiters_.fetch_or(kFenced, std::memory_order_release);
  }
  // seq_cst: the sleeper's side of the Dekker pair (file comment): this
  // write comes before its futex compares the lock word.
  waiters_.fetch_add(kSleeper, std::memory_order_seq_cst);
}

void RawMutex::lock_contended(Spin spin) noexcept {
  const SpinProfile profile = spin == Spin::kForThroughput ? kSpinForThroughput : kSpinForLatency;
  const std::uint64_t mine = holder_bits();
  std::uint64_t seen = spin_while_locked(state_, profile);
  bool counted = false;  // this thread is among the sleepers
  for (;;) {
    if ((seen & kLockedBit) == 0) {
      // ORDERING(mutex-lock-contended): acquire pairs with the release in
      // unlock() that freed the lock; a failure reloads `seen`.
      if (state_.compare_exchange_weak(seen, mine, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        // ORDERING(mutex-count-out): relaxed; only the count changes, and an
        // unlocker that still counts this thread at most wakes one too many.
        if (counted) waiters_.fetch_sub(kSleeper, std::memory_order_relaxed);
        return;
      }
      continue;
    }
    if (!counted) {
      count_in_as_sleeper();
      counted = true;
      // `seen` may be stale by now, and a futex_wait on a stale value returns
      // at once, to another round of spinning: look again first.
      // ORDERING(mutex-counted-peek): relaxed; only decides whether to try
      // the lock or sleep (the kernel compares again).
      seen = state_.load(std::memory_order_relaxed);
      continue;
    }
    // Sleeps only while the word still holds `seen` (the kernel compares,
    // after the count above): an unlock since then changed it.
    const Deadline deadline = heavy_fence_available()
                                  ? kNoDeadline
                                  : std::chrono::steady_clock::now() + kUnfencedSleep;
    futex_wait(state_, static_cast<std::uint32_t>(seen), deadline);
    // ORDERING(mutex-woken-clear): relaxed; kWoken only decides whether an
    // unlocker wakes another sleeper.
    waiters_.fetch_and(~kWoken, std::memory_order_relaxed);
    seen = spin_while_locked(state_, profile);
  }
}

void RawMutex::unlock_slow() noexcept {
  // ORDERING(mutex-unlock-fence-peek): relaxed; only the value the
  // compare-exchange below expects, which reloads it if it is stale.
  std::uint32_t waiters = waiters_.load(std::memory_order_relaxed);
  // A seq_cst read-modify-write: the unlocker's side of the Dekker pair
  // (file comment), between unlock()'s store of 0 and the read of the
  // sleepers. A compare-exchange of the word with itself, not fetch_add(0):
  // compilers turn an idempotent read-modify-write into a fence and a load,
  // and on x86 that fence is an mfence, several times slower than a locked
  // instruction. On failure it still orders (seq_cst) and reloads the word.
  waiters_.compare_exchange_strong(waiters, waiters, std::memory_order_seq_cst,
                                   std::memory_order_seq_cst);
  wake_if_asleep(waiters);
}

void RawMutex::unlock_fenced() noexcept {
  // seq_cst: its release publishes the critical section to the next
  // acquirer, as in unlock(); the read-modify-write is also the unlocker's
  // fence of the Dekker pair (file comment), before the read of the
  // sleepers below.
  state_.exchange(0, std::memory_order_seq_cst);
  // seq_cst, after the exchange above.
  wake_if_asleep(waiters_.load(std::memory_order_seq_cst));
}

void RawMutex::wake_if_asleep(std::uint32_t waiters) noexcept {
  for (;;) {
    if (waiters < kSleeper || (waiters & kWoken) != 0) return;
    // ORDERING(mutex-wake-peek): relaxed; a holder that took the lock since
    // will look at the sleepers when it unlocks (the mutex is fenced).
    if ((state_.load(std::memory_order_relaxed) & kLockedBit) != 0) return;
    // ORDERING(mutex-wake-mark): relaxed; marks the wake-up in flight (a
    // failure reloads `waiters`). The data is published by the lock word.
    if (waiters_.compare_exchange_weak(waiters, waiters | kWoken, std::memory_order_relaxed,
                                       std::memory_order_relaxed)) {
      break;
    }
  }
  if (!futex_wake_one(state_)) {
    // Nobody was asleep yet (the sleepers counted are about to sleep and will
    // find the word changed): nobody is on the way back either.
    // ORDERING(mutex-wake-none): relaxed, as mutex-wake-mark.
    waiters_.fetch_and(~kWoken, std::memory_order_relaxed);
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
