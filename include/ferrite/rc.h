// ferrite/rc.h — single-threaded reference counting: Rc<T> and rc::Weak<T>.
//
// This header offers Rust's `std::rc`:
//
//   Rc<T>        a shared, immutable handle to one `T` on the heap; copying it
//                (`clone()`) bumps a plain, non-atomic count.
//   rc::Weak<T>  a non-owning handle that can be upgraded back to an Rc<T>
//                while any Rc<T> of the same allocation is alive.
//   make_rc<T>(args...)  constructs `T` in place in a single allocation.
//
// One allocation holds the two counts and the value. All strong handles
// together hold one implicit weak reference (Rust's scheme): the value is
// destroyed when the last Rc goes, the allocation is freed when the weak
// count, including that implicit reference, reaches zero.
//
// Shared access is const: `*rc` and `rc->` give `const T&`;
// `rc.get()` gives `const T*` too. Mutation goes through `get_mut()` (only while this
// Rc is the sole handle of either kind), `make_mut()` (clone-on-write), or
// interior mutability such as `Rc<RefCell<T>>`.
//
// Send/Sync: neither Rc<T> nor rc::Weak<T> is Send or Sync, whatever T is;
// the counts are not atomic, so two threads touching handles of one
// allocation would race. Use Arc<T> (ferrite/arc.h) to share across threads.
// ferrite's thread boundaries (channels, spawn, pools) reject Rc at compile
// time; a raw std::thread cannot be checked, so do not hand it an Rc.
//
// Moved-from handles: a moved-from Rc (also one consumed by a successful
// `try_unwrap()` / `into_inner()` / `unwrap_or_clone()`) is *empty*. On an
// empty Rc, `get()` and `get_mut()` return nullptr, `strong_count()` and
// `weak_count()` return 0, copying gives another empty Rc, assignment and
// destruction work, `ptr_eq` compares as a null pointer; every other member
// panics. A moved-from rc::Weak is the same as a default-constructed one.
//
// Example (also tests/rc_test.cc, RcTest.HeaderExample):
//
//   ferrite::Rc<std::string> a = ferrite::make_rc<std::string>("hi");
//   ferrite::Rc<std::string> b = a;                  // clone: strong_count() == 2
//   ferrite::rc::Weak<std::string> w = a.downgrade();
//   b.make_mut() += "!";                             // b now owns its own copy
//   assert(*a == "hi" && *b == "hi!");
//   a = b;                                           // the "hi" value is destroyed
//   assert(!w.upgrade().has_value());
#pragma once

#include <compare>
#include <concepts>
#include <cstddef>
#include <exception>
#include <expected>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite {

template <class T, class... Args>
requires std::constructible_from<T, Args...>
[[nodiscard]] Rc<T> make_rc(Args&&... args);

namespace detail {

// The single allocation behind an Rc: counts first, then the value. The
// value sits in an anonymous union so that its lifetime is controlled by the
// strong count, not by RcBox's own constructor/destructor pairing: RcBox's
// constructor creates it (so a throwing T constructor makes the new-expression
// free the memory), but ~RcBox() leaves it alone; Rc destroys it when the
// strong count reaches zero, and `delete` later frees the block.
template <class T>
struct RcBox {
  template <class... Args>
  explicit RcBox(std::in_place_t, Args&&... args) : value(std::forward<Args>(args)...) {}
  RcBox(const RcBox&) = delete;
  RcBox& operator=(const RcBox&) = delete;
  // Intentionally empty: see the class comment.
  ~RcBox() {}

  std::size_t strong = 1;
  // Weak handles plus one for all strong handles together.
  std::size_t weak = 1;
  // SAFETY(rc-box-union): `value` is constructed by the constructor and
  // destroyed by Rc when the strong count reaches 0, never by ~RcBox.
  union {
    T value;
  };
};

// Rust aborts when an Rc count would overflow; ferrite panics instead (the
// count is left unchanged, so the panic is recoverable). Unreachable in
// practice on 64-bit targets: it takes 2^64 live handles.
[[noreturn, gnu::cold, gnu::noinline]] inline void rc_count_overflow() {
  panic("ferrite::Rc: reference count overflow (more than SIZE_MAX handles to one value)");
}

}  // namespace detail

