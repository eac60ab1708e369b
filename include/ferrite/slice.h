// ferrite/slice.h — the borrowed views Slice<T> (Rust's `&[T]`) and
// SliceMut<T> (`&mut [T]`) over contiguous elements, with their iterators and
// chunks(n) / chunks_mut(n) ranges.
//
//   Slice<T>     a non-owning, read-only view of contiguous elements.
//   SliceMut<T>  a non-owning view through which the elements may be changed.
//                `split_at_mut(mid)` cuts one into two disjoint halves, which
//                two threads may then mutate in parallel.
//
// Views usually come from a Vec (ferrite/vec.h: as_slice(), as_mut_slice(),
// split_at_mut(), chunks()); `from_raw(unsafe_fn, ...)` views memory that
// ferrite does not manage. Every access is bounds-checked and panics
// (ferrite::panic) with a message naming the index and the length; each
// checked function verifies its precondition and then calls an
// `_unchecked(unsafe_fn, ...)` twin whose `# Safety` section states what the
// caller must guarantee. Iterators are contiguous, so <algorithm> and
// <ranges> work; checked builds bounds-check them (see ferrite/vec.h),
// release builds trust the caller to keep them within [begin(), end()].
//
// Checked borrows (FERRITE_CHECKED_BORROWS, see ferrite/vec.h): a view taken
// from a Vec counts as a borrow of it while it lives (copies, sub-slices,
// chunks, and every iterator of them included, directly or through the
// SliceMut they were taken from, so an iterator that outlives its view or
// chunk range still holds the Vec), and the Vec panics rather than change
// under it. A std::span cannot be counted, so as_span() takes
// unsafe_fn.
//
// A SliceMut is exclusive, as `&mut [T]` is: every view or iterator taken
// from it borrows it in turn (split_at_mut halves, chunks_mut ranges and
// their chunks, mutable iterators exclusively; as_slice(), the conversion to
// Slice, const iterators and chunks() shared). While an exclusive one lives,
// every access through the SliceMut panics, naming the operation and the
// count:
//
//   "SliceMut::operator[] while 2 slices or iterators borrow it: ..."
//
// and while shared ones live, its mutable access panics (read through
// std::as_const meanwhile). A mutable iterator may be taken beside other
// mutable iterators, so begin() and end() pair up. The SliceMut may die or
// move before its children (`auto [a, b] = *v.as_mut_slice().split_at_mut(2);`):
// the counts live in a small reference-counted record the children keep
// alive (detail/borrow.h), which also keeps the Vec borrowed until the last
// of them is gone. With the checks off, nothing is counted, and
// sizeof(Slice<T>) and sizeof(SliceMut<T>) are two words.
//
// Send/Sync (marker.h): SliceMut<T> is Send when T is Send and Sync when T is
// Sync; Slice<T> is Send and Sync when T is Sync.
//
// Slice::to_vec() returns a Vec, so this header also provides ferrite/vec.h.
#pragma once

#include <algorithm>
#include <compare>
#include <concepts>
#include <cstddef>
#include <functional>
#include <iterator>
#include <optional>
#include <span>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/detail/chunk_range.h"
#include "ferrite/detail/config.h"
#include "ferrite/detail/slice_iterator.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite {

// Vec, Slice and SliceMut are declared by ferrite/marker.h (their Send/Sync rows).

