// ferrite/mutex.h — Mutex<T>: a lock that owns its data and poisons on panic.
//
// Rust's std::sync::Mutex for C++. The protected value lives *inside* the
// Mutex and is reachable only through a MutexGuard, which holds the lock for
// its lifetime; there is no way to forget to lock, or to keep using the data
// after unlocking.
//
//   const ferrite::Mutex<int> counter(0);     // constructed like an int
//   if (auto guard = counter.lock()) {        // LockResult<MutexGuard<int>>
//     **guard += 1;                           // *guard: the guard; **guard: the int
//   }                                         // unlocked here
//   counter.with_lock([](int& n) { n += 1; });  // the same; panics if poisoned
//
// The data does not escape its guard. `*` and `->` work on a named guard
// only: `long& n = **m.lock();` does not compile, since the temporary guard
// would unlock at the end of the statement and leave `n` dangling. For the
// same reason with_lock(f) rejects an f that returns a borrow — a reference,
// pointer, std::reference_wrapper, string_view, span, Slice, or a wrapper of
// one (detail/owned.h). A reference taken from a named guard must not be
// kept past the guard (C++ cannot check that; Rust's borrow checker does).
//
// Poisoning (ferrite/poison.h): a guard destroyed by a panic that started
// while it was alive marks the mutex poisoned. Every later lock() still
// acquires it but returns the guard inside a PoisonError, so the next user
// sees that the invariant may be broken instead of silently relying on it.
// Using the result as if it held a guard (`**guard` above, Rust's
// `lock().unwrap()`) then panics with the way out; it is never undefined.
//
// The lock is a futex word (lib/mutex.cc): uncontended, one atomic
// read-modify-write to lock and a plain store to unlock (until the first
// thread sleeps on the mutex; from then on each unlock also fences, as a
// second read-modify-write would); under contention a short spin (only where
// another CPU can release the lock meanwhile), then sleep in the kernel, with
// at most one woken sleeper at a time competing for the lock (absl::Mutex's
// designated waker). Measured against absl::Mutex and
// std::mutex in bench/mutex_bench.cc (docs/BENCHMARKS.md). It is not
// recursive: locking it again on the thread that holds it panics (Rust:
// "might panic or deadlock"), and the lock must be released by the thread
// that acquired it (guards are not Send). Checked builds also report
// lock-order cycles and blocking while holding the lock
// (ferrite/deadlock_detection.h).
//
// Send/Sync (ferrite/marker.h):
//   Mutex<T>       Send if T is Send; Sync if T is Send — the lock hands the T
//                  to one thread at a time, so T itself need not be Sync.
//   MutexGuard<T>  not Send (a futex lock may be released on any thread, but
//                  keeping Rust's rule keeps the lock's critical sections on
//                  one thread, which TSan and debuggers rely on); Sync if T is
//                  Sync (a `const MutexGuard&` only gives `const T&`).
//
// Thread-safety analysis: the value is FERRITE_GUARDED_BY the lock, so code
// in this library that touches it without holding the lock fails to compile
// under -Wthread-safety.
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <expected>
#include <functional>
#include <source_location>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"
#include "ferrite/detail/owned.h"
#include "ferrite/detail/single_threaded.h"
#include "ferrite/detail/futex.h"
#include "ferrite/detail/lock_holder.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/poison.h"
#include "ferrite/detail/thread_annotations.h"

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif

// The message of the deleted `*` and `->` of a temporary guard.
#define FERRITE_DETAIL_TEMPORARY_GUARD(guard_type)                                        \
  guard_type ": `*` and `->` on a temporary guard: the lock is released at the end of " \
             "the statement, so the reference would dangle; name the guard: "          \
             "`auto guard = m.lock();`"

