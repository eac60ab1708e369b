// ferrite/detail/vec_buffer.h — the storage of Vec (ferrite/vec.h), Rust's
// RawVec: one allocation of `capacity_` slots holding `len_` live elements,
// its growth, and the relocation of the elements into a new allocation. The
// slots themselves come from ferrite/detail/raw_storage.h. Not part of the
// public API: Vec<T> derives from VecBuffer<T> privately.
//
// VecBuffer runs no borrow checks and holds no borrows; Vec makes every
// change through it on a Vec that nothing borrows and, when element code
// runs, on a detached Vec (ferrite/detail/vec_borrows.h). It frees nothing on
// its own: ~Vec calls release_buffer().
#pragma once

#include <algorithm>
#include <cstddef>
#include <limits>
#include <memory>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/detail/raw_storage.h"
#include "ferrite/detail/slice_iterator.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

// "Vec: capacity overflow ..." (lib/vec.cc, out of line so that the checks
// stay small).
[[noreturn, gnu::cold]] void capacity_overflow(std::size_t requested, std::size_t max);

template <class T>
class VecBuffer {
 public:
  VecBuffer() noexcept = default;
  VecBuffer(const VecBuffer&) = delete;
  VecBuffer& operator=(const VecBuffer&) = delete;

 protected:
  using iterator = SliceIterator<T>;

  static constexpr bool kStrongRelocation =
      std::is_nothrow_move_constructible_v<T> || std::is_copy_constructible_v<T>;
  // Rust's RawVec::MIN_NON_ZERO_CAP.
  static constexpr std::size_t kMinNonZeroCapacity = sizeof(T) == 1 ? 8 : sizeof(T) <= 1024 ? 4 : 1;

  // Takes other's fields, leaving it empty. Neither buffer may hold elements
  // that other fields refer to, and this one must be empty.
  void take_fields(VecBuffer& other) noexcept {
    data_ = std::exchange(other.data_, nullptr);
    len_ = std::exchange(other.len_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }

  T* past_end() const noexcept {
    // SAFETY(vec-end): one past the last of the len_ live elements.
    return FERRITE_UNSAFE_BUFFERS(data_ + len_);
  }
  // Unborrowed iterators for the element shifts inside insert/remove.
  iterator begin_unchecked() noexcept {
    return iterator(unsafe_fn, data_, data_, past_end(), BorrowToken());
  }
  iterator end_unchecked() noexcept {
    T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, BorrowToken());
  }

  static std::size_t checked_add(std::size_t a, std::size_t b) {
    if (b > detail::kMaxVecLen<T> || a > detail::kMaxVecLen<T> - b) [[unlikely]] {
      detail::capacity_overflow(b > std::numeric_limits<std::size_t>::max() - a
                                    ? std::numeric_limits<std::size_t>::max()
                                    : a + b,
                                detail::kMaxVecLen<T>);
    }
    return a + b;
  }

  // The capacity to grow to when `needed` slots are required (needed >
  // capacity_): amortized doubling, at least kMinNonZeroCapacity.
  std::size_t grown_capacity(std::size_t needed) const {
    return grown_capacity(capacity_, needed);
  }
  [[gnu::always_inline]] static std::size_t grown_capacity(std::size_t capacity,
                                                           std::size_t needed) {
    if (needed > detail::kMaxVecLen<T>) [[unlikely]] {
      detail::capacity_overflow(needed, detail::kMaxVecLen<T>);
    }
    const std::size_t doubled =
        capacity > detail::kMaxVecLen<T> / 2 ? detail::kMaxVecLen<T> : capacity * 2;
    return std::max({needed, doubled, kMinNonZeroCapacity});
  }

  void truncate_unchecked(std::size_t n) noexcept {
    if (n >= len_) return;
    const std::size_t old_len = len_;
    len_ = n;  // first, as Rust does: nothing can see the destroyed elements
    // SAFETY(vec-truncate): [n, old_len) are live elements (old_len was
    // len_), now outside [0, len_); each is destroyed exactly once here.
    std::destroy(FERRITE_UNSAFE_BUFFERS(data_ + n), FERRITE_UNSAFE_BUFFERS(data_ + old_len));
  }

  // Destroys every element and frees the buffer; leaves the Vec empty.
  void release_buffer() noexcept {
    // Without destructors to run, len_ is not even read: a push loop on a
    // local Vec can then keep len_ in a register up to its exit (the unwind
    // path included) instead of storing it each time round.
    if constexpr (std::is_trivially_destructible_v<T>) {
      len_ = 0;
    } else {
      truncate_unchecked(0);
    }
    if (data_ != nullptr) detail::deallocate_slots(unsafe_fn, data_, capacity_);
    data_ = nullptr;
    capacity_ = 0;
  }

  // Moves the elements into a buffer of exactly `new_capacity` (>= len_)
  // slots; 0 frees the buffer. Strong guarantee when kStrongRelocation.
  void reallocate(std::size_t new_capacity) {
    FERRITE_DEBUG_ASSERT(new_capacity >= len_);
    if (new_capacity > detail::kMaxVecLen<T>) [[unlikely]] {
      detail::capacity_overflow(new_capacity, detail::kMaxVecLen<T>);
    }
    if (new_capacity == 0) {
      release_buffer();
      return;
    }
    detail::RawBuffer<T> fresh(unsafe_fn, new_capacity);
    if (len_ != 0) detail::relocate(unsafe_fn, data_, len_, fresh.get());
    adopt(fresh.release(), new_capacity);
  }

