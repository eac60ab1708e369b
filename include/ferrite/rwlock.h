// ferrite/rwlock.h — RwLock<T>: many readers or one writer, owning its data.
//
// Rust's std::sync::RwLock for C++. Like Mutex<T>, the value lives inside
// the lock and is reachable only through guards: RwLockReadGuard<T> gives
// `const T&` (any number at once), RwLockWriteGuard<T> gives `T&` (alone).
//
//   const ferrite::RwLock<std::vector<int>> table(std::vector<int>{1, 2, 3});
//   {
//     auto reader = table.read();              // LockResult<RwLockReadGuard<...>>
//     std::size_t n = (*reader)->size();       // const access only
//   }
//   if (auto writer = table.write()) (*writer)->push_back(4);
//
// As with Mutex, `*` and `->` work on named guards only: `**table.read()`
// does not compile (the temporary guard would unlock at the end of the
// statement, leaving the reference dangling).
//
// Poisoning: only a panicking *writer* poisons (a reader cannot have broken
// the invariant). A poisoned RwLock still hands out guards, inside a
// PoisonError (ferrite/poison.h); `*`, `->` and value() on that LockResult
// panic (Rust's `unwrap()`).
//
// Fairness (Rust's futex RwLock): writers are preferred. A reader does not
// enter while a writer waits, so a steady stream of readers cannot starve a
// writer.
//
// Relocking, in every build: a thread that already holds the lock
//   - for writing, and calls write() or read(): panics (it would wait for
//     itself forever);
//   - for reading, and calls write(): panics (the write lock waits for every
//     reader, this one included; there is no upgrade: drop the read guard);
//   - for reading, and calls read(): gets a second read guard at once, even
//     while a writer waits (a recursive read; Rust's RwLock may deadlock
//     here, std::shared_mutex makes it undefined). The writer then waits for
//     both guards. try_read() is unchanged: WouldBlock while a writer waits.
// Each thread records the read locks it holds (the first 16 at a time; a
// 17th held at once is counted but not recorded, and the checks above miss
// it). Checked builds add where the held guard was taken to the panic.
// Checked builds record read and write acquisitions alike in the
// deadlock detector's lock order (a reader waits behind a waiting writer, so
// a cycle through read locks can deadlock too); `site`, defaulted to the
// caller's, is where its reports say the lock was taken
// (ferrite/deadlock_detection.h).
//
// Send/Sync (ferrite/marker.h):
//   RwLock<T>            Send if T is Send; Sync if T is Send and Sync
//                        (readers on many threads share `const T&`).
//   RwLockReadGuard<T>   not Send; Sync if T is Sync.
//   RwLockWriteGuard<T>  not Send; Sync if T is Sync (`const` guard: `const T&`).
#pragma once

#include <array>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <source_location>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"
#include "ferrite/detail/futex.h"
#include "ferrite/detail/lock_holder.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/poison.h"
#include "ferrite/detail/thread_annotations.h"

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif

namespace ferrite {

namespace detail {

// The read locks of RwLocks (their RawRwLock) that the calling thread holds,
// one entry per acquisition, the latest last: a write() or a blocking read()
// looks here, on its slow path only, for the caller's own read lock.
// Acquisitions beyond kTracked at once are only counted. lib/rwlock.cc.
struct HeldReadLocks {
  static constexpr std::size_t kTracked = 16;
  std::array<const void*, kTracked> locks{};
  std::size_t count = 0;      // entries in locks
  std::size_t untracked = 0;  // read locks held beyond them
};
// Constant-initialized and trivially destructible: no guard on access.
extern constinit thread_local HeldReadLocks held_read_locks;

// The lock words of RwLock<T> (Rust's futex RwLock, lib/rwlock.cc).
//
// state_: bits 0..29 count readers (kWriteLocked = all ones: a writer holds
// it); bit 30: readers sleep on state_; bit 31: writers sleep on
// writer_notify_, a counter bumped on every writer wake-up.
class FERRITE_CAPABILITY("rwlock") RawRwLock {
 public:
  constexpr RawRwLock() noexcept = default;
  RawRwLock(const RawRwLock&) = delete;
  RawRwLock& operator=(const RawRwLock&) = delete;

