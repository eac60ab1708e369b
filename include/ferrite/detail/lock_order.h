// ferrite/detail/lock_order.h — internal: the hooks of the deadlock detector
// (ferrite/deadlock_detection.h) that the locks and the blocking operations
// call. Not part of the public API.
//
// In checked builds each lock carries a LockOrderNode (its identity in the
// lock-order graph) and calls, around a blocking acquisition:
//
//   lock_order_before_acquire(node, lock, "ferrite::Mutex", site);  // may report
//   ...take the lock...
//   lock_order_acquired(node, lock, "ferrite::Mutex", site);        // pushes it
//   ...
//   lock_order_released(lock);                                      // pops it
//
// In release builds the node is an empty member and every hook is empty.
// When the setting is kIgnore each hook is one relaxed load and a branch;
// otherwise the work is in lib/lock_order.cc: a per-thread stack of held
// locks, and a per-thread cache of the edges already in the graph, so that
// the graph's own lock is taken only for an edge this thread has not seen.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <source_location>
#include <type_traits>

#include "ferrite/deadlock_detection.h"
#include "ferrite/panic.h"

// 1 when the detector is compiled in: the checked builds, unless overridden.
#ifndef FERRITE_LOCK_ORDER_CHECKS
#define FERRITE_LOCK_ORDER_CHECKS FERRITE_CHECKED_BORROWS
#endif

namespace ferrite::detail {

inline constexpr bool kLockOrderChecks = FERRITE_LOCK_ORDER_CHECKS;

// The setting of set_deadlock_detection(). lib/lock_order.cc.
extern std::atomic<DeadlockDetection> deadlock_detection_setting;

// A lock's identity in the graph: a number never reused (so a lock created
// at a destroyed lock's address is a new node), given at its first tracked
// acquisition. The node leaves the graph when the lock is destroyed.
class LockOrderNode {
 public:
  constexpr LockOrderNode() noexcept = default;
  LockOrderNode(const LockOrderNode&) = delete;
  LockOrderNode& operator=(const LockOrderNode&) = delete;
  ~LockOrderNode() {
    // ORDERING(lock-order-forget): acquire pairs with the release store in
    // lib/lock_order.cc (lock-order-in-graph); the lock is being destroyed,
    // so its users are done with it and that store happened before.
    if (in_graph_.load(std::memory_order_acquire)) forget();
  }

 private:
  friend struct LockOrderAccess;  // lib/lock_order.cc
  void forget() noexcept;         // lib/lock_order.cc

  std::atomic<std::uint64_t> id_{0};
  std::atomic<bool> in_graph_{false};
};

// What a lock holds in a build without the detector: nothing.
struct NoLockOrderNode {};

// The member a lock declares: `[[no_unique_address]] mutable LockOrderSlot order_;`
using LockOrderSlot = std::conditional_t<kLockOrderChecks, LockOrderNode, NoLockOrderNode>;

// lib/lock_order.cc: the slow halves of the hooks below.
void lock_order_check_acquire(LockOrderNode& node, const void* lock, const char* type,
                              const std::source_location& site, bool reacquire);
void lock_order_push(LockOrderNode& node, const void* lock, const char* type,
                     const std::source_location& site) noexcept;
void lock_order_pop(const void* lock) noexcept;
void lock_order_check_blocking(const char* operation, const void* waited_lock);
// Where this thread took `lock`, if the detector tracks it (checked builds,
// detection on): the relock panic names that site.
std::optional<std::source_location> lock_order_held_site(const void* lock) noexcept;

// Whether the detector records and reports now.
inline bool lock_order_checks_on() noexcept {
  if constexpr (!kLockOrderChecks) return false;
  // ORDERING(lock-order-setting): relaxed; the setting orders no data, and a
  // change takes effect for the acquisitions that read it.
  return deadlock_detection_setting.load(std::memory_order_relaxed) != DeadlockDetection::kIgnore;
}

// Before waiting for `lock`: records held -> lock and reports a cycle it
// closes. `reacquire`: the Condvar re-acquiring a lock the guard still owns.
inline void lock_order_before_acquire(LockOrderNode& node, const void* lock, const char* type,
                                      const std::source_location& site, bool reacquire = false) {
  if (lock_order_checks_on()) lock_order_check_acquire(node, lock, type, site, reacquire);
}
inline void lock_order_before_acquire(NoLockOrderNode&, const void*, const char*,
                                      const std::source_location&, bool = false) noexcept {}

// After taking `lock` (blocking or not): it is held by this thread.
inline void lock_order_acquired(LockOrderNode& node, const void* lock, const char* type,
                                const std::source_location& site) noexcept {
  if (lock_order_checks_on()) lock_order_push(node, lock, type, site);
}
inline void lock_order_acquired(NoLockOrderNode&, const void*, const char*,
                                const std::source_location&) noexcept {}

// Before releasing `lock`.
inline void lock_order_released(const void* lock) noexcept {
  if (lock_order_checks_on()) lock_order_pop(lock);
}

// Before an operation that may wait without end: reports the locks this
// thread holds (but `waited_lock`, which a Condvar releases while it waits).
inline void lock_order_before_blocking(const char* operation, const void* waited_lock = nullptr) {
  if (lock_order_checks_on()) lock_order_check_blocking(operation, waited_lock);
}

}  // namespace ferrite::detail
