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
// chunks, and every iterator of them included, so an iterator that outlives
// its view or chunk range still holds the Vec), and the Vec panics rather
// than change under it. A std::span cannot be counted, so as_span() takes
// unsafe_fn. With the checks off, sizeof(Slice<T>) is two words.
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
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite {

template <class T>
class Vec;
template <class T>
class Slice;
template <class T>
class SliceMut;

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

// "ferrite: iterator out of bounds: ..." (moving `offset` from `position`
// of a view of `len` elements, or dereferencing its end).
[[noreturn, gnu::cold]] void iterator_out_of_bounds(std::ptrdiff_t position, std::ptrdiff_t offset,
                                                    std::ptrdiff_t len);
// "ferrite: iterators of two different views compared or subtracted"
[[noreturn, gnu::cold]] void iterators_mismatched();
// "ferrite::ChunksMut: the chunk ... was already handed out ..."
[[noreturn, gnu::cold]] void chunk_handed_out_twice(std::size_t remaining);
// "ferrite::ChunksMut: begin() called twice ..."
[[noreturn, gnu::cold]] void chunks_mut_iterated_twice();

// ---------------------------------------------------------------------------
// The contiguous iterator of Vec, Slice and SliceMut (E is T or const T).
//
// Checked builds: an iterator knows the array it walks ([first, last)) and
// holds a counted borrow of its source, like a view: the Vec cannot change
// while it lives, and every step, `[]` and `*` is bounds-checked (panics).
// Release builds: one raw pointer, no checks (std::vector's iterators).
// ---------------------------------------------------------------------------

template <class E>
class SliceIterator {
 public:
  using iterator_concept = std::contiguous_iterator_tag;
  using iterator_category = std::random_access_iterator_tag;
  using value_type = std::remove_cv_t<E>;
  using difference_type = std::ptrdiff_t;
  using pointer = E*;
  using reference = E&;

  SliceIterator() = default;
  // # Safety: [first, last) is one array of live elements, first <= position
  // <= last, and the array outlives every use of this iterator and of its
  // copies (for a view of a Vec, `borrow` makes checked builds enforce it).
  SliceIterator(UnsafeFn /*unused*/, [[maybe_unused]] E* first, E* position,
                [[maybe_unused]] E* last, [[maybe_unused]] BorrowToken borrow) noexcept
      : position_(position)
#if FERRITE_CHECKED_BORROWS
        ,
        first_(first),
        last_(last),
        borrow_(std::move(borrow))
#endif
  {
  }
  // iterator -> const_iterator.
  template <class U>
    requires(std::is_same_v<const U, E> && !std::is_same_v<U, E>)
  // NOLINTNEXTLINE(google-explicit-constructor): as std containers' iterators.
  SliceIterator(const SliceIterator<U>& other) noexcept
      : position_(other.position_)
#if FERRITE_CHECKED_BORROWS
        ,
        first_(other.first_),
        last_(other.last_),
        borrow_(other.borrow_)
#endif
  {
  }

  reference operator*() const noexcept(!kCheckedBorrows) {
#if FERRITE_CHECKED_BORROWS
    if (position_ == last_) [[unlikely]] {
      iterator_out_of_bounds(position_ - first_, 0, last_ - first_);
    }
#endif
    return *position_;
  }
  // Not checked: std::to_address(end()) is valid and dereferences nothing.
  pointer operator->() const noexcept { return position_; }
  reference operator[](difference_type n) const noexcept(!kCheckedBorrows) {
    return *(*this + n);
  }

  SliceIterator& operator++() noexcept(!kCheckedBorrows) {
    position_ = advanced(1);
    return *this;
  }
  SliceIterator operator++(int) noexcept(!kCheckedBorrows) {
    SliceIterator before = *this;
    ++*this;
    return before;
  }
  SliceIterator& operator--() noexcept(!kCheckedBorrows) {
    position_ = advanced(-1);
    return *this;
  }
  SliceIterator operator--(int) noexcept(!kCheckedBorrows) {
    SliceIterator before = *this;
    --*this;
    return before;
  }
  SliceIterator& operator+=(difference_type n) noexcept(!kCheckedBorrows) {
    position_ = advanced(n);
    return *this;
  }
  SliceIterator& operator-=(difference_type n) noexcept(!kCheckedBorrows) {
    position_ = advanced(-n);
    return *this;
  }
  friend SliceIterator operator+(SliceIterator it, difference_type n) noexcept(!kCheckedBorrows) {
    it += n;
    return it;
  }
  friend SliceIterator operator+(difference_type n, SliceIterator it) noexcept(!kCheckedBorrows) {
    it += n;
    return it;
  }
  friend SliceIterator operator-(SliceIterator it, difference_type n) noexcept(!kCheckedBorrows) {
    it -= n;
    return it;
  }
  friend difference_type operator-(const SliceIterator& a,
                                   const SliceIterator& b) noexcept(!kCheckedBorrows) {
#if FERRITE_CHECKED_BORROWS
    if (a.first_ != b.first_) [[unlikely]] iterators_mismatched();
#endif
    return a.position_ - b.position_;
  }

  friend bool operator==(const SliceIterator& a, const SliceIterator& b) noexcept {
    return a.position_ == b.position_;
  }
  friend std::strong_ordering operator<=>(const SliceIterator& a,
                                          const SliceIterator& b) noexcept {
    return std::compare_three_way{}(a.position_, b.position_);
  }

 private:
  template <class>
  friend class SliceIterator;

  // position_ + n, the one place an iterator moves.
  E* advanced(difference_type n) const noexcept(!kCheckedBorrows) {
#if FERRITE_CHECKED_BORROWS
    const difference_type index = position_ - first_;
    const difference_type len = last_ - first_;
    if (n < -index || n > len - index) [[unlikely]] iterator_out_of_bounds(index, n, len);
    // SAFETY(vec-iterator): first_ <= position_ <= last_ bound one array of
    // `len` elements (the constructor's precondition; every move goes through
    // this function), and -index <= n <= len - index was checked just above,
    // so position_ + n lies in [first_, last_].
    return FERRITE_UNSAFE_BUFFERS(position_ + n);
#else
    // SAFETY(vec-iterator-release): release builds (FERRITE_CHECKED_BORROWS=0)
    // keep no bounds, so that an iterator is one pointer and std algorithms
    // run at raw-pointer speed: this step is unchecked. Every checked build
    // (tests, sanitizer and fuzz targets) compiles the bounds-checked branch
    // above instead, and that is where out-of-bounds arithmetic is caught.
    return FERRITE_UNSAFE_BUFFERS(position_ + n);
#endif
  }

  E* position_ = nullptr;
#if FERRITE_CHECKED_BORROWS
  E* first_ = nullptr;
  E* last_ = nullptr;
  BorrowToken borrow_;
#endif
};

// ---------------------------------------------------------------------------
// chunks(n) / chunks_mut(n): forward ranges of Slice / SliceMut.
// ---------------------------------------------------------------------------

// View is Slice<T> or SliceMut<T>. The range holds one borrow for its whole
// life; each chunk it yields, and each iterator, is a further, separately
// counted borrow.
//
// chunks(n) is a forward range. chunks_mut(n) is single-pass (an input
// range), since each chunk it yields is a mutable view that must exist
// once: its iterator is move-only, its end is std::default_sentinel, and in
// checked builds a second begin() on one range, or a second `*it` at one
// position, panics.
template <class View>
class ChunkRange {
  using Element = typename View::element_type;
  static constexpr bool kSinglePass = !std::is_const_v<Element>;

 public:
  class iterator {
   public:
    // Each chunk it yields is a View: it is as Send/Sync as one (marker.h).
    using send_sync_as = View;
    using iterator_concept =
        std::conditional_t<kSinglePass, std::input_iterator_tag, std::forward_iterator_tag>;
    using iterator_category = std::input_iterator_tag;
    using value_type = View;
    using difference_type = std::ptrdiff_t;
    using reference = View;

    iterator() = default;
    iterator(const iterator&)
      requires(!kSinglePass)
    = default;
    iterator& operator=(const iterator&)
      requires(!kSinglePass)
    = default;
    iterator(iterator&&) noexcept = default;
    iterator& operator=(iterator&&) noexcept = default;
    ~iterator() = default;

    // The chunk at this position: min(chunk_size, remaining) elements.
    View operator*() const {
#if FERRITE_CHECKED_BORROWS
      if constexpr (kSinglePass) {
        if (handed_out_) [[unlikely]] chunk_handed_out_twice(remaining_);
        handed_out_ = true;
      }
#endif
      return View(unsafe_fn, position_, std::min(chunk_size_, remaining_),
                  BorrowToken(borrow_.source()));
    }
    iterator& operator++() noexcept {
      const std::size_t step = std::min(chunk_size_, remaining_);
      // SAFETY(vec-chunk-step): step <= remaining_, the number of elements
      // left after position_ in the viewed array, so the result stays inside
      // it or one past its end.
      position_ = FERRITE_UNSAFE_BUFFERS(position_ + step);
      remaining_ -= step;
#if FERRITE_CHECKED_BORROWS
      handed_out_ = false;
#endif
      return *this;
    }
    auto operator++(int) noexcept {
      if constexpr (kSinglePass) {
        ++*this;
      } else {
        iterator before = *this;
        ++*this;
        return before;
      }
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_ && a.remaining_ == b.remaining_;
    }
    friend bool operator==(const iterator& it, std::default_sentinel_t /*unused*/) noexcept {
      return it.remaining_ == 0;
    }

   private:
    friend class ChunkRange;
    iterator(Element* position, std::size_t remaining, std::size_t chunk_size,
             BorrowSource source) noexcept
        : position_(position),
          remaining_(remaining),
          chunk_size_(chunk_size),
          borrow_(source) {}

    Element* position_ = nullptr;
    std::size_t remaining_ = 0;
    std::size_t chunk_size_ = 1;
    // Counted: an iterator keeps the viewed elements alive even when the
    // range it came from was a temporary.
    [[no_unique_address]] BorrowToken borrow_;
#if FERRITE_CHECKED_BORROWS
    // chunks_mut: whether the chunk at this position has been handed out.
    mutable bool handed_out_ = false;
#endif
  };

  // # Safety: chunk_size > 0 (the public chunks(n) functions check it).
  ChunkRange(UnsafeFn /*unused*/, View whole, std::size_t chunk_size) noexcept
      : whole_(std::move(whole)), chunk_size_(chunk_size) {}

  iterator begin() const noexcept(!kSinglePass || !kCheckedBorrows) {
#if FERRITE_CHECKED_BORROWS
    if constexpr (kSinglePass) {
      if (begun_) [[unlikely]] chunks_mut_iterated_twice();
      begun_ = true;
    }
#endif
    return iterator(whole_.data_, whole_.len(), chunk_size_, whole_.borrow_.source());
  }
  auto end() const noexcept {
    if constexpr (kSinglePass) {
      return std::default_sentinel;
    } else {
      // SAFETY(vec-chunk-end): one past the end of the viewed array.
      Element* past_end = FERRITE_UNSAFE_BUFFERS(whole_.data_ + whole_.len());
      return iterator(past_end, 0, chunk_size_, whole_.borrow_.source());
    }
  }
  // Number of chunks: ceil(len / chunk_size).
  std::size_t size() const noexcept { return (whole_.len() + chunk_size_ - 1) / chunk_size_; }
  bool empty() const noexcept { return whole_.len() == 0; }

 private:
  View whole_;
  std::size_t chunk_size_;
#if FERRITE_CHECKED_BORROWS
  // chunks_mut: whether begin() has been called.
  mutable bool begun_ = false;
#endif
};

}  // namespace detail