  // False, with nothing taken, when the calling thread holds the write lock
  // (waiting would wait for itself forever). The check runs only when the
  // fast path fails. A thread that already reads reads again at once, even
  // while a writer waits (lock_shared_contended()).
  bool lock_shared_unless_writer_is_caller() noexcept FERRITE_TRY_ACQUIRE_SHARED(true) {
    // ORDERING(rwlock-read-peek): relaxed; the compare-exchange below
    // re-validates the value it read.
    std::uint32_t seen = state_.load(std::memory_order_relaxed);
    // ORDERING(rwlock-read-fast): acquire pairs with the release fetch_sub in
    // unlock() (the last writer's critical section happens before ours).
    if (!is_read_lockable(seen) ||
        !state_.compare_exchange_weak(seen, seen + kReadLocked, std::memory_order_acquire,
                                      std::memory_order_relaxed)) [[unlikely]] {
      if (writer_.is_caller()) return false;
      lock_shared_contended();
    }
    note_read_held();
    return true;
  }

  bool try_lock_shared() noexcept FERRITE_TRY_ACQUIRE_SHARED(true) {
    // ORDERING(rwlock-try-read-peek): relaxed; re-validated by the
    // compare-exchange below.
    std::uint32_t seen = state_.load(std::memory_order_relaxed);
    while (is_read_lockable(seen)) {
      // ORDERING(rwlock-try-read): acquire pairs with the release fetch_sub
      // in unlock(), as in lock_shared().
      if (state_.compare_exchange_weak(seen, seen + kReadLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        note_read_held();
        return true;
      }
    }
    return false;
  }

  void unlock_shared() noexcept FERRITE_RELEASE_SHARED() {
    note_read_released();
    // ORDERING(rwlock-read-unlock): release pairs with a writer's acquire in
    // lock()/try_lock(): our reads happen before its writes.
    const std::uint32_t now =
        state_.fetch_sub(kReadLocked, std::memory_order_release) - kReadLocked;
    // The last reader out wakes a waiting writer (readers only wait behind writers).
    if (is_unlocked(now) && has_writers_waiting(now)) [[unlikely]] wake_writer_or_readers(now);
  }

  // The write lock; false, with nothing taken, when the calling thread
  // already holds it, for writing or for reading (the checks run only when
  // the fast path fails; write_held_by_caller() tells which).
  bool lock_unless_held_by_caller() noexcept FERRITE_TRY_ACQUIRE(true) {
    std::uint32_t unlocked = 0;
    // ORDERING(rwlock-write-fast): acquire pairs with the release fetch_sub in
    // unlock()/unlock_shared(): every earlier critical section happens before.
    if (!state_.compare_exchange_weak(unlocked, kWriteLocked, std::memory_order_acquire,
                                      std::memory_order_relaxed)) [[unlikely]] {
      if (writer_.is_caller() || read_held_by_caller()) return false;
      lock_contended();
    }
    writer_.set();
    return true;
  }

  bool try_lock() noexcept FERRITE_TRY_ACQUIRE(true) {
    // ORDERING(rwlock-try-write-peek): relaxed; re-validated below.
    std::uint32_t seen = state_.load(std::memory_order_relaxed);
    while (is_unlocked(seen)) {
      // ORDERING(rwlock-try-write): acquire pairs with the release fetch_sub
      // in unlock()/unlock_shared(), as in lock(). Waiting bits are kept.
      if (state_.compare_exchange_weak(seen, seen + kWriteLocked, std::memory_order_acquire,
                                       std::memory_order_relaxed)) {
        writer_.set();
        return true;
      }
    }
    return false;
  }

  void unlock() noexcept FERRITE_RELEASE() {
    writer_.clear();
    // ORDERING(rwlock-write-unlock): release pairs with the acquire of the
    // next lock()/lock_shared(), publishing this writer's critical section.
    const std::uint32_t now =
        state_.fetch_sub(kWriteLocked, std::memory_order_release) - kWriteLocked;
    if (has_readers_waiting(now) || has_writers_waiting(now)) [[unlikely]] {
      wake_writer_or_readers(now);
    }
  }

  // Whether the calling thread holds the write lock.
  bool write_held_by_caller() const noexcept { return writer_.is_caller(); }

  // For the analysis: the caller holds the lock (a guard does). Debug builds
  // check that someone holds it in the right mode.
  void assert_held() const noexcept FERRITE_ASSERT_CAPABILITY(this) {
    FERRITE_DEBUG_ASSERT(is_write_locked(snapshot()));
  }
  void assert_held_shared() const noexcept FERRITE_ASSERT_SHARED_CAPABILITY(this) {
    FERRITE_DEBUG_ASSERT(!is_unlocked(snapshot()));
  }

 private:
  static constexpr std::uint32_t kReadLocked = 1;
  static constexpr std::uint32_t kMask = (std::uint32_t{1} << 30) - 1;
  static constexpr std::uint32_t kWriteLocked = kMask;
  static constexpr std::uint32_t kMaxReaders = kMask - 1;
  static constexpr std::uint32_t kReadersWaiting = std::uint32_t{1} << 30;
  static constexpr std::uint32_t kWritersWaiting = std::uint32_t{1} << 31;

  static constexpr bool is_unlocked(std::uint32_t s) { return (s & kMask) == 0; }
  static constexpr bool is_write_locked(std::uint32_t s) { return (s & kMask) == kWriteLocked; }
  static constexpr bool has_readers_waiting(std::uint32_t s) { return (s & kReadersWaiting) != 0; }
  static constexpr bool has_writers_waiting(std::uint32_t s) { return (s & kWritersWaiting) != 0; }
  // Readers may enter unless a writer holds or awaits the lock, readers are
  // already queued (a wake-up is in progress), or the count would overflow.
  static constexpr bool is_read_lockable(std::uint32_t s) {
    return (s & kMask) < kMaxReaders && !has_readers_waiting(s) && !has_writers_waiting(s);
  }

  std::uint32_t snapshot() const noexcept {
    // ORDERING(rwlock-snapshot): relaxed; a debug-check snapshot only.
    return state_.load(std::memory_order_relaxed);
  }

  // This thread's record of its read locks (HeldReadLocks). The common case,
  // one read lock at a time released in order, stays inline.
  void note_read_held() noexcept {
    HeldReadLocks& held = held_read_locks;
    if (held.count < held.locks.size()) [[likely]] {
      held.locks[held.count] = this;
      ++held.count;
    } else {
      ++held.untracked;
    }
  }
  void note_read_released() noexcept {
    HeldReadLocks& held = held_read_locks;
    if (held.count != 0 && held.locks[held.count - 1] == this) [[likely]] {
      --held.count;
    } else {
      forget_read_held();
    }
  }

  // lib/rwlock.cc
  void forget_read_held() noexcept;
  bool read_held_by_caller() const noexcept;
  void lock_shared_again() noexcept;
  void lock_shared_contended() noexcept;
  void lock_contended() noexcept;
  void wake_writer_or_readers(std::uint32_t state) noexcept;
  bool wake_writer() noexcept;
  std::uint32_t spin_read() const noexcept;
  std::uint32_t spin_write() const noexcept;

  std::atomic<std::uint32_t> state_{0};
  std::atomic<std::uint32_t> writer_notify_{0};
  LockHolder writer_;  // the thread holding the write lock, for the relock check
};

}  // namespace detail

template <class T>
class RwLockReadGuard;
template <class T>
class RwLockWriteGuard;

/// A reader-writer lock that owns a T.
///
/// Contract:
/// * `RwLock<T>(args...)` constructs the T; not copyable or movable.
/// * `read()` blocks until no writer holds or awaits the lock, then returns a
///   read guard (inside a PoisonError if poisoned). `write()` blocks until no
///   one holds it. On a thread that holds a guard of it, `write()` panics,
///   and so does `read()` under a write guard; `read()` under a read guard
///   returns another read guard at once (see the file comment).
/// * `try_read()` / `try_write()` never block: the guard, or TryLockError
///   WouldBlock / Poisoned (acquired; guard inside). try_read also reports
///   WouldBlock while a writer waits.
/// * `is_poisoned()` / `clear_poison()`: read / reset the poison bit.
/// * `get_mut()` / `std::move(l).into_inner()`: no locking, exclusive access
///   (no other thread using it, no guard alive); a guard alive at the call
///   panics. Poisoning is reported as a PoisonError with the pointer/value.
/// * Destroying it while a guard is alive is invalid.
template <class T>
class RwLock {
  static_assert(detail::ObjectValue<T>, "ferrite::RwLock<T>: T must be a non-array object type");