namespace ferrite {

class Condvar;

namespace detail {

// The lock of Mutex<T>: two words. The lock word (64 bits) is 0 while the
// lock is free; the holder sets bit 0 and, in the high 48 bits, its thread
// word (detail/lock_holder.h, shifted up by 16), so that a thread locking the
// mutex again is refused instead of deadlocking, and the holder is written
// by the same read-modify-write that takes the lock. Threads sleep on its
// low 32 bits with a futex. The waiters word (32 bits) counts the sleepers
// and is 0 until the first thread has slept on this mutex. Not recursive.
//
// lock() inlines a compare-exchange; unlock() a release store of 0 and a
// read of the waiters word, with no fence between them, while that word is
// 0, and calls lib/mutex.cc otherwise. A sleeper is still never
// missed: the first one makes every other thread of the process execute a
// fence (detail/heavy_fence.h) before any thread counts itself in, and from
// then on every unlock fences (lib/mutex.cc describes the protocol). While
// the process has only ever had one thread (detail/single_threaded.h),
// lock() is a plain load and store too, as glibc's own mutex is then.
class FERRITE_CAPABILITY("mutex") RawMutex {
 public:
  constexpr RawMutex() noexcept = default;
  RawMutex(const RawMutex&) = delete;
  RawMutex& operator=(const RawMutex&) = delete;

  void lock() noexcept FERRITE_ACQUIRE() {
    if (!try_acquire()) [[unlikely]] lock_contended(Spin::kForThroughput);
  }

  // As lock(), for a lock whose every critical section is short and whose
  // waiter is on the critical path (a channel's lists of blocked threads):
  // a contended lock() looks at the lock word seldom, so that a holder that
  // re-takes the lock keeps its cache line (lib/mutex.cc), and so notices a
  // release up to a microsecond late; this one looks often and takes the
  // lock as soon as it is free.
  void lock_for_latency() noexcept FERRITE_ACQUIRE() {
    if (!try_acquire()) [[unlikely]] lock_contended(Spin::kForLatency);
  }

  // As lock(), but false, with the lock not taken, when the calling thread
  // already holds it (lock() would wait for itself forever). The check runs
  // only when the lock is found held.
  bool lock_unless_held_by_caller() noexcept FERRITE_TRY_ACQUIRE(true) {
    if (!try_acquire()) [[unlikely]] {
      if (held_by_caller()) return false;
      lock_contended(Spin::kForThroughput);
    }
    return true;
  }

  // Acquires the lock only if it is free right now.
  bool try_lock() noexcept FERRITE_TRY_ACQUIRE(true) { return try_acquire(); }

  void unlock() noexcept FERRITE_RELEASE() {
    // ORDERING(mutex-unlock-mode): relaxed; picks the path. Not 0 means a
    // thread has slept on this mutex (or is about to), which stays so:
    // unlock_fenced() then releases with one read-modify-write.
    if (waiters_.load(std::memory_order_relaxed) != 0) [[unlikely]] {
      unlock_fenced();
      return;
    }
    // ORDERING(mutex-unlock): release pairs with the acquire read-modify-write
    // of the next lock()/try_lock(), publishing this critical section. Only
    // the holder writes the lock word while it is held, so a store suffices.
    state_.store(0, std::memory_order_release);
    // ORDERING(mutex-unlock-waiters): relaxed, with no fence after the store:
    // the first thread to sleep on this mutex forces a fence on this thread
    // before it counts itself in (lib/mutex.cc, "No wake-up is lost"); if
    // one has begun to, unlock_slow() fences and looks.
    if (waiters_.load(std::memory_order_relaxed) != 0) [[unlikely]] unlock_slow();
  }

  // Tells the thread-safety analysis that the caller holds the lock (a guard
  // object does). In debug builds it also checks that *someone* holds it.
  void assert_held() const noexcept FERRITE_ASSERT_CAPABILITY(this) {
    FERRITE_DEBUG_ASSERT(is_locked());
  }

  // A snapshot: whether some thread holds the lock right now.
  bool is_locked() const noexcept {
    // ORDERING(mutex-is-locked): relaxed; a diagnostic snapshot that orders
    // nothing (callers that need the data take the lock).
    return (state_.load(std::memory_order_relaxed) & kLocked) != 0;
  }

 private:
  static constexpr std::uint64_t kLocked = 1;
  static constexpr std::uint64_t kStateMask = 0xffff;
  static constexpr int kHolderShift = 16;

  // What the holder adds to the word: the lock bit and its name. A thread
  // word (a user-space address) is below 2^48 on the 64-bit Linux targets,
  // so the shift keeps all of it; live threads have distinct words.
  static std::uint64_t holder_bits() noexcept {
    return kLocked | (static_cast<std::uint64_t>(current_thread_word()) << kHolderShift);
  }