template <class T>
using Chunks = detail::ChunkRange<Slice<T>>;
template <class T>
using ChunksMut = detail::ChunkRange<SliceMut<T>>;

// ===========================================================================
// Slice<T> — Rust's `&[T]`: a read-only view of `len()` contiguous Ts.
//
// Contract: views elements it does not own; in checked builds a Slice taken
// from a Vec counts as a borrow of it until destroyed (see the banner), so
// the Vec cannot reallocate under it. Copying is cheap and counts another
// borrow; a moved-from Slice still views the same elements (moving is
// copying, as for `&[T]`). Indexing panics out of range; `get(i)` returns
// null instead; `first()/last()` return null when empty.
// Send and Sync when T is Sync.
//
//   ferrite::Vec<int> v{1, 2, 3};
//   ferrite::Slice<int> s = v.as_slice();
//   // s.len() == 3, s[2] == 3, *s.last() == 3, s.get(3) == nullptr
// ===========================================================================
template <class T>
class Slice {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                "ferrite::Slice<T>: T must be a non-const, non-array object type");

 public:
  using element_type = const T;
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<const T>;
  using const_iterator = iterator;

  // The empty slice.
  Slice() = default;
  Slice(const Slice&) = default;
  Slice& operator=(const Slice&) = default;
  ~Slice() = default;

  // Rust's deref coercions: a Vec or a SliceMut can be passed where a Slice
  // is expected; the Slice counts as a borrow of the Vec.
  // NOLINTNEXTLINE(google-explicit-constructor)
  Slice(const Vec<T>& vec) : Slice(vec.as_slice()) {}
  // NOLINTNEXTLINE(google-explicit-constructor)
  Slice(const SliceMut<T>& slice) : Slice(slice.as_slice()) {}

  // A Slice over memory ferrite does not manage; never counted as a borrow.
  //
  // # Safety: [data, data+len) are live Ts (data may be null when len == 0)
  // that nobody mutates while this Slice or a view derived from it is used.
  static Slice from_raw(UnsafeFn /*unused*/, const T* data, std::size_t len) noexcept {
    return Slice(unsafe_fn, data, len, detail::BorrowToken());
  }

  std::size_t len() const noexcept { return len_; }
  bool is_empty() const noexcept { return len_ == 0; }

  // Panics unless index < len().
  const T& operator[](std::size_t index) const {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Slice", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  // # Safety: index < len().
  const T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) const noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(slice-get): index < len_ (caller contract), inside the view.
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  // Null when index >= len().
  const T* get(std::size_t index) const noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  // Null when empty.
  const T* first() const noexcept { return get(0); }
  const T* last() const noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }

  // Iterators count as borrows like the view itself (checked builds).
  iterator begin() const noexcept { return iterator(unsafe_fn, data_, data_, past_end(), borrow_); }
  iterator end() const noexcept {
    const T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, borrow_);
  }

  // The view as a std::span, for APIs that take one. A span is a raw view
  // that no borrow check can follow, so taking one is unchecked.
  //
  // # Safety: the span is not used after this Slice (and every view it was
  // derived from) is destroyed, nor while its elements are mutated.
  std::span<const T> as_span(UnsafeFn /*unused*/) const noexcept {
    // SAFETY(slice-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<const T>(data_, len_));
  }
