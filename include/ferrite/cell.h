// ferrite/cell.h — single-threaded interior mutability: Rust's `core::cell`.
//
//   UnsafeCell<T>  the primitive: a T that may be mutated through a const
//                  reference. Every other cell is built on it.
//   Cell<T>        get/set/replace/take by value; never hands out a reference
//                  into itself, so it cannot dangle.
//   RefCell<T>     borrow()/borrow_mut() hand out guards (Ref<T>, RefMut<T>);
//                  the borrow rules (many readers or one writer) are checked at
//                  run time and a conflict panics.
//   OnceCell<T>    written at most once, then read through const&.
//
// Shared access is const (docs/DESIGN.md): every method Rust takes by `&self` is a
// const member here, so `Rc<RefCell<T>>` works.
//
// Send/Sync (marker.h): each cell is Send when T is Send and never Sync; its
// mutation through const& is unsynchronized. Use Mutex<T>, RwLock<T>,
// OnceLock<T> or atomics to share between threads. Ref<T>/RefMut<T> are
// neither Send nor Sync.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <expected>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

namespace ferrite {

/// UnsafeCell<T> — the only legal way to mutate through a const reference.
///
/// Contract: `get()` returns a pointer to the value from a const cell; the
/// caller is responsible for not creating a `T&` while another reference to
/// the value is in use (Rust's aliasing rule, which C++ cannot check). The
/// value is a `mutable` member, so writing through `get()` of a const cell is
/// well-defined C++ (no const_cast is involved).
/// Send iff T is Send; never Sync.
///
/// ```cpp
///   ferrite::UnsafeCell<int> cell(1);
///   const auto& shared = cell;
///   *shared.get() = 2;                     // cell.get_mut() == 2
/// ```
template <class T>
class UnsafeCell {
 public:
  constexpr UnsafeCell() requires std::default_initializable<T> : value_() {}
  /// A cell holding `value`.
  constexpr explicit UnsafeCell(T value) : value_(std::move(value)) {}
  /// A cell holding a T constructed in place from `args`.
  template <class... Args>
  requires std::constructible_from<T, Args...>
  constexpr explicit UnsafeCell(std::in_place_t, Args&&... args)
      : value_(std::forward<Args>(args)...) {}

  /// Moving transfers the value, as in Rust. Not copyable: copying would read
  /// the value while someone may hold a pointer from get().
  constexpr UnsafeCell(UnsafeCell&&) = default;
  /// Move-assigns the value, as in Rust.
  constexpr UnsafeCell& operator=(UnsafeCell&&) = default;
  UnsafeCell(const UnsafeCell&) = delete;
  UnsafeCell& operator=(const UnsafeCell&) = delete;

  /// A pointer to the value, also from a const cell. Reading or writing through
  /// it is the caller's responsibility (no other reference may be in use).
  constexpr T* get() const noexcept { return &value_; }
  /// The value, through a non-const cell (exclusive access, so always safe).
  constexpr T& get_mut() noexcept { return value_; }
  /// Moves the value out of the cell (Rust's `UnsafeCell::into_inner`).
  constexpr T into_inner() && { return std::move(value_); }

 private:
  mutable T value_;
};

/// Cell<T> — a value replaced as a whole, never borrowed.
///
/// Contract: no method returns a reference into the cell (except get_mut()
/// on a non-const cell), so a Cell cannot be left dangling by another access.
/// `set` and `replace` assign the new value first and destroy the old one
/// after the cell is consistent again, so a destructor that reads the cell
/// sees the new value. If T's move throws, the cell holds a valid (moved-from)
/// T — the basic guarantee.
/// `get()`, `update()` and copying the Cell copy the value *in place*, so they
/// need a trivially copyable T (Rust: `T: Copy`): a copy constructor is user
/// code, and one that called set() on the same Cell would destroy the value in
/// the middle of its own copy. For other types, use replace(), take() or
/// into_inner(), or a RefCell<T>, which borrows. (T's move and destructor, run
/// by replace/take/swap, must not access the same Cell while they run.)
/// Send iff T is Send; never Sync.
///
/// ```cpp
///   ferrite::Cell<int> hits(0);
///   const auto& shared = hits;
///   shared.set(shared.get() + 1);          // hits.get() == 1
/// ```
template <class T>
class Cell {
 public:
  constexpr Cell() requires std::default_initializable<T>
  = default;
  /// A cell holding `value`.
  constexpr explicit Cell(T value) : inner_(std::move(value)) {}