  bool held_by_caller() const noexcept {
    // ORDERING(mutex-holder-check): relaxed; only the holder writes a name
    // that is its own, so this thread reads its own name back only if it
    // put it there (program order), and any other value means "not me".
    return (state_.load(std::memory_order_relaxed) & ~kStateMask) ==
           (holder_bits() & ~kStateMask);
  }

  bool try_acquire() noexcept {
    const std::uint64_t mine = holder_bits();
    // ORDERING(mutex-lock-peek): relaxed; only decides whether to try.
    std::uint64_t seen = state_.load(std::memory_order_relaxed);
    if (seen != 0) return false;
    if (process_is_single_threaded()) {
      // ORDERING(mutex-lock-alone): relaxed; no other thread exists
      // (detail/single_threaded.h), so nobody else reads or writes the word,
      // and a thread created later starts after this store (thread creation
      // orders it).
      state_.store(mine, std::memory_order_relaxed);
      return true;
    }
    // ORDERING(mutex-lock-fast): acquire pairs with the release in unlock():
    // the new holder sees every write made under the lock before. A failure
    // means another thread took the lock first.
    return state_.compare_exchange_strong(seen, mine, std::memory_order_acquire,
                                          std::memory_order_relaxed);
  }

  // How a contended lock spins before it sleeps (lib/mutex.cc).
  enum class Spin { kForThroughput, kForLatency };
  void lock_contended(Spin spin) noexcept;  // lib/mutex.cc
  void unlock_slow() noexcept;     // lib/mutex.cc
  void unlock_fenced() noexcept;   // lib/mutex.cc
  void wake_if_asleep(std::uint32_t waiters) noexcept;  // lib/mutex.cc
  void count_in_as_sleeper() noexcept;  // lib/mutex.cc

  // The lock: 0, or kLocked | the holder's thread word << kHolderShift.
  std::atomic<std::uint64_t> state_{0};
  // The sleepers (lib/mutex.cc): 0 until a thread first sleeps on the lock.
  std::atomic<std::uint32_t> waiters_{0};
};

// Panics: "<what>: the lock is held (a guard is alive); ...". lib/mutex.cc.
[[noreturn]] void exclusive_access_violated(const char* what);
// Panics for the use of a moved-from guard. lib/mutex.cc.
[[noreturn]] void moved_from_guard(const char* what);
// Panics for with_lock() on a poisoned lock. lib/mutex.cc.
[[noreturn]] void with_lock_poisoned();

// Holds a lock that the caller must own exclusively (get_mut, into_inner):
// panics if anybody holds it, which in correct code cannot happen.
class FERRITE_SCOPED_CAPABILITY ExclusiveAccess {
 public:
  ExclusiveAccess(RawMutex& lock, const char* what) FERRITE_ACQUIRE(lock) : lock_(lock) {
    if (!lock_.try_lock()) exclusive_access_violated(what);
  }
  ~ExclusiveAccess() FERRITE_RELEASE() { lock_.unlock(); }
  ExclusiveAccess(const ExclusiveAccess&) = delete;
  ExclusiveAccess& operator=(const ExclusiveAccess&) = delete;

 private:
  RawMutex& lock_;
};

}  // namespace detail

template <class T>
class MutexGuard;

/// A mutual-exclusion lock that owns a T.
///
/// Contract:
/// * `Mutex<T>(args...)` constructs the T from args (`Mutex<T>()` value-
///   initializes it). Not copyable or movable: guards point at it.
/// * `lock()` blocks until the calling thread holds the lock, then returns
///   the guard; inside a PoisonError if the mutex is poisoned. Locking a mutex
///   the calling thread already holds panics. In checked builds, a lock()
///   that closes a cycle in the lock order reports a potential deadlock
///   before it waits (ferrite/deadlock_detection.h); `site`, defaulted to the
///   caller's, is where the report says the lock was taken.
/// * `try_lock()` never blocks: the guard, or TryLockError WouldBlock (held
///   elsewhere, nothing acquired) or Poisoned (acquired; guard inside).
/// * `with_lock(f)` locks, returns f(T&)'s result, unlocks. Panics, without
///   calling f, if the mutex is poisoned. f must not return a borrow (a
///   reference, pointer, reference_wrapper, string_view, span, Slice, or an
///   optional/pair/tuple/variant/expected/vector/array of one): it would
///   outlive the lock, and that overload is deleted with a message saying so.
/// * `is_poisoned()` / `clear_poison()`: read / reset the poison bit (a
///   snapshot when other threads may lock concurrently).
/// * `get_mut()` and `std::move(m).into_inner()` access the value without
///   locking: they need exclusive access (no other thread using the mutex, no
///   guard alive). A guard alive at the call is detected: it panics. Both
///   report poisoning as a PoisonError carrying the pointer / the value.
/// * Destroying a Mutex while a guard of it is alive is invalid (the guard
///   would dangle), as for std::mutex.
template <class T>
class Mutex {
  static_assert(detail::ObjectValue<T>, "ferrite::Mutex<T>: T must be a non-array object type");

