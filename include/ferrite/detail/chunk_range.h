// ferrite/detail/chunk_range.h — internal: the ranges behind
// Slice::chunks(n) and SliceMut::chunks_mut(n) (ferrite::Chunks<T> and
// ferrite::ChunksMut<T>, defined in ferrite/slice.h).
//
// Not part of the public API: reach it through ferrite/slice.h.
#pragma once

#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

// Panic messages (lib/vec.cc), out of line so that the checks stay small.

// "ferrite::ChunksMut: the chunk ... was already handed out ..."
[[noreturn, gnu::cold]] void chunk_handed_out_twice(std::size_t remaining);
// "ferrite::ChunksMut: begin() called twice ..."
[[noreturn, gnu::cold]] void chunks_mut_iterated_twice();

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
    return iterator(whole_.data_, whole_.len(), chunk_size_, whole_.lend_source());
  }
  auto end() const noexcept {
    if constexpr (kSinglePass) {
      return std::default_sentinel;
    } else {
      // SAFETY(vec-chunk-end): one past the end of the viewed array.
      Element* past_end = FERRITE_UNSAFE_BUFFERS(whole_.data_ + whole_.len());
      return iterator(past_end, 0, chunk_size_, whole_.lend_source());
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

}  // namespace ferrite::detail