  /// Copying copies the value (Rust: Clone for Cell<T: Copy>).
  constexpr Cell(const Cell& other) requires std::is_trivially_copyable_v<T>
      : inner_(other.get()) {}
  /// Copies `other`'s value into this cell (as set(other.get())).
  constexpr Cell& operator=(const Cell& other) requires std::is_trivially_copyable_v<T> {
    set(other.get());
    return *this;
  }
  /// Moves the value; the source holds a moved-from T.
  constexpr Cell(Cell&&) = default;
  /// Move-assigns the value; the source holds a moved-from T.
  constexpr Cell& operator=(Cell&&) = default;

  /// A copy of the value. Needs a trivially copyable T (Rust: `T: Copy`); for
  /// other types the overload is deleted with a message naming the alternatives.
  constexpr T get() const requires std::is_trivially_copyable_v<T> { return *inner_.get(); }
#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  T get() const requires(!std::is_trivially_copyable_v<T>) = FERRITE_DELETE(
      "ferrite::Cell<T>::get: T must be trivially copyable (Rust's T: Copy), since the copy runs "
      "while the value sits in the cell and a copy constructor could reach the same Cell; use "
      "replace(), take() or into_inner(), or a RefCell<T>");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
  /// Stores `value`; the old value is destroyed after the cell holds the new one.
  constexpr void set(T value) const { static_cast<void>(replace(std::move(value))); }
  /// Stores `value` and returns the old value.
  [[nodiscard]] constexpr T replace(T value) const {
    return std::exchange(*inner_.get(), std::move(value));
  }
  /// Returns the value, leaving `T()` in the cell (Rust's `Cell::take`).
  [[nodiscard]] constexpr T take() const requires std::default_initializable<T> {
    return replace(T());
  }
  /// Exchanges the values of two cells; swapping a cell with itself does nothing.
  constexpr void swap(const Cell& other) const {
    if (this == &other) return;
    std::ranges::swap(*inner_.get(), *other.inner_.get());
  }
  /// Applies `f` to a copy of the value and stores the result; returns it.
  template <class F>
  requires std::is_trivially_copyable_v<T> && std::convertible_to<std::invoke_result_t<F&, T>, T>
  constexpr T update(F f) const {
    T next = std::invoke(f, get());
    set(next);
    return next;
  }

  /// The value, through a non-const cell (exclusive access).
  constexpr T& get_mut() noexcept { return inner_.get_mut(); }
  /// Moves the value out of the cell.
  constexpr T into_inner() && { return std::move(inner_).into_inner(); }

 private:
  UnsafeCell<T> inner_;
};

/// Returned by RefCell::try_borrow when the value is mutably borrowed.
struct BorrowError {
  /// "already mutably borrowed", Rust's text for this error.
  static constexpr std::string_view message() { return "already mutably borrowed"; }
  friend constexpr bool operator==(BorrowError, BorrowError) = default;
};
/// Returned by RefCell::try_borrow_mut when the value is borrowed.
struct BorrowMutError {
  /// "already borrowed", Rust's text for this error.
  static constexpr std::string_view message() { return "already borrowed"; }
  friend constexpr bool operator==(BorrowMutError, BorrowMutError) = default;
};