 public:
  /// The protected type.
  using value_type = T;

  Mutex() noexcept(std::is_nothrow_default_constructible_v<T>)
    requires std::default_initializable<T>
      : value_() {}

  /// An unlocked mutex whose value is constructed from `args`.
  template <class... Args>
    requires(sizeof...(Args) > 0 && std::constructible_from<T, Args...>)
  explicit Mutex(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>)
      : value_(std::forward<Args>(args)...) {}

  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  /// Blocks until the lock is held; the guard, inside a PoisonError if poisoned.
  /// Panics if this thread already holds the lock (it would wait forever).
  //
  // Not analysed: the lock's ownership moves into the returned guard, which
  // the thread-safety analysis cannot follow. The guard asserts it on use.
  // `site` is the caller's (for the deadlock detector's reports).
  [[nodiscard]] LockResult<MutexGuard<T>> lock(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    detail::lock_order_before_acquire(order_, this, kTypeName, site);
    if (!raw_.lock_unless_held_by_caller()) [[unlikely]] {
      detail::relock_refused("ferrite::Mutex::lock", this);
    }
    detail::lock_order_acquired(order_, this, kTypeName, site);
    return with_poison(MutexGuard<T>(*this));
  }

  /// The guard if the lock was free; else WouldBlock. Poisoned carries the guard.
  //
  // Not analysed, for the same reason as lock().
  [[nodiscard]] TryLockResult<MutexGuard<T>> try_lock(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    using Guard = MutexGuard<T>;
    if (!raw_.try_lock()) return TryLockResult<Guard>(std::unexpect);
    detail::lock_order_acquired(order_, this, kTypeName, site);
    if (poison_.get()) {
      return TryLockResult<Guard>(std::unexpect, PoisonError<Guard>(Guard(*this)));
    }
    return TryLockResult<Guard>(std::in_place, Guard(*this));
  }

  /// f(value) under the lock; panics (without calling f) if poisoned.
  template <class F>
    requires std::invocable<F, T&> && detail::Owned<std::invoke_result_t<F, T&>>
  std::invoke_result_t<F, T&> with_lock(
      F&& f, std::source_location site = std::source_location::current()) const {
    LockResult<MutexGuard<T>> guard = lock(site);
    if (!guard) detail::with_lock_poisoned();
    return std::invoke(std::forward<F>(f), **guard);
  }

  /// A result that borrows (detail/owned.h) would outlive the lock.
  template <class F>
    requires std::invocable<F, T&> && (!detail::Owned<std::invoke_result_t<F, T&>>)
  void with_lock(F&& f) const = FERRITE_DELETE(
      "ferrite::Mutex::with_lock: f returns a borrow (a reference, pointer, "
      "std::reference_wrapper, string_view, span or Slice), which would outlive the lock; "
      "return an owned value (a copy), or name the guard: `auto guard = m.lock();`");

  /// True if a guard was destroyed by a panic (a snapshot while others may lock).
  bool is_poisoned() const noexcept { return poison_.get(); }
  /// Clears the poison bit: the caller vouches for the value's invariant again.
  void clear_poison() const noexcept { poison_.clear(); }

  /// A pointer to the value, with exclusive access (see the class contract).
  LockResult<T*> get_mut() {
    detail::ExclusiveAccess access(raw_, "ferrite::Mutex::get_mut");
    T* value = &value_;
    if (poison_.get()) return LockResult<T*>(std::unexpect, value);
    return LockResult<T*>(std::in_place, value);
  }

  /// Moves the value out (the Mutex keeps a moved-from T), with exclusive access.
  LockResult<T> into_inner() &&
    requires std::move_constructible<T>
  {
    detail::ExclusiveAccess access(raw_, "ferrite::Mutex::into_inner");
    if (poison_.get()) return LockResult<T>(std::unexpect, std::move(value_));
    return LockResult<T>(std::in_place, std::move(value_));
  }