 public:
  /// The protected type.
  using value_type = T;

  RwLock() noexcept(std::is_nothrow_default_constructible_v<T>)
    requires std::default_initializable<T>
      : value_() {}

  /// An unlocked RwLock whose value is constructed from `args`.
  template <class... Args>
    requires(sizeof...(Args) > 0 && std::constructible_from<T, Args...>)
  explicit RwLock(Args&&... args) noexcept(std::is_nothrow_constructible_v<T, Args...>)
      : value_(std::forward<Args>(args)...) {}

  RwLock(const RwLock&) = delete;
  RwLock& operator=(const RwLock&) = delete;

  // Not analysed: the lock moves into the returned guard (see Mutex::lock).
  /// Blocks until no writer holds or awaits the lock; the read guard, inside a
  /// PoisonError if poisoned. Panics if this thread holds the write lock; if
  /// it holds a read lock, returns at once, even while a writer waits.
  [[nodiscard]] LockResult<RwLockReadGuard<T>> read(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    detail::lock_order_before_acquire(order_, this, kTypeName, site);
    if (!raw_.lock_shared_unless_writer_is_caller()) [[unlikely]] {
      detail::relock_refused("ferrite::RwLock::read", this);
    }
    detail::lock_order_acquired(order_, this, kTypeName, site);
    return with_poison(RwLockReadGuard<T>(*this));
  }