namespace detail {

// A RefCell's borrow state: 0 = free, n > 0 = n shared borrows, -1 = one
// mutable borrow. Lives in a Cell, so every access is through const.
using BorrowFlag = Cell<std::ptrdiff_t>;
inline constexpr std::ptrdiff_t kWriting = -1;

// One shared borrow of a flag; releases it when destroyed. Movable.
class BorrowRef {
 public:
  // Takes a shared borrow, or returns nullopt if the flag is mutably borrowed.
  static std::optional<BorrowRef> try_new(const BorrowFlag& flag) {
    std::ptrdiff_t state = flag.get();
    if (state < 0) return std::nullopt;
    if (state == std::numeric_limits<std::ptrdiff_t>::max()) {
      panic("RefCell: too many shared borrows");
    }
    flag.set(state + 1);
    return BorrowRef(flag);
  }
  BorrowRef(BorrowRef&& other) noexcept : flag_(std::exchange(other.flag_, nullptr)) {}
  BorrowRef& operator=(BorrowRef&& other) noexcept {
    if (this != &other) {
      release();
      flag_ = std::exchange(other.flag_, nullptr);
    }
    return *this;
  }
  ~BorrowRef() { release(); }
  // Another shared borrow of the same flag (Ref::clone).
  BorrowRef clone() const {
    FERRITE_ASSERT(flag_ != nullptr, "Ref::clone of a moved-from Ref");
    flag_->set(flag_->get() + 1);
    return BorrowRef(*flag_);
  }

 private:
  explicit BorrowRef(const BorrowFlag& flag) : flag_(&flag) {}
  void release() noexcept {
    if (flag_ != nullptr) flag_->set(flag_->get() - 1);
    flag_ = nullptr;
  }
  const BorrowFlag* flag_;
};

// The mutable borrow of a flag; releases it when destroyed. Movable.
class BorrowRefMut {
 public:
  static std::optional<BorrowRefMut> try_new(const BorrowFlag& flag) {
    if (flag.get() != 0) return std::nullopt;
    flag.set(kWriting);
    return BorrowRefMut(flag);
  }
  BorrowRefMut(BorrowRefMut&& other) noexcept : flag_(std::exchange(other.flag_, nullptr)) {}
  BorrowRefMut& operator=(BorrowRefMut&& other) noexcept {
    if (this != &other) {
      release();
      flag_ = std::exchange(other.flag_, nullptr);
    }
    return *this;
  }
  ~BorrowRefMut() { release(); }

 private:
  explicit BorrowRefMut(const BorrowFlag& flag) : flag_(&flag) {}
  void release() noexcept {
    if (flag_ != nullptr) flag_->set(0);
    flag_ = nullptr;
  }
  const BorrowFlag* flag_;
};

template <class T>
std::string refcell_conflict(std::string_view operation, std::string_view conflict) {
  std::string message("RefCell<");
  message += type_name<T>();
  message += ">::";
  message += operation;
  message += ": ";
  message += conflict;
  return message;
}

}  // namespace detail

/// Ref<T> — a shared borrow of a RefCell's value; `*` and `->` give const T&.
///
/// Contract: while any Ref is alive the value cannot be mutably borrowed.
/// Movable (a moved-from Ref is empty; dereferencing it panics); copy with
/// `Ref<T>::clone(r)`; narrow with `Ref<T>::map(std::move(r), f)`. A Ref must
/// not outlive its RefCell (checked builds abort if the cell dies first).
/// Neither Send nor Sync.
template <class T>
class Ref {
 public:
  /// Takes over `other`'s borrow; `other` is left empty.
  Ref(Ref&& other) noexcept
      : value_(std::exchange(other.value_, nullptr)), borrow_(std::move(other.borrow_)) {}
  /// Ends this borrow, then takes over `other`'s; `other` is left empty.
  Ref& operator=(Ref&& other) noexcept {
    value_ = std::exchange(other.value_, nullptr);
    borrow_ = std::move(other.borrow_);
    return *this;
  }

  /// The borrowed value. Panics on a moved-from Ref.
  const T& operator*() const { return *checked(); }
  /// Member access to the borrowed value. Panics on a moved-from Ref.
  const T* operator->() const { return checked(); }

  /// Another shared borrow of the same value (Rust: Ref::clone).
  static Ref clone(const Ref& other) { return Ref(other.checked(), other.borrow_.clone()); }

  /// A Ref to a part of the value: `f(const T&)` returns `const U&`.
  template <class F>
  requires std::is_lvalue_reference_v<std::invoke_result_t<F&, const T&>>
  static auto map(Ref&& ref, F f) {
    using U = std::remove_reference_t<std::invoke_result_t<F&, const T&>>;
    const U& part = std::invoke(f, *ref);
    ref.value_ = nullptr;
    return Ref<std::remove_const_t<U>>(&part, std::move(ref.borrow_));
  }

