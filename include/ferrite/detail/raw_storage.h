// ferrite/detail/raw_storage.h — the raw storage of Vec (ferrite/vec.h):
// T-aligned, uninitialized slots from `::operator new` (aligned new for
// over-aligned T), and the relocation of elements into a new buffer. Not part
// of the public API.
#pragma once

#include <cstddef>
#include <limits>
#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include "ferrite/unsafe.h"

namespace ferrite::detail {

// The largest element count whose byte size fits in ptrdiff_t (Rust's limit,
// so that pointer differences within the buffer are always representable).
template <class T>
inline constexpr std::size_t kMaxVecLen =
    static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);

// ::operator new/delete as the compiler's builtins where it has them (as
// std::allocator uses them): the optimizer then knows that an allocation
// reads and writes no memory of the caller's, so growth inside a loop does
// not force the loop's state out of registers.
#if defined(__has_builtin)
#if __has_builtin(__builtin_operator_new) && __has_builtin(__builtin_operator_delete)
#define FERRITE_DETAIL_OPERATOR_NEW __builtin_operator_new
#define FERRITE_DETAIL_OPERATOR_DELETE __builtin_operator_delete
#endif
#endif
#ifndef FERRITE_DETAIL_OPERATOR_NEW
#define FERRITE_DETAIL_OPERATOR_NEW ::operator new
#define FERRITE_DETAIL_OPERATOR_DELETE ::operator delete
#endif

template <class T>
inline constexpr bool kOverAligned = alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// # Safety: 0 < capacity <= kMaxVecLen<T>.
template <class T>
T* allocate_slots(UnsafeFn /*unused*/, std::size_t capacity) {
  const std::size_t bytes = capacity * sizeof(T);
  if constexpr (kOverAligned<T>) {
    // SAFETY(vec-alloc-aligned): bytes cannot overflow (capacity <=
    // kMaxVecLen, caller contract); the aligned operator new returns storage
    // for `capacity` Ts at alignof(T), where Ts are constructed later.
    return static_cast<T*>(FERRITE_DETAIL_OPERATOR_NEW(bytes, std::align_val_t{alignof(T)}));
  } else {
    // SAFETY(vec-alloc): as vec-alloc-aligned; the default new alignment
    // covers alignof(T).
    return static_cast<T*>(FERRITE_DETAIL_OPERATOR_NEW(bytes));
  }
}

// # Safety: `slots` came from allocate_slots<T>(capacity) with this capacity,
// holds no live objects, and is not used afterwards.
template <class T>
void deallocate_slots(UnsafeFn /*unused*/, T* slots, std::size_t capacity) noexcept {
  if constexpr (kOverAligned<T>) {
    FERRITE_DETAIL_OPERATOR_DELETE(slots, capacity * sizeof(T), std::align_val_t{alignof(T)});
  } else {
    FERRITE_DETAIL_OPERATOR_DELETE(slots, capacity * sizeof(T));
  }
}

// Owns an allocation (not the objects in it) until release(): frees it if an
// exception escapes while a Vec is building a new buffer.
template <class T>
class RawBuffer {
 public:
  // # Safety: as allocate_slots.
  RawBuffer(UnsafeFn /*unused*/, std::size_t capacity)
      : slots_(allocate_slots<T>(unsafe_fn, capacity)), capacity_(capacity) {}
  RawBuffer(const RawBuffer&) = delete;
  RawBuffer& operator=(const RawBuffer&) = delete;
  ~RawBuffer() {
    if (slots_ != nullptr) deallocate_slots(unsafe_fn, slots_, capacity_);
  }
  T* get() const noexcept { return slots_; }
  T* release() noexcept { return std::exchange(slots_, nullptr); }

 private:
  T* slots_;
  std::size_t capacity_;
};

// Moves (if that cannot throw, or T cannot be copied) or copies `count`
// elements from `from` into the uninitialized `to`, then destroys the
// originals. If a move/copy throws, the elements made so far in `to` are
// destroyed and the exception propagates; `from` is intact if it was copying.
//
// # Safety: [from, from+count) are live Ts, [to, to+count) is uninitialized
// storage for Ts, and the two ranges do not overlap.
template <class T>
void relocate(UnsafeFn /*unused*/, T* from, std::size_t count, T* to) {
  // SAFETY(vec-relocate-end): [from, from+count) is one live array (caller
  // contract), so its one-past-the-end pointer is valid.
  T* from_end = FERRITE_UNSAFE_BUFFERS(from + count);
  if constexpr (std::is_nothrow_move_constructible_v<T> || !std::is_copy_constructible_v<T>) {
    // SAFETY(vec-relocate-move): [from, from_end) are live Ts and [to,
    // to+count) is uninitialized storage that does not overlap them (caller
    // contract); on an exception the constructed copies are destroyed.
    std::uninitialized_move(from, from_end, to);
  } else {
    // SAFETY(vec-relocate-copy): as vec-relocate-move; `from` stays intact.
    std::uninitialized_copy(from, from_end, to);
  }
  // SAFETY(vec-relocate-destroy): the originals are live (caller contract) and
  // now have copies in `to`; nothing refers to them after this call.
  std::destroy(from, from_end);
}

}  // namespace ferrite::detail
