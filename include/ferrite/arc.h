// ferrite/arc.h — thread-safe reference counting: Arc<T> and arc::Weak<T>.
//
// This header offers Rust's `std::sync::Arc`:
//
//   Arc<T>        a shared, immutable handle to one `T` on the heap whose
//                 counts are atomic, so handles may be cloned, dropped,
//                 downgraded and upgraded from any number of threads at once.
//   arc::Weak<T>  a non-owning handle, upgraded back to an Arc<T> while any
//                 Arc<T> of the same allocation is alive.
//   make_arc<T>(args...)  constructs `T` in place in a single allocation.
//
// The design and every memory ordering mirror Rust's `alloc::sync::Arc`: one
// allocation holds the strong count, the weak count (plus one implicit weak
// reference held by all strong handles together) and the value; the value is
// destroyed when the strong count reaches zero, the allocation is freed when
// the weak count does. Each atomic operation below carries an
// `ORDERING(arc-...)` note naming the operation it pairs with.
//
// Shared access is const: `*arc`, `arc->` and `arc.get()` give `const T`, and
// many threads may use them at once. Mutation goes
// through `get_mut()` (only while this is the sole handle of either kind),
// `make_mut()` (clone-on-write), or a synchronized T such as `Arc<Mutex<U>>`.
//
// Send/Sync: Arc<T> and arc::Weak<T> are Send and Sync exactly when T is both
// Send and Sync (ferrite/marker.h), as in Rust: Sync because every thread
// holding a handle reads the same T; Send because the last handle to go, on
// whichever thread, destroys T there.
//
// Thread safety of one handle object: like any C++ type, a single Arc object
// may be read (const members, copying from it) by many threads at once, but a
// non-const member (assignment, get_mut, make_mut, try_unwrap, ...) needs
// exclusive access to that object. Distinct handles to one value need no
// coordination at all.
//
// Moved-from handles: a moved-from Arc (also one consumed by a successful
// `try_unwrap()` / `into_inner()` / `unwrap_or_clone()`) is *empty*. On an
// empty Arc, `get()` and `get_mut()` return nullptr, `strong_count()` and
// `weak_count()` return 0, copying gives another empty Arc, assignment and
// destruction work, `ptr_eq` compares as a null pointer; every other member
// panics. A moved-from arc::Weak is the same as a default-constructed one.
//
// Example (also tests/arc_test.cc, ArcTest.HeaderExample):
//
//   ferrite::Arc<std::vector<int>> data = ferrite::make_arc<std::vector<int>>(1000, 1);
//   std::vector<std::thread> readers;
//   std::atomic<long> total{0};
//   for (int i = 0; i < 4; ++i) {
//     readers.emplace_back([data, &total] {  // each thread owns a clone
//       total += std::accumulate(data->begin(), data->end(), 0L);
//     });
//   }
//   for (std::thread& t : readers) t.join();
//   assert(total == 4000 && data.strong_count() == 1);
#pragma once

#include <atomic>
#include <compare>
#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <exception>
#include <expected>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "ferrite/detail/arc_inner.h"
#include "ferrite/detail/borrow.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite {

template <class T, class... Args>
requires std::constructible_from<T, Args...>
[[nodiscard]] Arc<T> make_arc(Args&&... args);