 private:
  template <class>
  friend class RefCell;
  template <class>
  friend class Ref;

  Ref(const T* value, detail::BorrowRef borrow) : value_(value), borrow_(std::move(borrow)) {}
  const T* checked() const {
    FERRITE_ASSERT(value_ != nullptr, "use of a moved-from Ref");
    return value_;
  }

  const T* value_;
  detail::BorrowRef borrow_;
};

/// RefMut<T> — the mutable borrow of a RefCell's value; `*` and `->` give T&.
///
/// Contract: while a RefMut is alive no other borrow of the value exists.
/// Movable (a moved-from RefMut is empty; dereferencing it panics); narrow
/// with `RefMut<T>::map(std::move(r), f)`. Must not outlive its RefCell.
/// Neither Send nor Sync.
template <class T>
class RefMut {
 public:
  /// Takes over `other`'s borrow; `other` is left empty.
  RefMut(RefMut&& other) noexcept
      : value_(std::exchange(other.value_, nullptr)), borrow_(std::move(other.borrow_)) {}
  /// Ends this borrow, then takes over `other`'s; `other` is left empty.
  RefMut& operator=(RefMut&& other) noexcept {
    value_ = std::exchange(other.value_, nullptr);
    borrow_ = std::move(other.borrow_);
    return *this;
  }

  /// The borrowed value, mutable. Panics on a moved-from RefMut.
  T& operator*() const { return *checked(); }
  /// Member access to the borrowed value. Panics on a moved-from RefMut.
  T* operator->() const { return checked(); }

  /// A RefMut to a part of the value: `f(T&)` returns `U&` (Rust's `RefMut::map`).
  /// The borrow moves into the result; `ref` is left empty.
  template <class F>
  requires std::is_lvalue_reference_v<std::invoke_result_t<F&, T&>>
  static auto map(RefMut&& ref, F f) {
    using U = std::remove_reference_t<std::invoke_result_t<F&, T&>>;
    U& part = std::invoke(f, *ref);
    ref.value_ = nullptr;
    return RefMut<U>(&part, std::move(ref.borrow_));
  }

 private:
  template <class>
  friend class RefCell;
  template <class>
  friend class RefMut;

  RefMut(T* value, detail::BorrowRefMut borrow) : value_(value), borrow_(std::move(borrow)) {}
  T* checked() const {
    FERRITE_ASSERT(value_ != nullptr, "use of a moved-from RefMut");
    return value_;
  }

  T* value_;
  detail::BorrowRefMut borrow_;
};

/// RefCell<T> — a value with run-time checked borrows.
///
/// Contract: `borrow()` succeeds unless a RefMut is alive, `borrow_mut()`
/// unless any Ref or RefMut is alive; otherwise they panic with a message
/// naming the conflict ("already mutably borrowed" / "already borrowed").
/// `try_borrow()` / `try_borrow_mut()` return the error instead. `replace`,
/// `replace_with`, `take` and `swap` borrow mutably (and panic likewise).
/// `get_mut()` and moving need no borrow in Rust; here C++ cannot prove that
/// none is alive, so they check and panic too. Destroying a RefCell while a
/// guard is alive is a bug: with FERRITE_CHECKED_BORROWS it aborts with a
/// message rather than leaving the guard dangling.
/// Send iff T is Send; never Sync.
///
/// ```cpp
///   ferrite::RefCell<std::vector<int>> log;
///   log.borrow_mut()->push_back(1);
///   auto first = log.borrow();             // a second borrow_mut() now panics
///   // (*first)[0] == 1
/// ```
template <class T>
class RefCell {
 public:
  constexpr RefCell() requires std::default_initializable<T> : value_() {}
  /// A cell holding `value`.
  constexpr explicit RefCell(T value) : value_(std::move(value)) {}