/// Rc<T> — shared ownership of one immutable `T`, single-threaded.
///
/// Contract:
///  - Made only by make_rc<T>(args...) or Weak::upgrade(); never null unless
///    moved from (see the banner).
///  - Copy construction / copy assignment / clone() share the value and bump
///    the strong count; moves transfer the handle and leave the source empty.
///  - The value is destroyed exactly once, when the last Rc goes; rc::Weak
///    handles then fail to upgrade.
///  - Comparison operators compare the *values* (Rust's `PartialEq for Rc`);
///    use ptr_eq() for identity.
///  - Not Send, not Sync (see the banner).
///
/// `get()` returns `const T*`, like Rust's `as_ptr()` for identity and interop;
/// it is shared access like `*`, so nothing can be written through it. Writing
/// needs the sole handle: get_mut() and make_mut() check that.
///
/// Mutable access is a borrow of the handle, as for Arc (ferrite/arc.h has
/// the full rule): a non-null get_mut() or a make_mut() starts it; shared
/// access through the handle (`*rc`, `rc->`, `rc.get()`) or assigning to the
/// handle ends it; moves carry it along. While it lasts, clone(), copying
/// from the handle and downgrade() panic in checked builds
/// (FERRITE_CHECKED_BORROWS); release builds leave the rule to the caller.
///
/// ```cpp
///   auto r = ferrite::make_rc<std::string>("a");
///   r.make_mut() += "b";               // the borrow starts
///   // auto s = r;                     // would panic: the borrow is alive
///   assert(*r == "ab");                // shared access ends it
///   auto s = r;                        // fine
/// ```
template <class T>
class Rc {
  static_assert(detail::ObjectValue<T>, "ferrite::Rc<T>: T must be a non-array object type");

 public:
  /// The type of the shared value (as std::shared_ptr<T>::element_type).
  using element_type = T;