/// Arc<T> — shared ownership of one immutable `T`, across threads.
///
/// Contract:
///  - Made only by make_arc<T>(args...) or Weak::upgrade(); never null unless
///    moved from (see the banner).
///  - Copy construction / copy assignment / clone() share the value and bump
///    the strong count (abort, as Rust, if it would pass SIZE_MAX/2); moves
///    transfer the handle and leave the source empty.
///  - The value is destroyed exactly once, by whichever thread drops the last
///    Arc, after every other thread's use of it through an Arc; arc::Weak
///    handles then fail to upgrade.
///  - Comparison operators compare the *values* (Rust's `PartialEq for Arc`);
///    use ptr_eq() for identity.
///  - Send and Sync iff T is Send and Sync (see the banner).
///
/// `get()` returns `const T*`, like Rust's `as_ptr()` for identity and interop;
/// it is shared access like `*`, so nothing can be written through it. Writing
/// needs the sole handle: get_mut() and make_mut() check that.
///
/// Mutable access is a borrow of the handle. The T* from get_mut() and the T&
/// from make_mut() are exclusive only while this handle stays the sole one;
/// in Rust the borrow checker ends that access before the handle can be
/// cloned. C++ cannot see when the T& dies, so the rule is:
///  - a non-null get_mut() or a make_mut() starts this handle's *mutable
///    borrow*;
///  - shared access through the handle (`*arc`, `arc->`, `arc.get()`, also
///    inside ==/<=>) ends it, as does assigning another Arc to the handle;
///    moving the handle moves the borrow to the new one; swap() swaps them;
///  - while it lasts, clone(), copy construction, copy assignment *from* this
///    handle and downgrade() panic (no second handle may share a value that
///    is being mutated, e.g. on another thread);
///  - after it ends, the T&/T* must not be used any more (call get_mut() or
///    make_mut() again).
/// Checked builds (FERRITE_CHECKED_BORROWS: tests and sanitizer targets, any
/// build without NDEBUG) enforce the third point; release builds do not
/// check, and keeping to the rule is the caller's obligation, as for Vec's
/// slices. strong_count(), weak_count() and ptr_eq() neither end nor check
/// the borrow. (No Weak can upgrade meanwhile: get_mut() requires that none
/// exists, make_mut() leaves the old ones on another allocation, and
/// downgrade() panics.)
///
/// ```cpp
///   auto a = ferrite::make_arc<std::vector<int>>();
///   a.make_mut().push_back(1);         // the borrow starts
///   // auto b = a;                     // would panic: the borrow is alive
///   std::size_t n = a->size();         // shared access ends it
///   auto b = a;                        // fine: b and a share {1}
/// ```
template <class T>
class Arc {
  static_assert(detail::ObjectValue<T>, "ferrite::Arc<T>: T must be a non-array object type");

 public:
  /// The type of the shared value (as std::shared_ptr<T>::element_type).
  using element_type = T;