  /// Copying borrows the source (panics if it is mutably borrowed).
  RefCell(const RefCell& other) requires std::copy_constructible<T> : value_(*other.borrow()) {}
  /// Copies `other`'s value in: borrows `other` (panics if it is mutably
  /// borrowed) and this cell mutably (panics if it is borrowed).
  RefCell& operator=(const RefCell& other) requires std::copy_constructible<T> {
    if (this != &other) static_cast<void>(replace(*other.borrow()));
    return *this;
  }
  /// Moving needs the source free of borrows (panics otherwise).
  RefCell(RefCell&& other) : value_(std::move(*other.checked_mut("RefCell(RefCell&&)"))) {}
  /// Moves `other`'s value in; both cells must be free of borrows (panics otherwise).
  RefCell& operator=(RefCell&& other) {
    if (this != &other) {
      static_cast<void>(replace(std::move(*other.checked_mut("operator=(RefCell&&)"))));
    }
    return *this;
  }

  ~RefCell() {
#if FERRITE_CHECKED_BORROWS
    if (flag_.get() != 0) {
      std::string message =
          detail::refcell_conflict<T>("~RefCell", "destroyed while borrowed (a guard outlives it)");
      std::fprintf(stderr, "ferrite: %s\n", message.c_str());
      std::abort();
    }
#endif
  }

  /// A shared borrow of the value. Panics if it is mutably borrowed (Rust's
  /// `RefCell::borrow`); try_borrow() reports that instead.
  Ref<T> borrow() const {
    auto ref = try_borrow();
    if (!ref) panic(detail::refcell_conflict<T>("borrow", "already mutably borrowed"));
    return std::move(*ref);
  }
  /// The mutable borrow of the value. Panics if it is borrowed at all (Rust's
  /// `RefCell::borrow_mut`); try_borrow_mut() reports that instead.
  RefMut<T> borrow_mut() const {
    auto ref = try_borrow_mut();
    if (!ref) panic(detail::refcell_conflict<T>("borrow_mut", "already borrowed"));
    return std::move(*ref);
  }
  /// A shared borrow, or BorrowError if the value is mutably borrowed.
  std::expected<Ref<T>, BorrowError> try_borrow() const {
    std::optional<detail::BorrowRef> borrow = detail::BorrowRef::try_new(flag_);
    if (!borrow) return std::unexpected(BorrowError{});
    return Ref<T>(value_.get(), std::move(*borrow));
  }
  /// The mutable borrow, or BorrowMutError if the value is borrowed.
  std::expected<RefMut<T>, BorrowMutError> try_borrow_mut() const {
    std::optional<detail::BorrowRefMut> borrow = detail::BorrowRefMut::try_new(flag_);
    if (!borrow) return std::unexpected(BorrowMutError{});
    return RefMut<T>(value_.get(), std::move(*borrow));
  }

  /// Puts `value` in and returns the old value (borrows mutably).
  [[nodiscard]] T replace(T value) const {
    RefMut<T> guard = checked_mut("replace");
    return std::exchange(*guard, std::move(value));
  }
  /// Replaces the value with `f(T&)` (computed while mutably borrowed).
  template <class F>
  requires std::convertible_to<std::invoke_result_t<F&, T&>, T>
  [[nodiscard]] T replace_with(F f) const {
    RefMut<T> guard = checked_mut("replace_with");
    T next = std::invoke(f, *guard);
    return std::exchange(*guard, std::move(next));
  }
  /// Returns the value, leaving `T()` in the cell (borrows mutably; panics if borrowed).
  [[nodiscard]] T take() const requires std::default_initializable<T> { return replace(T()); }
  /// Exchanges the values of two cells (both borrowed mutably; a cell swapped
  /// with itself panics, as in Rust).
  void swap(const RefCell& other) const {
    RefMut<T> mine = checked_mut("swap");
    RefMut<T> theirs = other.checked_mut("swap");
    std::ranges::swap(*mine, *theirs);
  }

  /// The value, through a non-const cell. Panics if a Ref or RefMut is alive
  /// (Rust makes that a compile error).
  T& get_mut() {
    FERRITE_ASSERT(flag_.get() == 0, detail::refcell_conflict<T>("get_mut", "already borrowed"));
    return *value_.get();
  }
  /// Moves the value out. Panics if the cell is borrowed.
  T into_inner() && { return std::move(*checked_mut("into_inner")); }

  friend bool operator==(const RefCell& a, const RefCell& b) requires std::equality_comparable<T> {
    return *a.borrow() == *b.borrow();
  }

