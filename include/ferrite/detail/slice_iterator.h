// ferrite/detail/slice_iterator.h — internal: the contiguous iterator of
// Vec, Slice and SliceMut (their `iterator` and `const_iterator`).
//
// Not part of the public API: reach it through ferrite/slice.h or
// ferrite/vec.h, as Vec<T>::iterator, Slice<T>::iterator, ...
#pragma once

#include <compare>
#include <cstddef>
#include <iterator>
#include <memory>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

// Panic messages (lib/vec.cc), out of line so that the checks stay small.

// "ferrite: iterator out of bounds: ..." (moving `offset` from `position`
// of a view of `len` elements, or dereferencing its end).
[[noreturn, gnu::cold]] void iterator_out_of_bounds(std::ptrdiff_t position, std::ptrdiff_t offset,
                                                    std::ptrdiff_t len);
// "ferrite: iterators of two different views compared or subtracted"
[[noreturn, gnu::cold]] void iterators_mismatched();

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

}  // namespace ferrite::detail