  /// Copying panics (checked builds) while `other` lends mutable access: see
  /// "Mutable access is a borrow of the handle" above.
  Arc(const Arc& other) noexcept(!detail::kCheckedBorrows) : inner_(other.inner_) {
    if (inner_ == nullptr) return;
    if (other.mut_borrow_.is_set()) [[unlikely]]
      detail::handle_mut_borrowed("Arc", "clone");
    inc_strong(inner_);
  }
  /// The mutable borrow, if any, moves along with the handle.
  Arc(Arc&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {
    mut_borrow_.take_from(other.mut_borrow_);
  }

  /// Copy-and-swap: the old value is released after this handle already holds
  /// the new one; self-assignment is harmless. Assigning ends this handle's
  /// mutable borrow (it takes `other`'s, when moving).
  Arc& operator=(const Arc& other) noexcept(!detail::kCheckedBorrows) {
    Arc(other).swap(*this);
    return *this;
  }
  /// Takes `other`'s handle (and its mutable borrow); `other` is left empty.
  Arc& operator=(Arc&& other) noexcept {
    Arc(std::move(other)).swap(*this);
    return *this;
  }

  ~Arc() {
    if (inner_ != nullptr) release(inner_);
  }

  /// Another handle to the same value (same as copying).
  [[nodiscard]] Arc clone() const noexcept(!detail::kCheckedBorrows) { return Arc(*this); }

  /// The shared value. Panics if this Arc is empty. Ends this handle's
  /// mutable borrow (checked builds).
  const T& operator*() const {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "operator*");
    mut_borrow_.clear();
    return inner_->value;
  }
  /// Member access to the shared value; panics if this Arc is empty.
  const T* operator->() const {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "operator->");
    mut_borrow_.clear();
    return &inner_->value;
  }

  /// Address of the shared value (Rust's `Arc::as_ptr`); nullptr if empty.
  /// Shared access, so the pointer is to const: every clone has one, and two
  /// threads writing through them would race. Mutation needs get_mut() or
  /// make_mut(), which check that this is the sole handle. Ends this handle's
  /// mutable borrow (checked builds).
  const T* get() const noexcept {
    if (inner_ == nullptr) return nullptr;
    mut_borrow_.clear();
    return &inner_->value;
  }

  /// Number of Arc handles to this value; 0 if empty. Other threads may change
  /// it at any moment: a snapshot, not a synchronization primitive.
  std::size_t strong_count() const noexcept {
    if (inner_ == nullptr) return 0;
    // ORDERING(arc-strong-count): relaxed, as Rust's Arc::strong_count: the
    // value is a snapshot that orders no other memory access, so it pairs
    // with nothing; coherence alone makes it a value the count really had.
    return inner_->strong.load(std::memory_order_relaxed);
  }

  /// Number of arc::Weak handles (the implicit one is not counted); 0 if
  /// empty. A snapshot, like strong_count().
  std::size_t weak_count() const noexcept {
    if (inner_ == nullptr) return 0;
    // ORDERING(arc-weak-count): relaxed, as Rust's Arc::weak_count: a
    // snapshot that orders nothing and pairs with nothing. If is_unique() on
    // another handle holds the lock, the count was 1 (no Weak) when it was
    // taken, hence 0 below.
    const std::size_t count = inner_->weak.load(std::memory_order_relaxed);
    return count == detail::kArcWeakLocked ? 0 : count - 1;
  }

  /// True if both handles point to the same allocation (Rust's `Arc::ptr_eq`).
  bool ptr_eq(const Arc& other) const noexcept { return inner_ == other.inner_; }

  /// Mutable access if this is the only handle of either kind (no other Arc,
  /// no arc::Weak); nullptr otherwise, and if empty. While this handle is not
  /// cloned or downgraded, the pointer stays exclusive: a non-null result
  /// starts this handle's mutable borrow (see the class comment).
  T* get_mut() noexcept {
    if (inner_ == nullptr || !is_unique()) return nullptr;
    mut_borrow_.set();
    return &inner_->value;
  }

  /// Clone-on-write access (Rust's `Arc::make_mut`):
  ///  - other Arc handles exist: copy the value into a new allocation that this
  ///    handle then owns alone; the others keep the old value;
  ///  - only arc::Weak handles remain: move the value into a new allocation and
  ///    destroy the moved-from original, so those Weaks no longer upgrade;
  ///  - this is the sole handle: no allocation.
  /// Either way this handle is then the only handle of either kind, and its
  /// mutable borrow starts (see the class comment).
  /// If the copy, the move (which falls back to a copy when T's move may
  /// throw) or the allocation throws, this handle and its value are unchanged;
  /// in the only-Weaks case an upgrade racing with the failed call may have
  /// returned std::nullopt meanwhile (the strong count was briefly 0).
  /// Panics if empty.
  T& make_mut() requires std::copy_constructible<T> {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "make_mut");
    std::size_t one = 1;
    // ORDERING(arc-make-mut-claim): acquire on success pairs with the
    // release fetch_sub in Arc::release() of every other strong handle
    // dropped before: their reads of the value happen-before we mutate or
    // move it (Rust's make_mut). Relaxed on failure: we then only read the
    // value through our own, still counted, handle.
    if (!inner_->strong.compare_exchange_strong(one, 0, std::memory_order_acquire,
                                                std::memory_order_relaxed)) {
      *this = Arc(new detail::ArcInner<T>(std::in_place, std::as_const(inner_->value)));
    } else if (weak_handles_may_exist()) {
      // We hold the strong count at 0: Weaks cannot upgrade, so moving out of
      // the value races with nobody.
      detail::ArcInner<T>* old = inner_;
      detail::ArcInner<T>* fresh = nullptr;
      try {
        fresh = new detail::ArcInner<T>(std::in_place, std::move_if_noexcept(old->value));
      } catch (...) {
        // ORDERING(arc-make-mut-restore): release pairs with the acquire
        // CAS in Weak::upgrade(): a Weak upgrading after this sees the value
        // as the failed copy left it. Only we could write the count while
        // it was 0 (nothing else increments a zero count).
        old->strong.store(1, std::memory_order_release);
        throw;
      }
      inner_ = fresh;
      // drop_slow's contract holds: our CAS took the count from 1 to 0 with
      // acquire ordering, and the value is still alive.
      drop_slow(unsafe_fn, old);
    } else {
      // ORDERING(arc-make-mut-unique): release, as Rust's make_mut. No
      // thread can pair with it now: we hold the only handle of either kind
      // and a Weak can only be made from a strong handle. It restarts the
      // release sequence that our acquire CAS just read, so a later acquire
      // of this count (the last drop's acquire_after_count_reached_zero(),
      // another claim) synchronizes with this thread and, through our CAS,
      // with the handles dropped before it.
      inner_->strong.store(1, std::memory_order_release);
    }
    mut_borrow_.set();
    return inner_->value;
  }

  /// The value, if this is the only Arc (weak handles do not matter: they stop
  /// upgrading); otherwise this Arc itself, unchanged, as the error. Use as
  /// `std::move(arc).try_unwrap()`. On success `*this` is left empty. If moving
  /// the value out throws, `*this` keeps it (T's move falls back to a copy when
  /// it may throw); as with make_mut(), a racing upgrade may have failed.
  /// Two threads calling this on the last two handles may both fail: use
  /// into_inner() when exactly one of them must get the value.
  std::expected<T, Arc> try_unwrap() && {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "try_unwrap");
    std::size_t one = 1;
    // ORDERING(arc-try-unwrap-claim): relaxed, as Rust's Arc::try_unwrap:
    // on success acquire_after_count_reached_zero() below supplies the
    // acquire (pairing with other handles' release decrements); on failure
    // we touch nothing.
    if (!inner_->strong.compare_exchange_strong(one, 0, std::memory_order_relaxed,
                                                std::memory_order_relaxed)) {
      return std::expected<T, Arc>(std::unexpect, std::move(*this));
    }
    detail::acquire_after_count_reached_zero(inner_->strong);
    detail::ArcInner<T>* inner = std::exchange(inner_, nullptr);
    // Runs after the result is constructed: on success it finishes the drop
    // (destroys the moved-from value, releases the implicit weak); if
    // constructing the result threw, it gives the handle back to `*this`.
    struct FinishUnwrap {
      Arc* self;
      detail::ArcInner<T>* inner;
      int exceptions = std::uncaught_exceptions();
      ~FinishUnwrap() {
        if (std::uncaught_exceptions() > exceptions) {
          // ORDERING(arc-try-unwrap-restore): release pairs with the
          // acquire CAS in Weak::upgrade(): a Weak upgrading after this sees
          // the value as the failed move left it. Only we could write the
          // count while it was 0.
          inner->strong.store(1, std::memory_order_release);
          self->inner_ = inner;
        } else {
          // Our CAS took the count from 1 to 0 and we acquired: drop_slow's
          // contract.
          drop_slow(unsafe_fn, inner);
        }
      }
    } finish{this, inner};
    return std::expected<T, Arc>(std::in_place, std::move_if_noexcept(inner->value));
  }

  /// The value if this was the last Arc, else std::nullopt; consumes this
  /// handle either way (Rust's `Arc::into_inner`). When every thread calls it
  /// on its handle, exactly one gets the value. If T's move constructor
  /// throws, the value is destroyed and the exception propagates.
  std::optional<T> into_inner() && {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "into_inner");
    detail::ArcInner<T>* inner = std::exchange(inner_, nullptr);
    // ORDERING(arc-into-inner-release): as arc-drop-release: release pairs
    // with the acquire of whichever handle's decrement reaches zero.
    if (inner->strong.fetch_sub(1, std::memory_order_release) != 1) return std::nullopt;
    detail::acquire_after_count_reached_zero(inner->strong);
    struct DropAfterMove {
      detail::ArcInner<T>* inner;
      // Our decrement reached zero and we acquired: drop_slow's contract.
      ~DropAfterMove() { drop_slow(unsafe_fn, inner); }
    } finish{inner};
    return std::optional<T>(std::in_place, std::move(inner->value));
  }

  /// The value, moved out if this was the only Arc, else copied (Rust's
  /// `Arc::unwrap_or_clone`). Consumes this handle either way.
  T unwrap_or_clone() && requires std::copy_constructible<T> {
    std::expected<T, Arc> unwrapped = std::move(*this).try_unwrap();
    if (unwrapped.has_value()) return std::move(*unwrapped);
    return T(*unwrapped.error());
  }

  /// A weak handle to this value. Panics if empty, and (checked builds) while
  /// this handle lends mutable access: a Weak could upgrade to a second handle.
  [[nodiscard]] arc::Weak<T> downgrade() const {
    if (inner_ == nullptr) [[unlikely]]
      detail::handle_empty("Arc", "downgrade");
    if (mut_borrow_.is_set()) [[unlikely]]
      detail::handle_mut_borrowed("Arc", "downgrade");
    // ORDERING(arc-downgrade-load): relaxed: only seeds the CAS below, which
    // re-reads the count atomically and carries the ordering.
    std::size_t current = inner_->weak.load(std::memory_order_relaxed);
    for (;;) {
      if (current == detail::kArcWeakLocked) {
        // is_unique() on another handle holds the lock for a few instructions.
        detail::arc_spin_loop_hint();
        // ORDERING(arc-downgrade-spin): relaxed re-read while waiting; the
        // CAS below carries the ordering once the lock is released.
        current = inner_->weak.load(std::memory_order_relaxed);
        continue;
      }
      if (current > detail::kArcMaxRefcount) [[unlikely]]
        detail::arc_count_overflow();
      // ORDERING(arc-downgrade-cas): acquire on success pairs with the
      // release store that unlocks the count in is_unique(): that call's read
      // of the strong count happens-before this Weak exists, so it cannot
      // have vouched for uniqueness after we (a second strong handle) made a
      // Weak (Rust's Arc::downgrade). Relaxed on failure: we retry.
      if (inner_->weak.compare_exchange_weak(current, current + 1, std::memory_order_acquire,
                                             std::memory_order_relaxed)) {
        return arc::Weak<T>(inner_);
      }
    }
  }

  /// Each handle's mutable borrow goes with its value.
  void swap(Arc& other) noexcept {
    std::swap(inner_, other.inner_);
    mut_borrow_.swap(other.mut_borrow_);
  }
  friend void swap(Arc& a, Arc& b) noexcept { a.swap(b); }

  friend bool operator==(const Arc& a, const Arc& b) requires std::equality_comparable<T> {
    return *a == *b;
  }
  friend auto operator<=>(const Arc& a, const Arc& b) requires std::three_way_comparable<T> {
    return *a <=> *b;
  }

 private:
  template <class U, class... Args>
  requires std::constructible_from<U, Args...>
  friend Arc<U> make_arc(Args&&... args);
  friend class arc::Weak<T>;

  // Adopts one strong reference already counted in `inner`.
  explicit Arc(detail::ArcInner<T>* inner) noexcept : inner_(inner) {}

  static void inc_strong(detail::ArcInner<T>* inner) noexcept {
    // ORDERING(arc-clone): relaxed, as Rust's Arc::clone: the handle we copy
    // from keeps the value alive and was itself made visible to this thread
    // by whatever passed it here, so the increment orders nothing; the
    // decrements that must see it are RMWs on the same atomic, which always
    // read the latest value.
    const std::size_t old_count = inner->strong.fetch_add(1, std::memory_order_relaxed);
    // Rust aborts here rather than panicking: the count is already past the
    // limit, and unwinding with it would be worse than stopping.
    if (old_count > detail::kArcMaxRefcount) [[unlikely]]
      std::abort();
  }

  static void release(detail::ArcInner<T>* inner) noexcept {
    // ORDERING(arc-drop-release): release pairs with the acquire in
    // acquire_after_count_reached_zero(strong) run by whichever handle's
    // decrement reaches zero: every use of the value through this handle
    // happens-before the value is destroyed (Rust's Arc::drop).
    if (inner->strong.fetch_sub(1, std::memory_order_release) != 1) return;
    detail::acquire_after_count_reached_zero(inner->strong);
    drop_slow(unsafe_fn, inner);
  }

  // Destroys the value and drops the implicit weak reference.
  // # Safety: this thread took the strong count of `inner` to 0 with an RMW,
  // then called acquire_after_count_reached_zero(strong); the value has not
  // been destroyed.
  [[gnu::noinline]] static void drop_slow(UnsafeFn, detail::ArcInner<T>* inner) noexcept {
    // SAFETY(arc-drop-value): by the caller contract the strong count is 0
    // and this thread zeroed it, so no Arc can reach the value and no Weak
    // can upgrade (upgrade refuses 0); the acquire makes every other
    // thread's use of it happen-before this. The value was constructed by
    // ArcInner's constructor, ~ArcInner() does not destroy it, and a count
    // reaches 0 once per value, so this is its only destruction. The block
    // stays allocated: the implicit weak reference is released only below.
    std::destroy_at(&inner->value);
    detail::arc_release_weak(inner);
  }

  // Rust's Arc::is_unique: true if this is the only handle of either kind.
  // Locks the weak count so that no Weak can be made (nor upgraded, as none
  // exists) while the strong count is read.
  bool is_unique() noexcept {
    std::size_t one = 1;
    // ORDERING(arc-unique-lock): acquire on success pairs with the release
    // fetch_sub in arc_release_weak() of every Weak dropped before: if such a
    // Weak was upgraded first, its strong increment happens-before our read
    // of the strong count below. Relaxed on failure: we answer false and read
    // nothing else.
    if (!inner_->weak.compare_exchange_strong(
            one, detail::kArcWeakLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
      return false;
    }
    // ORDERING(arc-unique-strong): acquire pairs with the release fetch_sub
    // in Arc::release() of the other strong handles: if they are gone, their
    // uses of the value happen-before our caller mutates it.
    const bool unique = inner_->strong.load(std::memory_order_acquire) == 1;
    // ORDERING(arc-unique-unlock): release pairs with the acquire CAS in
    // downgrade() (arc-downgrade-cas): our strong read above happens-before
    // any Weak created after the unlock.
    inner_->weak.store(1, std::memory_order_release);
    return unique;
  }

  // make_mut() helper, called while we hold the strong count at 0.
  bool weak_handles_may_exist() const noexcept {
    // ORDERING(arc-make-mut-weak-check): relaxed, as Rust's make_mut: it only
    // chooses between moving the value out and keeping it in place. No Weak
    // can appear meanwhile (downgrade needs a strong handle; ours was the
    // only one) and the count cannot be locked (only a strong handle locks
    // it); a Weak dropped concurrently at worst makes us move needlessly.
    return inner_->weak.load(std::memory_order_relaxed) != 1;
  }

  detail::ArcInner<T>* inner_;
  // Checked builds: whether get_mut()/make_mut() access may still be in use.
  // Empty (no space) otherwise.
  [[no_unique_address]] detail::HandleMutBorrow mut_borrow_;
};