 private:
  friend class MutexGuard<T>;
  friend class Condvar;

  // Wraps a freshly acquired guard: plain, or inside a PoisonError.
  LockResult<MutexGuard<T>> with_poison(MutexGuard<T> guard) const {
    if (poison_.get()) {
      return LockResult<MutexGuard<T>>(std::unexpect, std::move(guard));
    }
    return LockResult<MutexGuard<T>>(std::in_place, std::move(guard));
  }

  static constexpr const char* kTypeName = "ferrite::Mutex";

  mutable detail::RawMutex raw_;
  mutable detail::PoisonFlag poison_;
  mutable T value_ FERRITE_GUARDED_BY(raw_);
  // The lock's node in the deadlock detector's graph (checked builds only).
  [[no_unique_address]] mutable detail::LockOrderSlot order_;
};

/// `Mutex m(5);` is a Mutex<int>.
template <class T>
Mutex(T) -> Mutex<T>;

/// Holds a Mutex<T>'s lock; gives access to the T. Obtained from lock() /
/// try_lock(); unlocks when destroyed.
///
/// Contract:
/// * Movable (the moved-from guard holds nothing), not copyable. Assigning to
///   a guard first releases what it held.
/// * `*g` / `g->` reach the value: `T&` through a non-const guard, `const T&`
///   through a const one. Dereferencing a moved-from guard panics. Both are
///   deleted on a temporary guard (`**m.lock()`, `(*m.lock())->`): name it.
/// * Destroyed by a panic that started while it was alive, it poisons the
///   mutex before unlocking (ferrite/poison.h).
/// * Must be destroyed on the thread that created it, before its Mutex
///   (not Send; see the file comment).
template <class T>
class [[nodiscard]] MutexGuard {
 public:
  /// Takes over `other`'s lock; `other` holds nothing (dereferencing it panics).
  MutexGuard(MutexGuard&& other) noexcept
      : mutex_(std::exchange(other.mutex_, nullptr)), panic_count_(other.panic_count_) {}

  /// Releases what this guard held, then takes over `other`'s lock.
  MutexGuard& operator=(MutexGuard&& other) noexcept {
    if (this != &other) {
      release();
      mutex_ = std::exchange(other.mutex_, nullptr);
      panic_count_ = other.panic_count_;
    }
    return *this;
  }

  MutexGuard(const MutexGuard&) = delete;
  MutexGuard& operator=(const MutexGuard&) = delete;

  ~MutexGuard() { release(); }

  ///@{
  /// Only through a named guard: the reference or pointer is valid while the
  /// guard lives, and a temporary guard unlocks at the end of the statement.
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() & { return &value(); }
  const T* operator->() const& { return &value(); }
  T& operator*() && = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::MutexGuard"));
  const T& operator*() const&& = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::MutexGuard"));
  T* operator->() && = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::MutexGuard"));
  const T* operator->() const&& = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::MutexGuard"));
  ///@}

 private:
  friend class Mutex<T>;
  friend class Condvar;

  // Adopts the lock, which the caller (Mutex) has just acquired.
  explicit MutexGuard(const Mutex<T>& mutex) noexcept : mutex_(&mutex) {}

  const Mutex<T>& mutex(const char* what) const {
    if (mutex_ == nullptr) [[unlikely]] detail::moved_from_guard(what);
    return *mutex_;
  }

  // Not analysed: returns a reference into the guarded value, bounded by this
  // guard's lifetime, which the analysis cannot express. The rest of the
  // library reaches the value only through this function or under the lock.
  T& value() const FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    const Mutex<T>& owner = mutex("ferrite::MutexGuard: dereference");
    owner.raw_.assert_held();  // This guard holds it (checked in debug builds).
    return owner.value_;
  }

  void release() noexcept {
    if (mutex_ == nullptr) return;
    mutex_->raw_.assert_held();  // This guard holds it.
    if (panic_count_.panicked_since()) mutex_->poison_.set();
    detail::lock_order_released(mutex_);
    mutex_->raw_.unlock();
    mutex_ = nullptr;
  }

  const Mutex<T>* mutex_;
  detail::PanicCount panic_count_;
};

}  // namespace ferrite

#if defined(__clang__)
#pragma clang diagnostic pop
#endif