  /// Copying panics (checked builds) while `other` lends mutable access.
  Rc(const Rc& other) : box_(other.box_) {
    if (box_ == nullptr) return;
    if (other.mut_borrow_.is_set()) [[unlikely]]
      detail::handle_mut_borrowed("Rc", "clone");
    inc_strong(box_);
  }
  /// The mutable borrow, if any, moves along with the handle.
  Rc(Rc&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {
    mut_borrow_.take_from(other.mut_borrow_);
  }

  /// Copy-and-swap: this handle already holds the new value when the old one
  /// is released, so a destructor that reaches back into `*this` sees a valid
  /// Rc, and self-assignment is harmless.
  Rc& operator=(const Rc& other) {
    Rc(other).swap(*this);
    return *this;
  }
  /// Takes `other`'s handle (and its mutable borrow); `other` is left empty.
  Rc& operator=(Rc&& other) noexcept {
    Rc(std::move(other)).swap(*this);
    return *this;
  }

  ~Rc() {
    if (box_ != nullptr) release(box_);
  }

  /// Another handle to the same value (same as copying).
  [[nodiscard]] Rc clone() const { return Rc(*this); }

  /// The shared value. Panics if this Rc is empty. Ends this handle's mutable
  /// borrow (checked builds).
  const T& operator*() const {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "operator*");
    mut_borrow_.clear();
    return box_->value;
  }
  /// Member access to the shared value; panics if this Rc is empty.
  const T* operator->() const {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "operator->");
    mut_borrow_.clear();
    return &box_->value;
  }

  /// Address of the shared value (Rust's `Rc::as_ptr`); nullptr if empty.
  /// Shared access, so the pointer is to const: every clone has one. Mutation
  /// needs get_mut() or make_mut(), which check that this is the sole handle.
  /// Ends this handle's mutable borrow (checked builds).
  const T* get() const noexcept {
    if (box_ == nullptr) return nullptr;
    mut_borrow_.clear();
    return &box_->value;
  }

  /// Number of Rc handles to this value; 0 if empty.
  std::size_t strong_count() const noexcept { return box_ == nullptr ? 0 : box_->strong; }

  /// Number of rc::Weak handles to this value (the implicit one held by the
  /// strong handles is not counted); 0 if empty.
  std::size_t weak_count() const noexcept { return box_ == nullptr ? 0 : box_->weak - 1; }

  /// True if both handles point to the same allocation (Rust's `Rc::ptr_eq`).
  bool ptr_eq(const Rc& other) const noexcept { return box_ == other.box_; }

  /// Mutable access if this is the only handle of either kind (strong_count()
  /// == 1 and weak_count() == 0, as Rust: a Weak could otherwise upgrade and
  /// observe the mutation); nullptr otherwise, and if empty. A non-null
  /// result starts this handle's mutable borrow (see the class comment).
  T* get_mut() noexcept {
    if (box_ == nullptr || box_->strong != 1 || box_->weak != 1) return nullptr;
    mut_borrow_.set();
    return &box_->value;
  }

  /// Clone-on-write access (Rust's `Rc::make_mut`):
  ///  - other Rc handles exist: copy the value into a new allocation that this
  ///    handle then owns alone; the others keep the old value;
  ///  - only rc::Weak handles remain: move the value into a new allocation and
  ///    destroy the moved-from original, so those Weaks no longer upgrade;
  ///  - this is the sole handle: no allocation.
  /// Either way this handle is then the only handle of either kind, and its
  /// mutable borrow starts (see the class comment).
  /// Strong exception guarantee: if the copy (or the move, which falls back to
  /// a copy when T's move may throw) or the allocation throws, nothing
  /// changes. Panics if empty.
  T& make_mut() requires std::copy_constructible<T> {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "make_mut");
    if (box_->strong != 1) {
      *this = Rc(new detail::RcBox<T>(std::in_place, std::as_const(box_->value)));
    } else if (box_->weak != 1) {
      // Dropping our (last) strong handle by the assignment destroys the
      // moved-from original and releases the implicit weak reference; the
      // remaining Weaks keep the old block alive and free it later.
      *this = Rc(new detail::RcBox<T>(std::in_place, std::move_if_noexcept(box_->value)));
    }
    mut_borrow_.set();
    return box_->value;
  }

  /// The value, if this is the only Rc (weak handles do not matter: they stop
  /// upgrading); otherwise this Rc itself, unchanged, as the error. Use as
  /// `std::move(rc).try_unwrap()`. On success `*this` is left empty. If moving
  /// the value out throws, `*this` is untouched (T's move falls back to a copy
  /// when it may throw, so the value is untouched too).
  std::expected<T, Rc> try_unwrap() && {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "try_unwrap");
    if (box_->strong != 1) return std::expected<T, Rc>(std::unexpect, std::move(*this));
    detail::RcBox<T>* box = std::exchange(box_, nullptr);
    // Runs after the result is constructed: on success it drops the last
    // strong handle (destroying the moved-from value); if constructing the
    // result threw, it gives the handle back to `*this`.
    struct FinishUnwrap {
      Rc* self;
      detail::RcBox<T>* box;
      int exceptions = std::uncaught_exceptions();
      ~FinishUnwrap() {
        if (std::uncaught_exceptions() > exceptions) {
          self->box_ = box;
        } else {
          release(box);
        }
      }
    } finish{this, box};
    return std::expected<T, Rc>(std::in_place, std::move_if_noexcept(box->value));
  }

  /// The value if this was the last Rc, else std::nullopt; consumes this
  /// handle either way (Rust's `Rc::into_inner`). If T's move constructor
  /// throws, the value is destroyed and the exception propagates.
  std::optional<T> into_inner() && {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "into_inner");
    detail::RcBox<T>* box = std::exchange(box_, nullptr);
    struct Release {
      detail::RcBox<T>* box;
      ~Release() { Rc::release(box); }
    } release_after{box};
    if (box->strong != 1) return std::nullopt;
    return std::optional<T>(std::in_place, std::move(box->value));
  }

  /// The value, moved out if this was the only Rc, else copied (Rust's
  /// `Rc::unwrap_or_clone`). Consumes this handle either way.
  T unwrap_or_clone() && requires std::copy_constructible<T> {
    std::expected<T, Rc> unwrapped = std::move(*this).try_unwrap();
    if (unwrapped.has_value()) return std::move(*unwrapped);
    return T(*unwrapped.error());
  }

  /// A weak handle to this value. Panics if empty, and (checked builds) while
  /// this handle lends mutable access: a Weak could upgrade to a second handle.
  [[nodiscard]] rc::Weak<T> downgrade() const {
    if (box_ == nullptr) [[unlikely]]
      detail::handle_empty("Rc", "downgrade");
    if (mut_borrow_.is_set()) [[unlikely]]
      detail::handle_mut_borrowed("Rc", "downgrade");
    if (box_->weak == std::numeric_limits<std::size_t>::max()) [[unlikely]]
      detail::rc_count_overflow();
    ++box_->weak;
    return rc::Weak<T>(box_);
  }

  /// Each handle's mutable borrow goes with its value.
  void swap(Rc& other) noexcept {
    std::swap(box_, other.box_);
    mut_borrow_.swap(other.mut_borrow_);
  }
  friend void swap(Rc& a, Rc& b) noexcept { a.swap(b); }

  friend bool operator==(const Rc& a, const Rc& b) requires std::equality_comparable<T> {
    return *a == *b;
  }
  friend auto operator<=>(const Rc& a, const Rc& b) requires std::three_way_comparable<T> {
    return *a <=> *b;
  }

 private:
  template <class U, class... Args>
  requires std::constructible_from<U, Args...>
  friend Rc<U> make_rc(Args&&... args);
  friend class rc::Weak<T>;

  // Adopts one strong reference already counted in `box`.
  explicit Rc(detail::RcBox<T>* box) noexcept : box_(box) {}

  static void inc_strong(detail::RcBox<T>* box) {
    if (box->strong == std::numeric_limits<std::size_t>::max()) [[unlikely]]
      detail::rc_count_overflow();
    ++box->strong;
  }

  // Drops one strong reference. The implicit weak reference is still held
  // while the value is destroyed, so a Weak dropped by T's destructor cannot
  // free the block underneath it.
  static void release(detail::RcBox<T>* box) noexcept {
    if (--box->strong != 0) return;
    // SAFETY(rc-drop-value): the strong count just reached 0, so no Rc can
    // reach `value` any more and Weak::upgrade refuses a 0 count, so this runs
    // once per allocation; `value` was constructed by RcBox's constructor and
    // ~RcBox() does not destroy it, so this is its only destruction. The block
    // stays allocated: the implicit weak reference is released only below.
    std::destroy_at(&box->value);
    // SAFETY(rc-drop-free): the weak count reached 0, so no handle reaches
    // the box, which was allocated with new; `value` was destroyed above.
    if (--box->weak == 0) delete box;
  }

  detail::RcBox<T>* box_;
  // Checked builds: whether get_mut()/make_mut() access may still be in use.
  // Empty (no space) otherwise.
  [[no_unique_address]] detail::HandleMutBorrow mut_borrow_;
};