/// Constructs a T from `args` inside a new Arc allocation (one allocation). If
/// T's constructor throws, the memory is freed and the exception propagates.
template <class T, class... Args>
requires std::constructible_from<T, Args...> Arc<T> make_arc(Args&&... args) {
  return Arc<T>(new detail::ArcInner<T>(std::in_place, std::forward<Args>(args)...));
}

namespace arc {

/// arc::Weak<T> — a non-owning handle to an Arc allocation (Rust's
/// `std::sync::Weak`). It keeps the block, not the value, alive.
///
/// Contract:
///  - Made by Arc::downgrade(), or default-constructed empty (Rust's
///    `Weak::new()`), which never upgrades. Copy = clone; a moved-from Weak is
///    empty.
///  - upgrade() gives an Arc while any Arc of the allocation lives, else
///    std::nullopt; it never resurrects a destroyed value.
///  - Send and Sync iff T is Send and Sync (upgrade() yields an Arc<T>).
template <class T>
class Weak {
 public:
  // An empty Weak: upgrade() is always std::nullopt and both counts are 0.
  constexpr Weak() noexcept = default;

  /// Another Weak to the same allocation (Rust's `Weak::clone`).
  Weak(const Weak& other) noexcept : inner_(other.inner_) {
    if (inner_ == nullptr) return;
    // ORDERING(arc-weak-clone): relaxed, as Rust's Weak::clone: the Weak we
    // copy from keeps the block alive, so the increment orders nothing; the
    // count cannot be locked, since is_unique() locks only when no Weak
    // exists and this one does.
    if (inner_->weak.fetch_add(1, std::memory_order_relaxed) > detail::kArcMaxRefcount)
        [[unlikely]] {
      std::abort();  // as Rust: see Arc's inc_strong()
    }
  }
  /// Takes `other`'s handle; `other` is left empty.
  Weak(Weak&& other) noexcept : inner_(std::exchange(other.inner_, nullptr)) {}
  /// Refers to `other`'s allocation, then releases the old one.
  Weak& operator=(const Weak& other) noexcept {
    Weak(other).swap(*this);
    return *this;
  }
  /// Takes `other`'s handle (`other` is left empty), then releases the old one.
  Weak& operator=(Weak&& other) noexcept {
    Weak(std::move(other)).swap(*this);
    return *this;
  }
  ~Weak() {
    if (inner_ != nullptr) detail::arc_release_weak(inner_);
  }