namespace detail {

// Panic messages (lib/vec.cc), out of line so that the checks stay small.

// "<type>: index out of bounds: the len is <len> but the index is <index>"
[[noreturn, gnu::cold]] void index_out_of_bounds(const char* type, std::size_t index,
                                                 std::size_t len);
// "<op>: chunk size must be non-zero"
[[noreturn, gnu::cold]] void chunk_size_zero(const char* op);
// "SliceMut::copy_from_slice: source slice length (3) does not match ..."
[[noreturn, gnu::cold]] void copy_length_mismatch(std::size_t source, std::size_t destination);

// Rust's Clone: a copy, or x.clone() when T has no copy (e.g. a nested Vec).
template <class T>
concept Cloneable = requires(const T& x) {
  { x.clone() } -> std::same_as<T>;
} || std::is_copy_constructible_v<T>;

// std::ranges::equal(a, b), with the iterators taken in a fixed order (a's
// begin and end, then b's): the order of a call's arguments is unspecified
// (GCC evaluates them last to first), and a view that refuses to be iterated
// must name the same operation under every compiler.
template <class A, class B>
bool ranges_equal(const A& a, const B& b) {
  auto a_first = a.begin();
  auto a_last = a.end();
  auto b_first = b.begin();
  auto b_last = b.end();
  return std::ranges::equal(std::move(a_first), std::move(a_last), std::move(b_first),
                            std::move(b_last));
}

}  // namespace detail

/// The range Slice::chunks() returns: consecutive Slices of a fixed size.
template <class T>
using Chunks = detail::ChunkRange<Slice<T>>;
/// The range chunks_mut() returns: consecutive, disjoint SliceMuts of a fixed size.
template <class T>
using ChunksMut = detail::ChunkRange<SliceMut<T>>;

// ===========================================================================
/// Slice<T> — Rust's `&[T]`: a read-only view of `len()` contiguous Ts.
///
/// Contract: views elements it does not own; in checked builds a Slice taken
/// from a Vec counts as a borrow of it until destroyed (see the banner), so
/// the Vec cannot reallocate under it. Copying is cheap and counts another
/// borrow; a moved-from Slice still views the same elements (moving is
/// copying, as for `&[T]`). Indexing panics out of range; `get(i)` returns
/// null instead; `first()/last()` return null when empty.
/// Send and Sync when T is Sync.
///
/// ```cpp
///   ferrite::Vec<int> v{1, 2, 3};
///   ferrite::Slice<int> s = v.as_slice();
///   // s.len() == 3, s[2] == 3, *s.last() == 3, s.get(3) == nullptr
/// ```
// ===========================================================================
template <class T>
class Slice {
  static_assert(detail::MutableObjectValue<T>,
                "ferrite::Slice<T>: T must be a non-const, non-array object type");

 public:
  ///@{
  /// The standard container member types (for generic code and ranges).
  using element_type = const T;
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<const T>;
  using const_iterator = iterator;
  ///@}

  // The empty slice.
  Slice() = default;
  ///@{
  /// Copying views the same elements and counts another borrow (checked builds).
  Slice(const Slice&) = default;
  Slice& operator=(const Slice&) = default;
  ///@}
  ~Slice() = default;

  ///@{
  /// Rust's deref coercions: a Vec or a SliceMut can be passed where a Slice
  /// is expected; the Slice counts as a borrow of the Vec.
  // NOLINTNEXTLINE(google-explicit-constructor)
  Slice(const Vec<T>& vec) : Slice(vec.as_slice()) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Slice(const SliceMut<T>& slice) : Slice(slice.as_slice()) {}
  ///@}

  /// A Slice over memory ferrite does not manage; never counted as a borrow.
  ///
  /// # Safety: [data, data+len) are live Ts (data may be null when len == 0)
  /// that nobody mutates while this Slice or a view derived from it is used.
  static Slice from_raw(UnsafeFn /*unused*/, const T* data, std::size_t len) noexcept {
    return Slice(unsafe_fn, data, len, detail::BorrowToken());
  }

  ///@{
  /// The number of elements; is_empty() is `len() == 0`.
  std::size_t len() const noexcept { return len_; }
  bool is_empty() const noexcept { return len_ == 0; }
  ///@}