#if defined(__clang__)
#pragma clang diagnostic push
// `= delete("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  std::span<const T> as_span() const = delete(
      "ferrite::Slice::as_span: a std::span is not a counted borrow and could outlive the "
      "Vec; iterate the Slice, or call as_span(ferrite::unsafe_fn) and keep the span within "
      "the Slice's life");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  // [0, mid) and [mid, len()), or nullopt when mid > len().
  std::optional<std::pair<Slice, Slice>> split_at(std::size_t mid) const {
    if (mid > len_) return std::nullopt;
    return split_at_unchecked(unsafe_fn, mid);
  }
  // # Safety: mid <= len().
  std::pair<Slice, Slice> split_at_unchecked(UnsafeFn /*unused*/, std::size_t mid) const {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(slice-split): mid <= len_ (caller contract), so both halves lie
    // inside the view.
    const T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {Slice(unsafe_fn, data_, mid, borrow_), Slice(unsafe_fn, tail, len_ - mid, borrow_)};
  }

  // Consecutive views of `chunk_size` elements (the last may be shorter).
  // Panics when chunk_size == 0.
  Chunks<T> chunks(std::size_t chunk_size) const {
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::Slice::chunks");
    return Chunks<T>(unsafe_fn, *this, chunk_size);
  }

  // A new Vec holding copies (clones) of the elements.
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
    return std::ranges::equal(a, b);
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

  const T* data_ = nullptr;
  std::size_t len_ = 0;
  [[no_unique_address]] detail::BorrowToken borrow_;
};