  /// Another Weak to the same allocation (same as copying).
  [[nodiscard]] Weak clone() const noexcept { return Weak(*this); }

  /// A new Arc to the value if one is still alive, else std::nullopt.
  [[nodiscard]] std::optional<Arc<T>> upgrade() const {
    if (inner_ == nullptr) return std::nullopt;
    // ORDERING(arc-upgrade-load): relaxed: only seeds the CAS loop below,
    // which re-reads the count atomically and carries the ordering.
    std::size_t count = inner_->strong.load(std::memory_order_relaxed);
    for (;;) {
      // Never from 0 to 1: a zero count means the value is gone or going.
      if (count == 0) return std::nullopt;
      if (count > detail::kArcMaxRefcount) [[unlikely]]
        detail::arc_count_overflow();
      // ORDERING(arc-upgrade-cas): acquire on success, as Rust's
      // Weak::upgrade; it pairs with the release store with which
      // make_mut()/try_unwrap() hand the count back after a throwing move
      // (arc-make-mut-restore, arc-try-unwrap-restore), so the new Arc sees
      // the value as they left it. Other strong handles made the value
      // visible to us by the same means that gave us this Weak. Relaxed on
      // failure: we retry with the value read.
      if (inner_->strong.compare_exchange_weak(count, count + 1, std::memory_order_acquire,
                                               std::memory_order_relaxed)) {
        return Arc<T>(inner_);
      }
    }
  }

