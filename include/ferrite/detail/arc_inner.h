// ferrite/detail/arc_inner.h — internal: the allocation behind an Arc
// (counts and value in one block) and the counting steps that Arc and
// arc::Weak share: the acquire after a count reaches zero, the release of a
// weak reference, and the panics for a count overflow or a misused handle.
//
// Not part of the public API: reach it through ferrite/arc.h, whose file
// comment gives the ordering argument as a whole.
#pragma once

#include <atomic>
#include <cstddef>
#include <limits>
#include <utility>

#include "ferrite/panic.h"

// ThreadSanitizer does not model std::atomic_thread_fence; under it, Rust's
// `acquire!` uses an acquire load instead, and so does ferrite.
#if defined(__SANITIZE_THREAD__)
#define FERRITE_DETAIL_ARC_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FERRITE_DETAIL_ARC_TSAN 1
#endif
#endif
#ifndef FERRITE_DETAIL_ARC_TSAN
#define FERRITE_DETAIL_ARC_TSAN 0
#endif

namespace ferrite::detail {


// Rust's MAX_REFCOUNT (isize::MAX). A count above it means handles are being
// leaked at an absurd rate; increments check the *old* value, so the count
// can exceed it by at most the number of threads racing, far from wrapping.
inline constexpr std::size_t kArcMaxRefcount = std::numeric_limits<std::size_t>::max() / 2;

// The weak count's "locked" value, set only by Arc::is_unique() (Rust uses
// usize::MAX the same way). It is taken only when the count was 1, i.e. no
// arc::Weak exists, so Weak code never sees it; only downgrade() must wait.
inline constexpr std::size_t kArcWeakLocked = std::numeric_limits<std::size_t>::max();

// The single allocation behind an Arc: counts first, then the value, whose
// lifetime is controlled by the strong count (see detail::RcBox in rc.h for
// why it sits in an anonymous union).
template <class T>
struct ArcInner {
  template <class... Args>
  explicit ArcInner(std::in_place_t, Args&&... args) : value(std::forward<Args>(args)...) {}
  ArcInner(const ArcInner&) = delete;
  ArcInner& operator=(const ArcInner&) = delete;
  // Intentionally empty: Arc destroys `value` when the strong count hits 0.
  ~ArcInner() {}

  std::atomic<std::size_t> strong{1};
  // arc::Weak handles plus one for all strong handles together.
  std::atomic<std::size_t> weak{1};
  // SAFETY(arc-inner-union): `value` is constructed by the constructor and
  // destroyed by Arc when the strong count reaches 0, never by ~ArcInner.
  union {
    T value;
  };
};

// Rust's `acquire!`. Called right after this thread's atomic read-modify-write
// took `count` to zero (the last release decrement, or a CAS from 1 to 0).
// Every other handle's earlier release decrement of `count` heads a release
// sequence that our RMW continues, so acquiring here makes all their uses of
// the value (and of the block) happen-before what the caller does next:
// destroying the value or freeing the block.
inline void acquire_after_count_reached_zero(const std::atomic<std::size_t>& count) noexcept {
#if FERRITE_DETAIL_ARC_TSAN
  // ORDERING(arc-zero-acquire-load): pairs with the release fetch_subs in
  // Arc::release()/arc_release_weak() of the other handles. The load reads our
  // own RMW's zero or a later value in the same release sequence (nothing
  // writes a count that is zero: upgrade refuses 0, and only the thread that
  // took it to zero may restore it), so it synchronizes with all of them.
  (void)count.load(std::memory_order_acquire);
#else
  (void)count;
  // ORDERING(arc-zero-acquire-fence): pairs with the release fetch_subs in
  // Arc::release()/arc_release_weak() of the other handles: our preceding RMW
  // on the count read the end of their release sequences, and this fence
  // turns that read into an acquire (fence-to-atomic synchronization), as in
  // Rust's Arc::drop.
  std::atomic_thread_fence(std::memory_order_acquire);
#endif
}

// Drops one weak reference (an arc::Weak's, or the implicit one), freeing the
// block if it was the last.
template <class T>
void arc_release_weak(ArcInner<T>* inner) noexcept {
  // ORDERING(arc-weak-release): release pairs with the acquire in
  // acquire_after_count_reached_zero(weak) run by the handle whose decrement
  // reaches zero: this handle's last reads of the block (for the implicit
  // weak reference, the destruction of the value) happen-before `delete`.
  if (inner->weak.fetch_sub(1, std::memory_order_release) != 1) return;
  acquire_after_count_reached_zero(inner->weak);
  // SAFETY(arc-inner-free): the weak count reached 0, so no handle reaches
  // the block; it was allocated with new, and `value` was destroyed already.
  delete inner;
}

[[noreturn, gnu::cold, gnu::noinline]] inline void arc_count_overflow() {
  panic("ferrite::Arc: reference count overflow (more than SIZE_MAX/2 handles to one value)");
}

// Busy-wait hint for the few instructions that Arc::is_unique() holds the
// weak-count lock.
inline void arc_spin_loop_hint() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__) || defined(__arm__)
  __asm__ __volatile__("yield");
#endif
}

}  // namespace ferrite::detail
