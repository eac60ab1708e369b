// ferrite/detail/lock_holder.h — internal: which thread holds a lock
// exclusively, so that a thread locking a lock it already holds panics
// instead of deadlocking (Rust: "might panic or deadlock"; ferrite panics).
// Not part of the public API; RwLock (write mode) uses it, Mutex the thread word.
#pragma once

#include <atomic>
#include <cstdint>

#if !defined(__clang__) && !defined(__GNUC__)
#include <pthread.h>
#endif

namespace ferrite::detail {

// The calling thread's identity as a number: its thread pointer (one
// instruction on x86-64 and AArch64), unique among live threads and never 0.
inline std::uintptr_t current_thread_word() noexcept {
#if defined(__clang__) || defined(__GNUC__)
  // SAFETY(lock-holder-thread-pointer): the pointer is only turned into a
  // number and compared, never dereferenced or turned back into a pointer.
  return reinterpret_cast<std::uintptr_t>(__builtin_thread_pointer());
#else
  return static_cast<std::uintptr_t>(pthread_self());
#endif
}

// Set by the thread that takes the lock exclusively, cleared by it before it
// releases the lock. Only the holder writes a value that names itself, so a
// thread reading its own word here holds the lock; any other reading is
// another thread's word or 0. The check therefore needs no ordering.
class LockHolder {
 public:
  void set() noexcept {
    // ORDERING(lock-holder-set): relaxed; read back by this thread only to
    // recognize itself (see the class comment), so it pairs with nothing.
    word_.store(current_thread_word(), std::memory_order_relaxed);
  }
  void clear() noexcept {
    // ORDERING(lock-holder-clear): relaxed; as set(): a later reader that is
    // not this thread sees 0 or another thread's word, never its own.
    word_.store(0, std::memory_order_relaxed);
  }
  bool is_caller() const noexcept {
    // ORDERING(lock-holder-check): relaxed; this thread's own stores are
    // visible to it in program order, which is all the check needs.
    return word_.load(std::memory_order_relaxed) == current_thread_word();
  }

 private:
  std::atomic<std::uintptr_t> word_{0};
};

// Panics: "<what>: this thread already holds the lock ...". lib/mutex.cc.
[[noreturn, gnu::cold]] void relock_refused(const char* what, const void* lock);
// Panics: "<what>: this thread holds a read lock on ...": the write lock
// waits for every reader, the caller included. lib/mutex.cc.
[[noreturn, gnu::cold]] void upgrade_refused(const char* what, const void* lock);

}  // namespace ferrite::detail