  // Not analysed: as read().
  /// Blocks until no one holds the lock; the write guard, inside a PoisonError
  /// if poisoned. Panics if this thread holds the lock, for writing or for
  /// reading (a read lock cannot be upgraded: drop the read guard first).
  [[nodiscard]] LockResult<RwLockWriteGuard<T>> write(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    detail::lock_order_before_acquire(order_, this, kTypeName, site);
    if (!raw_.lock_unless_held_by_caller()) [[unlikely]] {
      if (raw_.write_held_by_caller()) detail::relock_refused("ferrite::RwLock::write", this);
      detail::upgrade_refused("ferrite::RwLock::write", this);
    }
    detail::lock_order_acquired(order_, this, kTypeName, site);
    return with_poison(RwLockWriteGuard<T>(*this));
  }

  // Not analysed: as read().
  /// The read guard if no writer holds or awaits the lock; else WouldBlock.
  /// Never blocks.
  [[nodiscard]] TryLockResult<RwLockReadGuard<T>> try_read(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    if (!raw_.try_lock_shared()) return TryLockResult<RwLockReadGuard<T>>(std::unexpect);
    detail::lock_order_acquired(order_, this, kTypeName, site);
    return with_try_poison(RwLockReadGuard<T>(*this));
  }

  // Not analysed: as read().
  /// The write guard if the lock was free; else WouldBlock. Never blocks.
  [[nodiscard]] TryLockResult<RwLockWriteGuard<T>> try_write(
      std::source_location site = std::source_location::current()) const
      FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    if (!raw_.try_lock()) return TryLockResult<RwLockWriteGuard<T>>(std::unexpect);
    detail::lock_order_acquired(order_, this, kTypeName, site);
    return with_try_poison(RwLockWriteGuard<T>(*this));
  }