  /// Panics unless index < len().
  const T& operator[](std::size_t index) const {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Slice", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  /// # Safety: index < len().
  const T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) const noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(slice-get): index < len_ (caller contract), inside the view.
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  /// Null when index >= len().
  const T* get(std::size_t index) const noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  ///@{
  /// Null when empty.
  const T* first() const noexcept { return get(0); }
  const T* last() const noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }
  ///@}

  ///@{
  /// Iterators count as borrows like the view itself (checked builds).
  iterator begin() const noexcept { return iterator(unsafe_fn, data_, data_, past_end(), borrow_); }
  iterator end() const noexcept {
    const T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, borrow_);
  }
  ///@}

  /// The view as a std::span, for APIs that take one. A span is a raw view
  /// that no borrow check can follow, so taking one is unchecked.
  ///
  /// # Safety: the span is not used after this Slice (and every view it was
  /// derived from) is destroyed, nor while its elements are mutated.
  std::span<const T> as_span(UnsafeFn /*unused*/) const noexcept {
    // SAFETY(slice-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<const T>(data_, len_));
  }
#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  std::span<const T> as_span() const = FERRITE_DELETE(
      "ferrite::Slice::as_span: a std::span is not a counted borrow and could outlive the "
      "Vec; iterate the Slice, or call as_span(ferrite::unsafe_fn) and keep the span within "
      "the Slice's life");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  /// [0, mid) and [mid, len()), or nullopt when mid > len().
  std::optional<std::pair<Slice, Slice>> split_at(std::size_t mid) const {
    if (mid > len_) return std::nullopt;
    return split_at_unchecked(unsafe_fn, mid);
  }
  /// # Safety: mid <= len().
  std::pair<Slice, Slice> split_at_unchecked(UnsafeFn /*unused*/, std::size_t mid) const {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(slice-split): mid <= len_ (caller contract), so both halves lie
    // inside the view.
    const T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {Slice(unsafe_fn, data_, mid, borrow_), Slice(unsafe_fn, tail, len_ - mid, borrow_)};
  }

  /// Consecutive views of `chunk_size` elements (the last may be shorter).
  /// Panics when chunk_size == 0.
  Chunks<T> chunks(std::size_t chunk_size) const {
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::Slice::chunks");
    return Chunks<T>(unsafe_fn, *this, chunk_size);
  }

  /// A new Vec holding copies (clones) of the elements.
  Vec<T> to_vec() const
    requires detail::Cloneable<T>
  {
    Vec<T> out = Vec<T>::with_capacity(len_);
    for (const T& x : *this) {
      if constexpr (std::is_copy_constructible_v<T>) {
        out.emplace(x);
      } else {
        out.emplace(x.clone());
      }
    }
    return out;
  }

  friend bool operator==(const Slice& a, const Slice& b)
    requires std::equality_comparable<T>
  {
    return detail::ranges_equal(a, b);
  }

 private:
  friend class Vec<T>;
  friend class SliceMut<T>;
  friend class detail::ChunkRange<Slice>;

  Slice(UnsafeFn /*unused*/, const T* data, std::size_t len, detail::BorrowToken borrow) noexcept
      : data_(data), len_(len), borrow_(std::move(borrow)) {}

  const T* past_end() const noexcept {
    // SAFETY(slice-end): one past the last of the len_ viewed elements.
    return FERRITE_UNSAFE_BUFFERS(data_ + len_);
  }
  // What a chunks range over this (whole) view lends: another shared borrow
  // of the same source.
  detail::BorrowSource lend_source() const noexcept { return borrow_.source(); }

  const T* data_ = nullptr;
  std::size_t len_ = 0;
  [[no_unique_address]] detail::BorrowToken borrow_;
};

// ===========================================================================
/// SliceMut<T> — Rust's `&mut [T]`: a view through which elements may change.
///
/// Contract: as Slice, plus mutation. Move-only, like `&mut [T]`: a moved-from
/// SliceMut is empty and no longer counts as a borrow. Through a const
/// SliceMut the elements are read-only (`&&mut [T]` gives `&T`).
/// split_at_mut() gives two disjoint views that may be used from two threads.
/// Exclusive (checked builds, see the banner): while a view or iterator taken
/// from it lives, it refuses access — any access for a mutable one, mutable
/// access for a shared one; len() and is_empty() stay available. Moving it
/// carries what it lent along.
/// Send when T is Send; Sync when T is Sync.
///
/// ```cpp
///   ferrite::Vec<int> v{1, 2, 3, 4};
///   auto [left, right] = *v.split_at_mut(1);
///   left[0] = 9;                 // v == {9, 2, 3, 4} once the views are gone
///   right.swap(0, 2);            // v == {9, 4, 3, 2}
/// ```
// ===========================================================================
template <class T>
class SliceMut {
  static_assert(detail::MutableObjectValue<T>,
                "ferrite::SliceMut<T>: T must be a non-const, non-array object type");

