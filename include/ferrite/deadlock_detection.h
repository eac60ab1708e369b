// ferrite/deadlock_detection.h — what checked builds do when a lock could
// deadlock.
//
// In checked builds (FERRITE_CHECKED_BORROWS: any build without NDEBUG,
// tests and sanitizer builds) ferrite watches its locks for two kinds of
// deadlock that need no unlucky timing to be seen (absl::Mutex's debug mode
// has the first; clippy's `await_holding_lock` is the nearest to the second):
//
// * Lock order. Every blocking acquisition of a Mutex, an RwLock (read or
//   write) and the mutex a Condvar re-acquires records "held -> acquired" in
//   one process-wide graph. The first acquisition that closes a cycle (this
//   thread takes B while holding A, some thread once took A while holding B)
//   is a potential deadlock even if the program never hung: the report names
//   every lock of the cycle, the site of each acquisition and the thread that
//   made it. try_lock()/try_read()/try_write() add no edge (they cannot
//   block), though the lock they take counts as held.
// * Blocking while holding a lock. A blocking recv(), a send() on a full
//   bounded channel, Select::select(), join(), Barrier::wait() or a
//   Condvar::wait() on another mutex, called while this thread holds a
//   ferrite lock, is reported with the held locks' acquisition sites. Waits
//   with a timeout are not reported: they end by themselves.
//
// Relocking a lock the thread already holds panics in every build.
//
//   ferrite::set_deadlock_detection(ferrite::DeadlockDetection::kReport);
//
// Release builds (NDEBUG) compile the detector out: the locks cost what they
// cost without it, and the setting has no effect.
#pragma once

namespace ferrite {

/// What a checked build does on a potential deadlock (absl's OnDeadlockCycle).
enum class DeadlockDetection : unsigned char {
  kIgnore,  ///< nothing is recorded or reported
  kReport,  ///< the report goes to stderr; the program carries on
  kPanic,   ///< the report is a ferrite::Panic thrown by the acquiring thread
            ///< before it waits (the default)
};

/// Sets the process-wide setting; takes effect for the acquisitions that
/// follow. Locks a thread acquired while detection was kIgnore are unknown to
/// the detector until released. Thread-safe. No effect in release builds.
void set_deadlock_detection(DeadlockDetection mode) noexcept;  // lib/lock_order.cc
/// The process-wide setting (kPanic unless set_deadlock_detection() changed it).
DeadlockDetection deadlock_detection() noexcept;  // lib/lock_order.cc

/// While alive, blocking operations of this thread are not reported as
/// blocking while holding a lock (lock order is still checked). For the rare
/// lock that exists to serialize a blocking call, e.g. the Rust book's pool,
/// whose workers share one receiver behind a mutex and wait in recv() under it.
///
/// ```
/// ferrite::BlockingUnderLockAllowed allowed;  // this lock is for the recv()
/// auto job = (*guard)->recv();
/// ```
class BlockingUnderLockAllowed {
 public:
  /// Starts allowing this thread's blocking operations under a lock.
  BlockingUnderLockAllowed() noexcept;  // lib/lock_order.cc
  /// Ends it (nested allowances end with the outermost).
  ~BlockingUnderLockAllowed() noexcept;  // lib/lock_order.cc
  BlockingUnderLockAllowed(const BlockingUnderLockAllowed&) = delete;
  BlockingUnderLockAllowed& operator=(const BlockingUnderLockAllowed&) = delete;
};

}  // namespace ferrite