 private:
  RefMut<T> checked_mut(std::string_view operation) const {
    auto ref = try_borrow_mut();
    if (!ref) panic(detail::refcell_conflict<T>(operation, "already borrowed"));
    return std::move(*ref);
  }

  UnsafeCell<T> value_;
  detail::BorrowFlag flag_{0};
};

/// OnceCell<T> — a value written at most once, then shared by const&.
///
/// Contract: `get()` is null until a value is set, then points at it for the
/// cell's life (until the non-const `take()`, or destruction). `set(v)` hands
/// `v` back in the error when a value is already there. `get_or_init(f)` runs
/// `f` only when empty: if `f` throws, the cell stays empty and the exception
/// propagates; initializing the same cell from inside `f` panics ("reentrant
/// initialization"), as in Rust.
/// Send iff T is Send; never Sync (use OnceLock<T> to share between threads).
///
/// ```cpp
///   ferrite::OnceCell<std::string> name;
///   const std::string& n = name.get_or_init([] { return std::string("ferrite"); });
///   // name.set("other") returns std::unexpected("other"); n == "ferrite"
/// ```
template <class T>
class OnceCell {
 public:
  constexpr OnceCell() = default;
  /// A cell already holding `value`.
  constexpr explicit OnceCell(T value) : value_(std::in_place, std::in_place, std::move(value)) {}

  /// A cell holding a copy of `other`'s value, or empty if `other` is.
  OnceCell(const OnceCell& other) requires std::copy_constructible<T>
      : value_(*other.value_.get()) {}
  /// Replaces this cell's contents with a copy of `other`'s.
  OnceCell& operator=(const OnceCell& other) requires std::copy_constructible<T> {
    if (this != &other) value_.get_mut() = *other.value_.get();
    return *this;
  }
  /// Takes `other`'s value; `other` keeps a moved-from T if it had one.
  OnceCell(OnceCell&& other) : value_(std::move(other.value_.get_mut())) {}
  /// Replaces this cell's contents with `other`'s, moved.
  OnceCell& operator=(OnceCell&& other) {
    if (this != &other) value_.get_mut() = std::move(other.value_.get_mut());
    return *this;
  }

  /// The value, or null while the cell is empty.
  const T* get() const noexcept {
    const std::optional<T>& slot = *value_.get();
    return slot ? &*slot : nullptr;
  }
  /// The value through a non-const cell, or null while it is empty.
  T* get_mut() noexcept {
    std::optional<T>& slot = value_.get_mut();
    return slot ? &*slot : nullptr;
  }

  /// Stores `value` if the cell is empty; otherwise hands `value` back as the error.
  std::expected<void, T> set(T value) const {
    std::optional<T>& slot = *value_.get();
    if (slot) return std::unexpected(std::move(value));
    slot.emplace(std::move(value));
    return {};
  }

  /// The value, initialized with `f()` first if the cell is empty. If `f` throws
  /// the cell stays empty; initializing the cell from inside `f` panics.
  template <class F>
  requires std::convertible_to<std::invoke_result_t<F&>, T>
  const T& get_or_init(F f) const {
    if (const T* existing = get()) return *existing;
    if (initializing_.get()) {
      panic(std::string("OnceCell<")
                .append(detail::type_name<T>())
                .append(">::get_or_init: reentrant initialization"));
    }
    T value = [&]() -> T {
      initializing_.set(true);
      InitializingReset reset{initializing_};
      return std::invoke(f);
    }();
    std::optional<T>& slot = *value_.get();
    if (slot) {
      // `f` set the cell itself (through set()): Rust panics here too.
      panic(std::string("OnceCell<")
                .append(detail::type_name<T>())
                .append(">::get_or_init: reentrant initialization"));
    }
    slot.emplace(std::move(value));
    return *slot;
  }

  /// Empties the cell, returning its value if any.
  std::optional<T> take() noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::exchange(value_.get_mut(), std::nullopt);
  }
  /// Moves the value out, if any.
  std::optional<T> into_inner() && { return std::move(value_).into_inner(); }

 private:
  struct InitializingReset {
    const Cell<bool>& flag;
    ~InitializingReset() { flag.set(false); }
  };

  UnsafeCell<std::optional<T>> value_;
  Cell<bool> initializing_{false};
};

}  // namespace ferrite