/// Constructs a T from `args` inside a new Rc allocation (one allocation). If
/// T's constructor throws, the memory is freed and the exception propagates.
template <class T, class... Args>
requires std::constructible_from<T, Args...> Rc<T> make_rc(Args&&... args) {
  return Rc<T>(new detail::RcBox<T>(std::in_place, std::forward<Args>(args)...));
}

namespace rc {

/// rc::Weak<T> — a non-owning handle to an Rc allocation (Rust's
/// `std::rc::Weak`). It keeps the block, not the value, alive.
///
/// Contract:
///  - Made by Rc::downgrade(), or default-constructed empty (Rust's
///    `Weak::new()`), which never upgrades. Copy = clone; a moved-from Weak is
///    empty.
///  - upgrade() gives an Rc while any Rc of the allocation lives, else
///    std::nullopt; once it has failed it always fails.
///  - Not Send, not Sync.
template <class T>
class Weak {
 public:
  // An empty Weak: upgrade() is always std::nullopt and both counts are 0.
  constexpr Weak() noexcept = default;

  /// Another Weak to the same allocation (Rust's `rc::Weak::clone`).
  Weak(const Weak& other) : box_(other.box_) {
    if (box_ == nullptr) return;
    if (box_->weak == std::numeric_limits<std::size_t>::max()) [[unlikely]]
      detail::rc_count_overflow();
    ++box_->weak;
  }
  /// Takes `other`'s handle; `other` is left empty.
  Weak(Weak&& other) noexcept : box_(std::exchange(other.box_, nullptr)) {}
  /// Refers to `other`'s allocation, then releases the old one.
  Weak& operator=(const Weak& other) {
    Weak(other).swap(*this);
    return *this;
  }
  /// Takes `other`'s handle (`other` is left empty), then releases the old one.
  Weak& operator=(Weak&& other) noexcept {
    Weak(std::move(other)).swap(*this);
    return *this;
  }
  ~Weak() {
    // SAFETY(rc-weak-free): the weak count reached 0, so no handle reaches
    // the box, allocated with new; the strong count is 0 (the strong handles'
    // implicit weak reference is gone), so `value` was destroyed already.
    if (box_ != nullptr && --box_->weak == 0) delete box_;
  }

  /// Another Weak to the same allocation (same as copying).
  [[nodiscard]] Weak clone() const { return Weak(*this); }

  /// A new Rc to the value if one is still alive, else std::nullopt.
  [[nodiscard]] std::optional<Rc<T>> upgrade() const {
    if (box_ == nullptr || box_->strong == 0) return std::nullopt;
    Rc<T>::inc_strong(box_);
    return Rc<T>(box_);
  }

  /// Number of Rc handles to the value; 0 if none remain or this is empty.
  std::size_t strong_count() const noexcept { return box_ == nullptr ? 0 : box_->strong; }

  /// Number of Weak handles (including this one) while the value is alive;
  /// 0 once no Rc remains, or if this is empty (as Rust).
  std::size_t weak_count() const noexcept {
    if (box_ == nullptr || box_->strong == 0) return 0;
    return box_->weak - 1;
  }

  /// True if both point to the same allocation, or both are empty.
  bool ptr_eq(const Weak& other) const noexcept { return box_ == other.box_; }

  /// Exchanges the allocations the two handles refer to.
  void swap(Weak& other) noexcept { std::swap(box_, other.box_); }
  friend void swap(Weak& a, Weak& b) noexcept { a.swap(b); }

 private:
  friend class Rc<T>;
  // Adopts one weak reference already counted in `box`.
  explicit Weak(detail::RcBox<T>* box) noexcept : box_(box) {}

  detail::RcBox<T>* box_ = nullptr;
};

}  // namespace rc
}  // namespace ferrite