// ===========================================================================
// SliceMut<T> — Rust's `&mut [T]`: a view through which elements may change.
//
// Contract: as Slice, plus mutation. Move-only, like `&mut [T]`: a moved-from
// SliceMut is empty and no longer counts as a borrow. Through a const
// SliceMut the elements are read-only (`&&mut [T]` gives `&T`).
// split_at_mut() gives two disjoint views that may be used from two threads.
// Send when T is Send; Sync when T is Sync.
//
//   ferrite::Vec<int> v{1, 2, 3, 4};
//   auto [left, right] = *v.split_at_mut(1);
//   left[0] = 9;                 // v == {9, 2, 3, 4} once the views are gone
//   right.swap(0, 2);            // v == {9, 4, 3, 2}
// ===========================================================================
template <class T>
class SliceMut {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                "ferrite::SliceMut<T>: T must be a non-const, non-array object type");

 public:
  using element_type = T;
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<T>;
  using const_iterator = detail::SliceIterator<const T>;

  // The empty slice.
  SliceMut() = default;
  SliceMut(const SliceMut&) = delete;
  SliceMut& operator=(const SliceMut&) = delete;
  SliceMut(SliceMut&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        len_(std::exchange(other.len_, 0)),
        borrow_(std::move(other.borrow_)) {}
  SliceMut& operator=(SliceMut&& other) noexcept {
    SliceMut taken(std::move(other));
    std::swap(data_, taken.data_);
    std::swap(len_, taken.len_);
    std::swap(borrow_, taken.borrow_);
    return *this;
  }
  ~SliceMut() = default;

  // A SliceMut over memory ferrite does not manage; never counted.
  //
  // # Safety: [data, data+len) are live Ts (data may be null when len == 0)
  // that nothing else reads or writes while this view or one derived from it
  // is used.
  static SliceMut from_raw(UnsafeFn /*unused*/, T* data, std::size_t len) noexcept {
    return SliceMut(unsafe_fn, data, len, detail::BorrowToken());
  }

  std::size_t len() const noexcept { return len_; }
  bool is_empty() const noexcept { return len_ == 0; }

  // A read-only view of the same elements (counted like any other).
  Slice<T> as_slice() const noexcept { return Slice<T>(unsafe_fn, data_, len_, shared_borrow()); }

  // Panics unless index < len().
  T& operator[](std::size_t index) {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  const T& operator[](std::size_t index) const {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  // # Safety: index < len().
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
  T* get(std::size_t index) noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  const T* get(std::size_t index) const noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  T* first() noexcept { return get(0); }
  const T* first() const noexcept { return get(0); }
  T* last() noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }
  const T* last() const noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }

  // Iterators count as borrows like the view itself (checked builds).
  iterator begin() noexcept { return iterator(unsafe_fn, data_, data_, past_end(), borrow_); }
  iterator end() noexcept {
    T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, borrow_);
  }
  const_iterator begin() const noexcept {
    return const_iterator(unsafe_fn, data_, data_, past_end(), shared_borrow());
  }
  const_iterator end() const noexcept {
    T* last = past_end();
    return const_iterator(unsafe_fn, data_, last, last, shared_borrow());
  }

  // As Slice::as_span, mutable, and unchecked for the same reason.
  //
  // # Safety: the span is not used after this SliceMut (and every view it
  // was derived from) is destroyed, nor while another view of its elements
  // is used.
  std::span<T> as_span(UnsafeFn /*unused*/) noexcept {
    // SAFETY(slicemut-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<T>(data_, len_));
  }