  /// True if a write guard was destroyed by a panic (a snapshot).
  bool is_poisoned() const noexcept { return poison_.get(); }
  /// Clears the poison bit: the caller vouches for the value's invariant again.
  void clear_poison() const noexcept { poison_.clear(); }

  /// A pointer to the value, with exclusive access (no other thread using the
  /// lock, no guard alive; a live guard panics). Poisoning is reported as a
  /// PoisonError carrying the pointer.
  LockResult<T*> get_mut() {
    ExclusiveAccess access(raw_, "ferrite::RwLock::get_mut");
    T* value = &value_;
    if (poison_.get()) return LockResult<T*>(std::unexpect, value);
    return LockResult<T*>(std::in_place, value);
  }

  /// Moves the value out (the RwLock keeps a moved-from T), with exclusive
  /// access as get_mut(). Poisoning is reported as a PoisonError carrying the value.
  LockResult<T> into_inner() &&
    requires std::move_constructible<T>
  {
    ExclusiveAccess access(raw_, "ferrite::RwLock::into_inner");
    if (poison_.get()) return LockResult<T>(std::unexpect, std::move(value_));
    return LockResult<T>(std::in_place, std::move(value_));
  }

 private:
  friend class RwLockReadGuard<T>;
  friend class RwLockWriteGuard<T>;

  // Write-locks a lock the caller must own exclusively, or panics.
  class FERRITE_SCOPED_CAPABILITY ExclusiveAccess {
   public:
    ExclusiveAccess(detail::RawRwLock& lock, const char* what) FERRITE_ACQUIRE(lock)
        : lock_(lock) {
      if (!lock_.try_lock()) detail::exclusive_access_violated(what);
    }
    ~ExclusiveAccess() FERRITE_RELEASE() { lock_.unlock(); }
    ExclusiveAccess(const ExclusiveAccess&) = delete;
    ExclusiveAccess& operator=(const ExclusiveAccess&) = delete;

   private:
    detail::RawRwLock& lock_;
  };

  template <class Guard>
  LockResult<Guard> with_poison(Guard guard) const {
    if (poison_.get()) return LockResult<Guard>(std::unexpect, std::move(guard));
    return LockResult<Guard>(std::in_place, std::move(guard));
  }

  template <class Guard>
  TryLockResult<Guard> with_try_poison(Guard guard) const {
    if (poison_.get()) {
      return TryLockResult<Guard>(std::unexpect, PoisonError<Guard>(std::move(guard)));
    }
    return TryLockResult<Guard>(std::in_place, std::move(guard));
  }

  static constexpr const char* kTypeName = "ferrite::RwLock";

  mutable detail::RawRwLock raw_;
  mutable detail::PoisonFlag poison_;
  mutable T value_ FERRITE_GUARDED_BY(raw_);
  // The lock's node in the deadlock detector's graph (checked builds only).
  [[no_unique_address]] mutable detail::LockOrderSlot order_;
};

/// `RwLock l(5);` is an RwLock<int>.
template <class T>
RwLock(T) -> RwLock<T>;

/// Shared access to an RwLock<T>'s value; released when destroyed.
///
/// Contract: movable (the moved-from guard holds nothing), not copyable;
/// `*g` / `g->` give `const T&` (dereferencing a moved-from guard panics;
/// on a temporary guard they are deleted); never poisons; destroyed on the
/// creating thread, before its RwLock.
template <class T>
class [[nodiscard]] RwLockReadGuard {
 public:
  /// Takes over `other`'s shared lock; `other` holds nothing.
  RwLockReadGuard(RwLockReadGuard&& other) noexcept : lock_(std::exchange(other.lock_, nullptr)) {}
  /// Releases what this guard held, then takes over `other`'s lock.
  RwLockReadGuard& operator=(RwLockReadGuard&& other) noexcept {
    if (this != &other) {
      release();
      lock_ = std::exchange(other.lock_, nullptr);
    }
    return *this;
  }
  RwLockReadGuard(const RwLockReadGuard&) = delete;
  RwLockReadGuard& operator=(const RwLockReadGuard&) = delete;
  ~RwLockReadGuard() { release(); }