 public:
  ///@{
  /// The standard container member types (for generic code and ranges).
  using element_type = T;
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<T>;
  using const_iterator = detail::SliceIterator<const T>;
  ///@}

  // The empty slice.
  SliceMut() = default;
#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  // Doxygen cannot parse a deleted function's message: it skips these two.
  /// \cond
  SliceMut(const SliceMut&) = FERRITE_DELETE(
      "ferrite::SliceMut is not copyable (Rust's &mut [T] is not Copy): a copy would be a "
      "second mutable view of the same elements; move it, or take a shared view with "
      "as_slice()");
  SliceMut& operator=(const SliceMut&) = FERRITE_DELETE(
      "ferrite::SliceMut is not copyable (Rust's &mut [T] is not Copy): a copy would be a "
      "second mutable view of the same elements; move it, or take a shared view with "
      "as_slice()");
  /// \endcond
#if defined(__clang__)
#pragma clang diagnostic pop
#endif
  /// Moving carries what this view has lent: the children stay attached, so
  /// the new owner is frozen while they live.
  SliceMut(SliceMut&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        len_(std::exchange(other.len_, 0)),
        lender_(std::move(other.lender_)) {}
  /// The old view is released (its children, if any, live on with it).
  SliceMut& operator=(SliceMut&& other) noexcept {
    SliceMut taken(std::move(other));
    std::swap(data_, taken.data_);
    std::swap(len_, taken.len_);
    std::swap(lender_, taken.lender_);
    return *this;
  }
  ~SliceMut() = default;

  /// A SliceMut over memory ferrite does not manage; never counted.
  ///
  /// # Safety: [data, data+len) are live Ts (data may be null when len == 0)
  /// that nothing else reads or writes while this view or one derived from it
  /// is used.
  /// Its own children are counted all the same (checked builds).
  static SliceMut from_raw(UnsafeFn /*unused*/, T* data,
                           std::size_t len) noexcept(!detail::kCheckedBorrows) {
    return SliceMut(unsafe_fn, data, len, detail::BorrowToken());
  }

  ///@{
  /// The number of elements; is_empty() is `len() == 0`.
  std::size_t len() const noexcept { return len_; }
  bool is_empty() const noexcept { return len_ == 0; }
  ///@}

  /// A read-only view of the same elements, a shared borrow of this one.
  Slice<T> as_slice() const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::as_slice");
    return Slice<T>(unsafe_fn, data_, len_, lender_.lend(detail::BorrowKind::kShared));
  }