#if defined(__clang__)
#pragma clang diagnostic push
// `= delete("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  std::span<T> as_span() = delete(
      "ferrite::SliceMut::as_span: a std::span is not a counted borrow and could outlive the "
      "Vec; iterate the SliceMut, or call as_span(ferrite::unsafe_fn) and keep the span within "
      "the SliceMut's life");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  // Swaps elements i and j; panics (naming the index and len) unless both
  // are < len().
  void swap(std::size_t i, std::size_t j) {
    if (i >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut::swap", i, len_);
    if (j >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::SliceMut::swap", j, len_);
    swap_unchecked(unsafe_fn, i, j);
  }
  // # Safety: i < len() and j < len().
  void swap_unchecked(UnsafeFn /*unused*/, std::size_t i, std::size_t j) {
    using std::swap;
    swap(get_unchecked(unsafe_fn, i), get_unchecked(unsafe_fn, j));
  }

  // Copy-assigns every element of `source` into this view, in order. Panics
  // when the lengths differ (before touching anything). Overlapping views
  // (possible only through from_raw or as_slice) are handled like memmove.
  // Exception safety: basic — if an assignment throws, a prefix (or suffix)
  // has been assigned.
  void copy_from_slice(Slice<T> source)
    requires std::is_copy_assignable_v<T>
  {
    if (source.len() != len_) [[unlikely]] detail::copy_length_mismatch(source.len(), len_);
    if (std::less<const T*>{}(data_, source.data_)) {
      std::ranges::copy(source, begin());
    } else {
      std::ranges::copy_backward(source, end());
    }
  }

  // [0, mid) and [mid, len()) as read-only views, or nullopt when mid > len().
  std::optional<std::pair<Slice<T>, Slice<T>>> split_at(std::size_t mid) const {
    return as_slice().split_at(mid);
  }
  // [0, mid) and [mid, len()) as two disjoint mutable views, or nullopt when
  // mid > len(). This view should not be used while the halves are.
  std::optional<std::pair<SliceMut, SliceMut>> split_at_mut(std::size_t mid) {
    if (mid > len_) return std::nullopt;
    return split_at_mut_unchecked(unsafe_fn, mid);
  }
  // # Safety: mid <= len().
  std::pair<SliceMut, SliceMut> split_at_mut_unchecked(UnsafeFn /*unused*/, std::size_t mid) {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(slicemut-split): mid <= len_ (caller contract), so [data_,
    // data_+mid) and [data_+mid, data_+len_) lie inside the view and do not
    // overlap.
    T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {SliceMut(unsafe_fn, data_, mid, borrow_),
            SliceMut(unsafe_fn, tail, len_ - mid, borrow_)};
  }

  // Consecutive views of `chunk_size` elements; panics when chunk_size == 0.
  Chunks<T> chunks(std::size_t chunk_size) const { return as_slice().chunks(chunk_size); }
  ChunksMut<T> chunks_mut(std::size_t chunk_size) {
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::SliceMut::chunks_mut");
    return ChunksMut<T>(unsafe_fn, SliceMut(unsafe_fn, data_, len_, borrow_), chunk_size);
  }

  Vec<T> to_vec() const
    requires detail::Cloneable<T>
  {
    return as_slice().to_vec();
  }

  friend bool operator==(const SliceMut& a, const SliceMut& b)
    requires std::equality_comparable<T>
  {
    return std::ranges::equal(a, b);
  }

 private:
  friend class Vec<T>;
  friend class Slice<T>;
  friend class detail::ChunkRange<SliceMut>;
  friend class detail::ChunkRange<Slice<T>>;

  SliceMut(UnsafeFn /*unused*/, T* data, std::size_t len, detail::BorrowToken borrow) noexcept
      : data_(data), len_(len), borrow_(std::move(borrow)) {}

  T* past_end() const noexcept {
    // SAFETY(slicemut-end): one past the last of the len_ viewed elements.
    return FERRITE_UNSAFE_BUFFERS(data_ + len_);
  }
  detail::BorrowToken shared_borrow() const noexcept {
    return detail::BorrowToken(borrow_.source(detail::BorrowKind::kShared));
  }

  T* data_ = nullptr;
  std::size_t len_ = 0;
  [[no_unique_address]] detail::BorrowToken borrow_;
};

}  // namespace ferrite

// Slice::to_vec() and the Slice(const Vec<T>&) conversion need Vec complete.
#include "ferrite/vec.h"  // IWYU pragma: export