  /// Number of Arc handles to the value; 0 if none remain or this is empty.
  std::size_t strong_count() const noexcept {
    if (inner_ == nullptr) return 0;
    // ORDERING(arc-weak-strong-count): relaxed, as Rust's Weak::strong_count:
    // a snapshot that orders nothing and pairs with nothing.
    return inner_->strong.load(std::memory_order_relaxed);
  }

  /// Approximate number of Weak handles (including this one) while the value
  /// is alive; 0 once no Arc remains, or if this is empty (as Rust; may be off
  /// by one while other threads change the counts).
  std::size_t weak_count() const noexcept {
    if (inner_ == nullptr) return 0;
    // ORDERING(arc-weak-weak-count): acquire pairs with the release
    // fetch_sub in arc_release_weak() that drops the implicit weak reference
    // (after the strong count reached 0): if we read a count without it, the
    // strong count's zero happens-before the load below, which then returns
    // 0 — so `weak - 1` is taken only from a count still holding it.
    const std::size_t weak = inner_->weak.load(std::memory_order_acquire);
    // ORDERING(arc-weak-weak-count-strong): relaxed, as Rust: the acquire
    // above already orders this load after the implicit weak's release.
    const std::size_t strong = inner_->strong.load(std::memory_order_relaxed);
    return strong == 0 ? 0 : weak - 1;
  }

  /// True if both point to the same allocation, or both are empty.
  bool ptr_eq(const Weak& other) const noexcept { return inner_ == other.inner_; }

  /// Exchanges the allocations the two handles refer to.
  void swap(Weak& other) noexcept { std::swap(inner_, other.inner_); }
  friend void swap(Weak& a, Weak& b) noexcept { a.swap(b); }

 private:
  friend class Arc<T>;
  // Adopts one weak reference already counted in `inner`.
  explicit Weak(detail::ArcInner<T>* inner) noexcept : inner_(inner) {}

  detail::ArcInner<T>* inner_ = nullptr;
};

}  // namespace arc
}  // namespace ferrite