  ///@{
  /// Panics unless index < len().
  T& operator[](std::size_t index) {
    lender_.check_unlent("SliceMut::operator[]");
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  const T& operator[](std::size_t index) const {
    lender_.check_shareable("SliceMut::operator[]");
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  ///@}
  ///@{
  /// # Safety: index < len(). Performs no borrow check: nothing lent by this
  /// view may use the element meanwhile.
  T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(slicemut-get): index < len_ (caller contract), inside the view.
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  const T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) const noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(slicemut-get-const): index < len_ (caller contract).
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  ///@}
  ///@{
  /// The element at `index` (null when index >= len()), the first and the last
  /// (null when empty). Through a non-const view they need it unlent; through a
  /// const one, not lent exclusively (checked builds; panics otherwise).
  T* get(std::size_t index) noexcept(!detail::kCheckedBorrows) {
    lender_.check_unlent("SliceMut::get");
    return element(index);
  }
  const T* get(std::size_t index) const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::get");
    return element(index);
  }
  T* first() noexcept(!detail::kCheckedBorrows) {
    lender_.check_unlent("SliceMut::first");
    return element(0);
  }
  const T* first() const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::first");
    return element(0);
  }
  T* last() noexcept(!detail::kCheckedBorrows) {
    lender_.check_unlent("SliceMut::last");
    return len_ == 0 ? nullptr : element(len_ - 1);
  }
  const T* last() const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::last");
    return len_ == 0 ? nullptr : element(len_ - 1);
  }
  ///@}

  ///@{
  /// Iterators are borrows of this view (checked builds). A mutable iterator
  /// is exclusive, but may be taken beside other mutable iterators (so that
  /// begin() and end() pair up); a const one is shared.
  iterator begin() noexcept(!detail::kCheckedBorrows) {
    lender_.check_iterable("SliceMut::begin");
    return iterator(unsafe_fn, data_, data_, past_end(), iterator_borrow());
  }
  iterator end() noexcept(!detail::kCheckedBorrows) {
    lender_.check_iterable("SliceMut::end");
    T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, iterator_borrow());
  }
  const_iterator begin() const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::begin");
    return const_iterator(unsafe_fn, data_, data_, past_end(),
                          lender_.lend(detail::BorrowKind::kShared));
  }
  const_iterator end() const noexcept(!detail::kCheckedBorrows) {
    lender_.check_shareable("SliceMut::end");
    T* last = past_end();
    return const_iterator(unsafe_fn, data_, last, last, lender_.lend(detail::BorrowKind::kShared));
  }
  ///@}

  /// As Slice::as_span, mutable, and unchecked for the same reason.
  ///
  /// # Safety: the span is not used after this SliceMut (and every view it
  /// was derived from) is destroyed, nor while another view of its elements
  /// is used. Panics (checked builds) while this view has lent.
  std::span<T> as_span(UnsafeFn /*unused*/) noexcept(!detail::kCheckedBorrows) {
    lender_.check_unlent("SliceMut::as_span");
    // SAFETY(slicemut-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<T>(data_, len_));
  }