  ///@{
  /// Only through a named guard (see MutexGuard).
  const T& operator*() const& { return value(); }
  const T* operator->() const& { return &value(); }
  const T& operator*() const&& = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockReadGuard"));
  const T* operator->() const&& =
      FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockReadGuard"));
  ///@}

 private:
  friend class RwLock<T>;
  explicit RwLockReadGuard(const RwLock<T>& lock) noexcept : lock_(&lock) {}

  // Not analysed: a reference bounded by the guard's lifetime (see MutexGuard).
  const T& value() const FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    if (lock_ == nullptr) [[unlikely]] {
      detail::moved_from_guard("ferrite::RwLockReadGuard: dereference");
    }
    lock_->raw_.assert_held_shared();
    return lock_->value_;
  }

  void release() noexcept {
    if (lock_ == nullptr) return;
    lock_->raw_.assert_held_shared();  // This guard holds it.
    detail::lock_order_released(lock_);
    lock_->raw_.unlock_shared();
    lock_ = nullptr;
  }

  const RwLock<T>* lock_;
};

/// Exclusive access to an RwLock<T>'s value; released when destroyed.
///
/// Contract: as MutexGuard — movable, `T&` through a non-const guard and
/// `const T&` through a const one, none through a temporary guard, a
/// moved-from guard panics on use, and destroyed by a panic that started
/// while it was alive it poisons the lock.
template <class T>
class [[nodiscard]] RwLockWriteGuard {
 public:
  /// Takes over `other`'s exclusive lock; `other` holds nothing.
  RwLockWriteGuard(RwLockWriteGuard&& other) noexcept
      : lock_(std::exchange(other.lock_, nullptr)), panic_count_(other.panic_count_) {}
  /// Releases what this guard held, then takes over `other`'s lock.
  RwLockWriteGuard& operator=(RwLockWriteGuard&& other) noexcept {
    if (this != &other) {
      release();
      lock_ = std::exchange(other.lock_, nullptr);
      panic_count_ = other.panic_count_;
    }
    return *this;
  }
  RwLockWriteGuard(const RwLockWriteGuard&) = delete;
  RwLockWriteGuard& operator=(const RwLockWriteGuard&) = delete;
  ~RwLockWriteGuard() { release(); }

  ///@{
  /// Only through a named guard (see MutexGuard).
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() & { return &value(); }
  const T* operator->() const& { return &value(); }
  T& operator*() && = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockWriteGuard"));
  const T& operator*() const&& =
      FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockWriteGuard"));
  T* operator->() && = FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockWriteGuard"));
  const T* operator->() const&& =
      FERRITE_DELETE(FERRITE_DETAIL_TEMPORARY_GUARD("ferrite::RwLockWriteGuard"));
  ///@}

 private:
  friend class RwLock<T>;
  explicit RwLockWriteGuard(const RwLock<T>& lock) noexcept : lock_(&lock) {}

  // Not analysed: a reference bounded by the guard's lifetime (see MutexGuard).
  T& value() const FERRITE_NO_THREAD_SAFETY_ANALYSIS {
    if (lock_ == nullptr) [[unlikely]] {
      detail::moved_from_guard("ferrite::RwLockWriteGuard: dereference");
    }
    lock_->raw_.assert_held();
    return lock_->value_;
  }

  void release() noexcept {
    if (lock_ == nullptr) return;
    lock_->raw_.assert_held();  // This guard holds it.
    if (panic_count_.panicked_since()) lock_->poison_.set();
    detail::lock_order_released(lock_);
    lock_->raw_.unlock();
    lock_ = nullptr;
  }

  const RwLock<T>* lock_;
  detail::PanicCount panic_count_;
};

}  // namespace ferrite

#if defined(__clang__)
#pragma clang diagnostic pop
#endif