  // Frees the old buffer (whose elements have been relocated) and takes `slots`.
  void adopt(T* slots, std::size_t new_capacity) noexcept {
    if (data_ != nullptr) detail::deallocate_slots(unsafe_fn, data_, capacity_);
    data_ = slots;
    capacity_ = new_capacity;
  }

  // Moves a trivially copyable T's elements into a buffer of `new_capacity`
  // (> len_) slots. The relocation is a memmove and nothing after the
  // allocation can throw, so a throw (bad_alloc) changes nothing.
  //
  // Inline whole, like std::vector's growth: the compiler then sees that it
  // touches only the Vec's own fields and the allocator (the builtin
  // operator new, detail/raw_storage.h), so a push loop on a local Vec keeps
  // len_ and capacity_ in registers and a push with room left is one compare
  // and one store. An out-of-line call that takes `this` before or inside
  // the loop makes the Vec escape, and len_ then goes to memory every push.
  [[gnu::always_inline]] void move_trivially(std::size_t new_capacity) {
    static_assert(std::is_trivially_copyable_v<T>);
    FERRITE_DEBUG_ASSERT(new_capacity > len_);
    T* fresh = detail::allocate_slots<T>(unsafe_fn, new_capacity);
    if (data_ != nullptr) {
      // `fresh` holds new_capacity > len_ slots and data_ the len_ live
      // elements; relocating a trivially copyable T cannot throw.
      detail::relocate(unsafe_fn, data_, len_, fresh);
    }
    adopt(fresh, new_capacity);
  }

  // Makes room for one more trivially copyable element (amortized doubling).
  [[gnu::always_inline]] void grow_for_push() {
    move_trivially(grown_capacity(capacity_, len_ + 1));
  }

  // emplace() when full: the new element is constructed in the new buffer
  // first (its arguments may refer to old elements), then the old elements
  // are relocated behind it.
  template <class... Args>
  [[gnu::noinline]] T& emplace_grow(Args&&... args) {
    const std::size_t new_capacity = grown_capacity(len_ + 1);
    detail::RawBuffer<T> fresh(unsafe_fn, new_capacity);
    // SAFETY(vec-emplace-grow): len_ < new_capacity, so fresh + len_ is an
    // unconstructed slot of the new buffer; if construction throws, `fresh`
    // frees the buffer and nothing has changed.
    T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(fresh.get() + len_),
                                std::forward<Args>(args)...);
    if (len_ != 0) {
      try {
        detail::relocate(unsafe_fn, data_, len_, fresh.get());
      } catch (...) {
        // SAFETY(vec-emplace-grow-undo): `slot` was constructed above and
        // nothing else refers to it yet.
        std::destroy_at(slot);
        throw;
      }
    }
    adopt(fresh.release(), new_capacity);
    ++len_;
    return *slot;
  }

  // insert() for a T whose move may throw: copy (or move) [0, index), the
  // value, and [index, len_) into a new buffer; the old one is untouched
  // until everything succeeded.
  void insert_into_new_buffer(std::size_t index, T&& value) {
    const std::size_t new_capacity = len_ == capacity_ ? grown_capacity(len_ + 1) : capacity_;
    detail::RawBuffer<T> fresh(unsafe_fn, new_capacity);
    T* out = fresh.get();
    // SAFETY(vec-insert-slot): index <= len_ < new_capacity: a slot of the new
    // buffer; on a throw `fresh` frees the buffer, nothing else changed.
    T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(out + index), std::move(value));
    try {
      // SAFETY(vec-insert-copy-front): [data_, data_+index) are live elements
      // and [out, out+index) unconstructed slots of the new buffer.
      FERRITE_UNSAFE_BEGIN
      if constexpr (kStrongRelocation && !std::is_nothrow_move_constructible_v<T>) {
        std::uninitialized_copy(data_, data_ + index, out);
      } else {
        std::uninitialized_move(data_, data_ + index, out);
      }
      FERRITE_UNSAFE_END
      try {
        // SAFETY(vec-insert-copy-back): [data_+index, data_+len_) are live and
        // [slot+1, slot+1+(len_-index)) lies within new_capacity > len_.
        FERRITE_UNSAFE_BEGIN
        if constexpr (kStrongRelocation && !std::is_nothrow_move_constructible_v<T>) {
          std::uninitialized_copy(data_ + index, data_ + len_, slot + 1);
        } else {
          std::uninitialized_move(data_ + index, data_ + len_, slot + 1);
        }
        FERRITE_UNSAFE_END
      } catch (...) {
        // SAFETY(vec-insert-undo-front): [out, out+index) were constructed above.
        std::destroy(out, slot);
        throw;
      }
    } catch (...) {
      // SAFETY(vec-insert-undo-slot): `slot` was constructed above.
      std::destroy_at(slot);
      throw;
    }
    // SAFETY(vec-insert-destroy-old): every old element has a copy in the new
    // buffer; the old ones are destroyed once, then their buffer is freed.
    std::destroy(data_, FERRITE_UNSAFE_BUFFERS(data_ + len_));
    adopt(fresh.release(), new_capacity);
    ++len_;
  }

  T* data_ = nullptr;
  std::size_t len_ = 0;
  std::size_t capacity_ = 0;
};

// What Vec<T> derives from: VecBuffer<T>, or for a T that Vec rejects (a
// reference, void, an array, a const type) an empty class, so that Vec's
// own static_assert is the one error rather than VecBuffer<int&>'s members.
struct RejectedVecBuffer {};
template <class T>
using VecBufferFor = std::conditional_t<MutableObjectValue<T>, VecBuffer<T>, RejectedVecBuffer>;

}  // namespace ferrite::detail