#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  std::span<T> as_span() = FERRITE_DELETE(
      "ferrite::SliceMut::as_span: a std::span is not a counted borrow and could outlive the "
      "Vec; iterate the SliceMut, or call as_span(ferrite::unsafe_fn) and keep the span within "
      "the SliceMut's life");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  /// Swaps elements i and j; panics (naming the index and len) unless both
  /// are < len().
  void swap(std::size_t i, std::size_t j) {
    lender_.check_unlent("SliceMut::swap");
    if (i >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut::swap", i, len_);
    if (j >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut::swap", j, len_);
    swap_unchecked(unsafe_fn, i, j);
  }
  /// # Safety: i < len() and j < len(). Performs no borrow check.
  void swap_unchecked(UnsafeFn /*unused*/, std::size_t i, std::size_t j) {
    using std::swap;
    swap(get_unchecked(unsafe_fn, i), get_unchecked(unsafe_fn, j));
  }

  /// Copy-assigns every element of `source` into this view, in order. Panics
  /// when the lengths differ (before touching anything). Overlapping views
  /// (possible only through from_raw, or as_slice in release builds: checked
  /// builds refuse `m.copy_from_slice(m)` as Rust does) are handled like
  /// memmove. Exception safety: basic — if an assignment throws, a prefix (or
  /// suffix) has been assigned.
  void copy_from_slice(Slice<T> source)
    requires std::is_copy_assignable_v<T>
  {
    lender_.check_unlent("SliceMut::copy_from_slice");
    if (source.len() != len_) [[unlikely]] detail::copy_length_mismatch(source.len(), len_);
    if (std::less<const T*>{}(data_, source.data_)) {
      std::ranges::copy(source, begin());
    } else {
      std::ranges::copy_backward(source, end());
    }
  }

  /// [0, mid) and [mid, len()) as read-only views, or nullopt when mid > len().
  std::optional<std::pair<Slice<T>, Slice<T>>> split_at(std::size_t mid) const {
    return as_slice().split_at(mid);
  }
  /// [0, mid) and [mid, len()) as two disjoint mutable views, or nullopt when
  /// mid > len(). Both borrow this view exclusively: while either lives,
  /// every access through this view panics (checked builds). This view may
  /// die first (`auto [a, b] = *v.as_mut_slice().split_at_mut(2);`).
  std::optional<std::pair<SliceMut, SliceMut>> split_at_mut(std::size_t mid) {
    lender_.check_unlent("SliceMut::split_at_mut");
    if (mid > len_) return std::nullopt;
    return split_at_mut_unchecked(unsafe_fn, mid);
  }
  /// # Safety: mid <= len(). Performs no borrow check (the halves are still
  /// counted as borrows of this view).
  std::pair<SliceMut, SliceMut> split_at_mut_unchecked(UnsafeFn /*unused*/, std::size_t mid) {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(slicemut-split): mid <= len_ (caller contract), so [data_,
    // data_+mid) and [data_+mid, data_+len_) lie inside the view and do not
    // overlap.
    T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {SliceMut(unsafe_fn, data_, mid, lender_.lend(detail::BorrowKind::kExclusive)),
            SliceMut(unsafe_fn, tail, len_ - mid, lender_.lend(detail::BorrowKind::kExclusive))};
  }

  ///@{
  /// Consecutive views of `chunk_size` elements; panics when chunk_size == 0.
  /// The range (and every chunk and iterator of it) borrows this view, shared
  /// for chunks(), exclusively for chunks_mut().
  Chunks<T> chunks(std::size_t chunk_size) const { return as_slice().chunks(chunk_size); }
  ChunksMut<T> chunks_mut(std::size_t chunk_size) {
    lender_.check_unlent("SliceMut::chunks_mut");
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::SliceMut::chunks_mut");
    return ChunksMut<T>(
        unsafe_fn, SliceMut(unsafe_fn, data_, len_, lender_.lend(detail::BorrowKind::kExclusive)),
        chunk_size);
  }
  ///@}

  /// A new Vec holding clones (or copies) of the elements.
  Vec<T> to_vec() const
    requires detail::Cloneable<T>
  {
    return as_slice().to_vec();
  }

  friend bool operator==(const SliceMut& a, const SliceMut& b)
    requires std::equality_comparable<T>
  {
    return detail::ranges_equal(a, b);
  }

 private:
  friend class Vec<T>;
  friend class Slice<T>;
  friend class detail::ChunkRange<SliceMut>;
  friend class detail::ChunkRange<Slice<T>>;

  // `borrow` is this view's borrow of its source (a Vec, another SliceMut,
  // or nothing); it is held by the Lender until this view and everything it
  // lent are gone.
  SliceMut(UnsafeFn /*unused*/, T* data, std::size_t len,
           detail::BorrowToken borrow) noexcept(!detail::kCheckedBorrows)
      : data_(data), len_(len), lender_(std::move(borrow)) {}

  T* past_end() const noexcept {
    // SAFETY(slicemut-end): one past the last of the len_ viewed elements.
    return FERRITE_UNSAFE_BUFFERS(data_ + len_);
  }
  // Null when index >= len(); no borrow check (the caller made it).
  T* element(std::size_t index) const noexcept {
    if (index >= len_) return nullptr;
    // SAFETY(slicemut-element): index < len_ (checked just above), inside
    // the view.
    return FERRITE_UNSAFE_BUFFERS(data_ + index);
  }
  detail::BorrowToken iterator_borrow() const noexcept {
    return lender_.lend(detail::BorrowKind::kExclusiveIterator);
  }
  // What a chunks_mut range over this (whole) view lends to its iterators
  // and chunks.
  detail::BorrowSource lend_source() const noexcept {
    return lender_.source(detail::BorrowKind::kExclusive);
  }

  T* data_ = nullptr;
  std::size_t len_ = 0;
  // What this view has lent (checked builds); empty in release builds.
  [[no_unique_address]] detail::Lender lender_;
};

}  // namespace ferrite

// Slice::to_vec() and the Slice(const Vec<T>&) conversion need Vec complete.
#include "ferrite/vec.h"  // IWYU pragma: export
