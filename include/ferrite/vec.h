// ferrite/vec.h — Vec<T>, a growable array over one raw allocation, and the
// borrowed views Slice<T> (Rust's `&[T]`) and SliceMut<T> (`&mut [T]`).
//
//   Vec<T>       owns `len()` elements in a buffer of `capacity()` slots,
//                obtained from `::operator new` with T's alignment (aligned
//                new for over-aligned T). Growth doubles the capacity.
//   Slice<T>     a non-owning, read-only view of contiguous elements.
//   SliceMut<T>  a non-owning view through which the elements may be changed.
//                `split_at_mut(mid)` cuts one into two disjoint halves, which
//                two threads may then mutate in parallel.
//
// Every access is bounds-checked and panics (ferrite::panic) with a message
// naming the index and the length; each checked function verifies its
// precondition and then calls an `_unchecked(unsafe_fn, ...)` twin whose
// `# Safety` section states what the caller must guarantee. Iterators are
// contiguous, so <algorithm> and <ranges> work; like every C++ iterator they
// must stay within [begin(), end()].
//
// Checked borrows (FERRITE_CHECKED_BORROWS, from ferrite/panic.h: on unless
// NDEBUG, forced with -DFERRITE_CHECKED_BORROWS=0|1). C++ cannot reject a
// slice that outlives its Vec at compile time as Rust does, so in checked
// builds each Vec counts the slices borrowed from it (copies, sub-slices and
// chunks included; the count is atomic, so slices may live on other
// threads). While the count is non-zero, every non-const member function of
// the Vec panics, naming the operation and the count:
//
//   "Vec::push while 2 slices borrow it ..."
//
// Destroying a borrowed Vec cannot panic (destructors are noexcept and may
// run during unwinding), so it prints "Vec::~Vec while N slices borrow it"
// to stderr and aborts — the run-time counterpart of Rust's compile error.
// With the checks off (release), neither the counter nor any check exists:
// sizeof(Vec<T>) is three words and sizeof(Slice<T>) two. Every translation
// unit of one program must agree on FERRITE_CHECKED_BORROWS (ODR).
//
// Exception guarantees (std::vector's rule). `push`, `emplace`, `insert`,
// `reserve`, `reserve_exact` and `shrink_to_fit` give the strong guarantee
// (no effect when they throw) if T's move constructor is noexcept or T is
// copyable: elements are relocated with std::move_if_noexcept. Otherwise
// (a throwing move and no copy) they give the basic guarantee: the Vec stays
// valid and leaks nothing, but relocated elements may be left moved-from.
// Each method states its own guarantee below. T's destructor must not throw.
//
// Empty ("zero-size") types. C++ gives every object a size of at least 1 and
// distinct objects distinct addresses, so Rust's trick of never allocating
// for zero-size types is not available: a Vec of an empty class stores one
// byte per element like any 1-byte type. Everything else, including
// `shrink_to_fit()` leaving `capacity() == len()`, holds for them as well.
//
// Send/Sync (marker.h): Vec<T> and SliceMut<T> are Send when T is Send and
// Sync when T is Sync; Slice<T> is Send and Sync when T is Sync.
//
// Example (also tests/vec_test.cc, VecTest.HeaderExample):
//
//   ferrite::Vec<int> v{1, 2, 3, 4};
//   v.push(5);                                  // len() == 5
//   {
//     auto halves = v.split_at_mut(2);          // std::nullopt if 2 > len()
//     auto& [left, right] = *halves;
//     left[0] = 10;                             // {10, 2} | {3, 4, 5}
//     right.swap(0, 2);                         // {10, 2} | {5, 4, 3}
//   }                                           // the borrows end here
//   std::ranges::sort(v);                       // {2, 3, 4, 5, 10}
//   assert(v == (ferrite::Vec<int>{2, 3, 4, 5, 10}));
#pragma once

#include <algorithm>
#include <atomic>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <limits>
#include <memory>
#include <new>
#include <optional>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>

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

// ---------------------------------------------------------------------------
// Panic messages (lib/vec.cc), out of line so that the checks stay small.
// ---------------------------------------------------------------------------

// "<type>: index out of bounds: the len is <len> but the index is <index>"
[[noreturn, gnu::cold]] void index_out_of_bounds(const char* type, std::size_t index,
                                                 std::size_t len);
// "Vec::insert: insertion index (is 5) should be <= len (is 3)"
[[noreturn, gnu::cold]] void insert_index_out_of_bounds(std::size_t index, std::size_t len);
// "<op>: removal index (is 5) should be < len (is 3)"
[[noreturn, gnu::cold]] void remove_index_out_of_bounds(const char* op, std::size_t index,
                                                        std::size_t len);
// "Vec: capacity overflow ..."
[[noreturn, gnu::cold]] void capacity_overflow(std::size_t requested, std::size_t max);
// "<op>: chunk size must be non-zero"
[[noreturn, gnu::cold]] void chunk_size_zero(const char* op);
// "SliceMut::copy_from_slice: source slice length (3) does not match ..."
[[noreturn, gnu::cold]] void copy_length_mismatch(std::size_t source, std::size_t destination);
// "<op> while <n> slice(s) borrow it ..."
[[noreturn, gnu::cold]] void vec_borrowed(const char* op, std::size_t borrows);
// Prints "Vec::~Vec while <n> slice(s) borrow it ..." to stderr and aborts.
[[noreturn, gnu::cold]] void vec_destroyed_while_borrowed(std::size_t borrows) noexcept;

// ---------------------------------------------------------------------------
// Borrow tracking. In checked builds a BorrowToken is one counted borrow of a
// Vec (every live Slice/SliceMut holds one); a BorrowSource names the counter
// without counting. In release builds both are empty and cost nothing.
// ---------------------------------------------------------------------------

#if FERRITE_CHECKED_BORROWS
inline constexpr bool kCheckedBorrows = true;

using BorrowCount = std::atomic<std::size_t>;

class BorrowSource {
 public:
  BorrowSource() = default;
  explicit BorrowSource(BorrowCount* count) noexcept : count_(count) {}
  BorrowCount* count() const noexcept { return count_; }

 private:
  BorrowCount* count_ = nullptr;
};

// Copying counts one more borrow; moving transfers the borrow.
class BorrowToken {
 public:
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource source) noexcept : count_(source.count()) {
    if (count_ != nullptr) count_->fetch_add(1);
  }
  BorrowToken(const BorrowToken& other) noexcept : BorrowToken(other.source()) {}
  BorrowToken(BorrowToken&& other) noexcept : count_(std::exchange(other.count_, nullptr)) {}
  BorrowToken& operator=(BorrowToken other) noexcept {
    std::swap(count_, other.count_);
    return *this;
  }
  ~BorrowToken() {
    if (count_ != nullptr) count_->fetch_sub(1);
  }
  BorrowSource source() const noexcept { return BorrowSource(count_); }

 private:
  BorrowCount* count_ = nullptr;
};
#else
inline constexpr bool kCheckedBorrows = false;

struct BorrowSource {};

struct BorrowToken {
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource /*unused*/) noexcept {}
  BorrowSource source() const noexcept { return {}; }
};
#endif

// ---------------------------------------------------------------------------
// Raw storage: T-aligned, uninitialized slots.
// ---------------------------------------------------------------------------

// The largest element count whose byte size fits in ptrdiff_t (Rust's limit,
// so that pointer differences within the buffer are always representable).
template <class T>
inline constexpr std::size_t kMaxVecLen =
    static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::max()) / sizeof(T);

template <class T>
inline constexpr bool kOverAligned = alignof(T) > __STDCPP_DEFAULT_NEW_ALIGNMENT__;

// # Safety: 0 < capacity <= kMaxVecLen<T>.
template <class T>
T* allocate_slots(UnsafeFn /*unused*/, std::size_t capacity) {
  const std::size_t bytes = capacity * sizeof(T);
  if constexpr (kOverAligned<T>) {
    // bytes cannot overflow (capacity <= kMaxVecLen, caller contract); the
    // aligned operator new returns storage for `capacity` Ts at alignof(T).
    return static_cast<T*>(::operator new(bytes, std::align_val_t{alignof(T)}));
  } else {
    // The default new alignment covers alignof(T).
    return static_cast<T*>(::operator new(bytes));
  }
}

// # Safety: `slots` came from allocate_slots<T>(capacity) with this capacity,
// holds no live objects, and is not used afterwards.
template <class T>
void deallocate_slots(UnsafeFn /*unused*/, T* slots, std::size_t capacity) noexcept {
  if constexpr (kOverAligned<T>) {
    ::operator delete(slots, capacity * sizeof(T), std::align_val_t{alignof(T)});
  } else {
    ::operator delete(slots, capacity * sizeof(T));
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
    std::uninitialized_move(from, from_end, to);
  } else {
    std::uninitialized_copy(from, from_end, to);
  }
  // SAFETY(vec-relocate-destroy): the originals are live (caller contract) and
  // now have copies in `to`; nothing refers to them after this call.
  std::destroy(from, from_end);
}

// Rust's Clone: a copy, or x.clone() when T has no copy (e.g. a nested Vec).
template <class T>
concept Cloneable = requires(const T& x) {
  { x.clone() } -> std::same_as<T>;
} || std::is_copy_constructible_v<T>;


// ---------------------------------------------------------------------------
// The contiguous iterator of Vec, Slice and SliceMut (E is T or const T).
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

  constexpr SliceIterator() noexcept = default;
  // # Safety: `position` points into (or one past) the viewed array, and the
  // iterator is moved only within it, as for any C++ iterator.
  constexpr SliceIterator(UnsafeFn /*unused*/, E* position) noexcept : position_(position) {}
  // iterator -> const_iterator.
  template <class U>
    requires(std::is_same_v<const U, E> && !std::is_same_v<U, E>)
  // NOLINTNEXTLINE(google-explicit-constructor): as std containers' iterators.
  constexpr SliceIterator(SliceIterator<U> other) noexcept : position_(other.operator->()) {}

  constexpr reference operator*() const noexcept { return *position_; }
  constexpr pointer operator->() const noexcept { return position_; }

  // SAFETY(vec-iterator): an iterator stays within [begin(), end()] of the
  // array it came from (the iterator contract, as for std::vector), so each
  // step below stays inside that array or one past its end.
  FERRITE_UNSAFE_BEGIN
  constexpr reference operator[](difference_type n) const noexcept { return position_[n]; }
  constexpr SliceIterator& operator++() noexcept {
    ++position_;
    return *this;
  }
  constexpr SliceIterator operator++(int) noexcept { return SliceIterator(unsafe_fn, position_++); }
  constexpr SliceIterator& operator--() noexcept {
    --position_;
    return *this;
  }
  constexpr SliceIterator operator--(int) noexcept { return SliceIterator(unsafe_fn, position_--); }
  constexpr SliceIterator& operator+=(difference_type n) noexcept {
    position_ += n;
    return *this;
  }
  constexpr SliceIterator& operator-=(difference_type n) noexcept {
    position_ -= n;
    return *this;
  }
  friend constexpr SliceIterator operator+(SliceIterator it, difference_type n) noexcept {
    return SliceIterator(unsafe_fn, it.position_ + n);
  }
  friend constexpr SliceIterator operator+(difference_type n, SliceIterator it) noexcept {
    return SliceIterator(unsafe_fn, it.position_ + n);
  }
  friend constexpr SliceIterator operator-(SliceIterator it, difference_type n) noexcept {
    return SliceIterator(unsafe_fn, it.position_ - n);
  }
  friend constexpr difference_type operator-(SliceIterator a, SliceIterator b) noexcept {
    return a.position_ - b.position_;
  }
  FERRITE_UNSAFE_END

  friend constexpr bool operator==(SliceIterator a, SliceIterator b) noexcept {
    return a.position_ == b.position_;
  }
  friend constexpr std::strong_ordering operator<=>(SliceIterator a, SliceIterator b) noexcept {
    return std::compare_three_way{}(a.position_, b.position_);
  }

 private:
  E* position_ = nullptr;
};

// ---------------------------------------------------------------------------
// chunks(n) / chunks_mut(n): forward ranges of Slice / SliceMut.
// ---------------------------------------------------------------------------

// View is Slice<T> or SliceMut<T>. The range holds one borrow for its whole
// life; each chunk it yields is a further, separately counted view.
template <class View>
class ChunkRange {
  using Element = typename View::element_type;

 public:
  class iterator {
   public:
    using iterator_concept = std::forward_iterator_tag;
    using iterator_category = std::input_iterator_tag;
    using value_type = View;
    using difference_type = std::ptrdiff_t;
    using reference = View;

    iterator() = default;

    // The chunk at this position: min(chunk_size, remaining) elements.
    View operator*() const {
      return View(unsafe_fn, position_, std::min(chunk_size_, remaining_), BorrowToken(source_));
    }
    iterator& operator++() noexcept {
      const std::size_t step = std::min(chunk_size_, remaining_);
      // SAFETY(vec-chunk-step): step <= remaining_, the number of elements
      // left after position_ in the viewed array, so the result stays inside
      // it or one past its end.
      position_ = FERRITE_UNSAFE_BUFFERS(position_ + step);
      remaining_ -= step;
      return *this;
    }
    iterator operator++(int) noexcept {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept {
      return a.position_ == b.position_ && a.remaining_ == b.remaining_;
    }

   private:
    friend class ChunkRange;
    iterator(Element* position, std::size_t remaining, std::size_t chunk_size,
             BorrowSource source) noexcept
        : position_(position), remaining_(remaining), chunk_size_(chunk_size), source_(source) {}

    Element* position_ = nullptr;
    std::size_t remaining_ = 0;
    std::size_t chunk_size_ = 1;
    [[no_unique_address]] BorrowSource source_;
  };

  // # Safety: chunk_size > 0 (the public chunks(n) functions check it).
  ChunkRange(UnsafeFn /*unused*/, View whole, std::size_t chunk_size) noexcept
      : whole_(std::move(whole)), chunk_size_(chunk_size) {}

  iterator begin() const noexcept {
    return iterator(whole_.data_, whole_.len(), chunk_size_, whole_.borrow_.source());
  }
  iterator end() const noexcept {
    // SAFETY(vec-chunk-end): one past the end of the viewed array.
    Element* past_end = FERRITE_UNSAFE_BUFFERS(whole_.data_ + whole_.len());
    return iterator(past_end, 0, chunk_size_, whole_.borrow_.source());
  }
  // Number of chunks: ceil(len / chunk_size).
  std::size_t size() const noexcept { return (whole_.len() + chunk_size_ - 1) / chunk_size_; }
  bool empty() const noexcept { return whole_.len() == 0; }

 private:
  View whole_;
  std::size_t chunk_size_;
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

  iterator begin() const noexcept { return iterator(unsafe_fn, data_); }
  iterator end() const noexcept {
    // SAFETY(slice-end): one past the last of the len_ viewed elements.
    return iterator(unsafe_fn, FERRITE_UNSAFE_BUFFERS(data_ + len_));
  }

  // The view as a std::span, for APIs that take one. The span is not counted
  // as a borrow: do not keep it beyond this Slice's life.
  std::span<const T> as_span() const noexcept {
    // SAFETY(slice-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<const T>(data_, len_));
  }

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
  Slice<T> as_slice() const noexcept { return Slice<T>(unsafe_fn, data_, len_, borrow_); }

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

  iterator begin() noexcept { return iterator(unsafe_fn, data_); }
  iterator end() noexcept {
    // SAFETY(slicemut-end): one past the last of the len_ viewed elements.
    return iterator(unsafe_fn, FERRITE_UNSAFE_BUFFERS(data_ + len_));
  }
  const_iterator begin() const noexcept { return const_iterator(unsafe_fn, data_); }
  const_iterator end() const noexcept {
    // SAFETY(slicemut-end-const): as slicemut-end.
    return const_iterator(unsafe_fn, FERRITE_UNSAFE_BUFFERS(data_ + len_));
  }

  // As Slice::as_span, mutable. Not counted as a borrow.
  std::span<T> as_span() noexcept {
    // SAFETY(slicemut-span): [data_, data_+len_) is exactly the viewed array.
    return FERRITE_UNSAFE_BUFFERS(std::span<T>(data_, len_));
  }

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

  T* data_ = nullptr;
  std::size_t len_ = 0;
  [[no_unique_address]] detail::BorrowToken borrow_;
};

// ===========================================================================
// Vec<T> — Rust's `Vec<T>`: a growable array that owns its elements.
//
// Contract (each member below adds its own):
//  - Elements live in [0, len()) of one allocation of capacity() slots; the
//    buffer is freed and every element destroyed exactly once.
//  - Growth at least doubles the capacity (Rust's minimum non-zero capacity:
//    8 for 1-byte T, 4 up to 1 KiB, else 1). A request beyond
//    PTRDIFF_MAX / sizeof(T) elements panics ("capacity overflow");
//    allocation failure throws std::bad_alloc (Rust aborts).
//  - Not copyable (use clone(), as in Rust); moving transfers the buffer and
//    leaves the source empty. Moving a borrowed Vec panics in checked builds,
//    so its move operations are noexcept only in release builds.
//  - Checked borrows: see the banner; "every non-const member" includes the
//    mutable accessors (operator[], get, first, last, begin, end,
//    as_mut_slice, split_at_mut, chunks_mut), since a T& handed out while a
//    slice exists would alias it. Read through a const Vec (std::as_const)
//    while slices are alive.
// Send when T is Send; Sync when T is Sync.
// ===========================================================================
template <class T>
class Vec {
  static_assert(std::is_object_v<T> && !std::is_array_v<T> && !std::is_const_v<T>,
                "ferrite::Vec<T>: T must be a non-const, non-array object type");
  static_assert(std::is_nothrow_destructible_v<T>,
                "ferrite::Vec<T>: T's destructor must not throw");

  // Small trivially copyable Ts are copied before a push grows the buffer.
  static constexpr bool kSmallTrivial =
      std::is_trivially_copyable_v<T> && sizeof(T) <= 2 * sizeof(void*);
  static constexpr bool kStrongRelocation =
      std::is_nothrow_move_constructible_v<T> || std::is_copy_constructible_v<T>;

 public:
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<T>;
  using const_iterator = detail::SliceIterator<const T>;

  // An empty Vec; allocates nothing.
  Vec() noexcept = default;

  // An empty Vec with capacity() == capacity exactly (nothing allocated for
  // 0). Panics on capacity overflow.
  static Vec with_capacity(std::size_t capacity) {
    Vec out;
    out.reallocate(capacity);
    return out;
  }

  // Copies the listed elements (capacity() == their number).
  Vec(std::initializer_list<T> init)
    requires std::is_copy_constructible_v<T>
  {
    reallocate(init.size());
    for (const T& x : init) push(x);
  }

  Vec(const Vec&) = delete;
  Vec& operator=(const Vec&) = delete;

  // Takes other's buffer; other is left empty. Panics (checked builds) if
  // other is borrowed.
  Vec(Vec&& other) noexcept(!detail::kCheckedBorrows) {
    other.check_unborrowed("Vec::Vec(Vec&&)");
    data_ = std::exchange(other.data_, nullptr);
    len_ = std::exchange(other.len_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
  }
  // Destroys this Vec's elements, then takes other's buffer. Panics (checked
  // builds) if either Vec is borrowed, before changing anything.
  Vec& operator=(Vec&& other) noexcept(!detail::kCheckedBorrows) {
    check_unborrowed("Vec::operator=(Vec&&)");
    other.check_unborrowed("Vec::operator=(Vec&&) (source)");
    if (this != &other) {
      release_buffer();
      data_ = std::exchange(other.data_, nullptr);
      len_ = std::exchange(other.len_, 0);
      capacity_ = std::exchange(other.capacity_, 0);
    }
    return *this;
  }

  // Destroys the elements front to back, then frees the buffer. A borrowed
  // Vec (checked builds) aborts with a message instead (see the banner).
  ~Vec() {
#if FERRITE_CHECKED_BORROWS
    if (const std::size_t borrows = borrows_.load(); borrows != 0) [[unlikely]] {
      detail::vec_destroyed_while_borrowed(borrows);
    }
#endif
    release_buffer();
  }

  std::size_t len() const noexcept { return len_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool is_empty() const noexcept { return len_ == 0; }

  // Appends a copy/move of `value`, growing if full. `value` may refer to an
  // element of this Vec. Strong guarantee (see the banner).
  void push(const T& value) { emplace(value); }
  void push(T&& value) { emplace(std::move(value)); }

  // Constructs an element at the end from `args` and returns it. The
  // arguments may refer to elements of this Vec. Strong guarantee (see the
  // banner): if T's constructor throws, nothing changes.
  template <class... Args>
    requires std::constructible_from<T, Args...>
  T& emplace(Args&&... args) {
    check_unborrowed("Vec::emplace");
    if constexpr (kSmallTrivial) {
      if (len_ == capacity_) [[unlikely]] {
        // Copy the value out first (the arguments may refer into the old
        // buffer), then grow: the slow path takes no reference to the
        // arguments, so the caller's loop keeps them in registers.
        const T value(std::forward<Args>(args)...);
        grow_for_push();
        // SAFETY(vec-emplace-small): grow_for_push() left len_ < capacity_.
        T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), value);
        ++len_;
        return *slot;
      }
    } else {
      if (len_ == capacity_) [[unlikely]] return emplace_grow(std::forward<Args>(args)...);
    }
    // SAFETY(vec-emplace): len_ < capacity_, so data_ + len_ is an allocated,
    // unconstructed slot of this buffer.
    T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), std::forward<Args>(args)...);
    ++len_;
    return *slot;
  }

  // Removes and returns the last element; nullopt when empty. If moving the
  // element out throws, the Vec is unchanged (the element may be moved-from).
  std::optional<T> pop() {
    check_unborrowed("Vec::pop");
    if (len_ == 0) return std::nullopt;
    T& last_element = get_unchecked(unsafe_fn, len_ - 1);
    std::optional<T> out(std::move(last_element));
    --len_;
    // SAFETY(vec-pop): the element at the old len_ - 1 is live and now
    // outside [0, len_), so nothing else will destroy or use it.
    std::destroy_at(&last_element);
    return out;
  }

  // Inserts `value` at `index`, shifting [index, len()) one to the right.
  // Panics unless index <= len(). Strong guarantee when T's move is noexcept
  // or T is copyable; for a T whose move may throw, the elements are copied
  // into a new buffer (so the old one is untouched until the end).
  void insert(std::size_t index, T value) {
    check_unborrowed("Vec::insert");
    if (index > len_) [[unlikely]] detail::insert_index_out_of_bounds(index, len_);
    constexpr bool kShiftInPlace =
        std::is_nothrow_move_constructible_v<T> && std::is_nothrow_move_assignable_v<T>;
    if (index == len_ && len_ < capacity_) {
      // SAFETY(vec-insert-end): len_ < capacity_: an unconstructed slot.
      std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), std::move(value));
      ++len_;
    } else if (kShiftInPlace) {
      if (len_ == capacity_) reallocate(grown_capacity(len_ + 1));
      if (index == len_) {
        // SAFETY(vec-insert-end-grown): len_ < capacity_ after the growth.
        std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), std::move(value));
      } else {
        T& back = get_unchecked(unsafe_fn, len_ - 1);
        // SAFETY(vec-insert-shift): len_ < capacity_, so data_ + len_ is an
        // unconstructed slot; the moves below cannot throw, so every slot in
        // [0, len_ + 1) is live afterwards.
        std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), std::move(back));
        std::move_backward(begin_unchecked() + index, end_unchecked() - 1, end_unchecked());
        get_unchecked(unsafe_fn, index) = std::move(value);
      }
      ++len_;
    } else {
      insert_into_new_buffer(index, std::move(value));
    }
  }

  // Removes and returns the element at `index`, shifting the rest left.
  // Panics unless index < len(). Strong guarantee when T's move assignment
  // is noexcept; otherwise basic (a throw mid-shift leaves every element
  // alive, some moved-from, and len() unchanged).
  T remove(std::size_t index) {
    check_unborrowed("Vec::remove");
    if (index >= len_) [[unlikely]] detail::remove_index_out_of_bounds("Vec::remove", index, len_);
    T out(std::move(get_unchecked(unsafe_fn, index)));
    std::move(begin_unchecked() + index + 1, end_unchecked(), begin_unchecked() + index);
    --len_;
    // SAFETY(vec-remove): the old last element (now at data_ + len_) was
    // moved from by the shift and is outside [0, len_).
    std::destroy_at(FERRITE_UNSAFE_BUFFERS(data_ + len_));
    return out;
  }

  // Removes the element at `index` in O(1), moving the last element into its
  // place. Panics unless index < len(). Guarantees as remove().
  T swap_remove(std::size_t index) {
    check_unborrowed("Vec::swap_remove");
    if (index >= len_) [[unlikely]] {
      detail::remove_index_out_of_bounds("Vec::swap_remove", index, len_);
    }
    T out(std::move(get_unchecked(unsafe_fn, index)));
    T& back = get_unchecked(unsafe_fn, len_ - 1);
    if (index != len_ - 1) get_unchecked(unsafe_fn, index) = std::move(back);
    --len_;
    // SAFETY(vec-swap-remove): `back` was the live last element; it is now
    // outside [0, len_) and moved from (or is the removed element itself).
    std::destroy_at(&back);
    return out;
  }

  // Keeps the first min(n, len()) elements, destroying the rest front to
  // back. The capacity is unchanged. Never throws (except the borrow panic).
  void truncate(std::size_t n) {
    check_unborrowed("Vec::truncate");
    truncate_unchecked(n);
  }
  void clear() {
    check_unborrowed("Vec::clear");
    truncate_unchecked(0);
  }

  // Makes room for at least `additional` more elements (Rust's reserve:
  // grows to max(len() + additional, 2 * capacity()) when short). Strong
  // guarantee when relocation is (see the banner); panics on overflow.
  void reserve(std::size_t additional) {
    check_unborrowed("Vec::reserve");
    if (capacity_ - len_ >= additional) return;
    reallocate(grown_capacity(checked_add(len_, additional)));
  }
  // Makes capacity() at least len() + additional, without over-allocating.
  void reserve_exact(std::size_t additional) {
    check_unborrowed("Vec::reserve_exact");
    if (capacity_ - len_ >= additional) return;
    reallocate(checked_add(len_, additional));
  }
  // Makes capacity() == len() (frees the buffer when empty). Guarantees as
  // reserve().
  void shrink_to_fit() {
    check_unborrowed("Vec::shrink_to_fit");
    if (capacity_ != len_) reallocate(len_);
  }

  // Appends every element of `range` (each converted to T). For a sized
  // range the space is reserved first. The range must not view this Vec
  // (checked builds panic if it is a borrow of it). If an element's
  // construction throws, the elements appended so far are removed again:
  // the contents are unchanged (the capacity may have grown).
  template <std::ranges::input_range R>
    requires std::constructible_from<T, std::ranges::range_reference_t<R>>
  void extend(R&& range) {
    check_unborrowed("Vec::extend");
    if constexpr (std::ranges::sized_range<R>) {
      reserve(static_cast<std::size_t>(std::ranges::size(range)));
    }
    const std::size_t old_len = len_;
    try {
      for (auto&& element : range) emplace(std::forward<decltype(element)>(element));
    } catch (...) {
      truncate_unchecked(old_len);
      throw;
    }
  }

  // Resizes to `new_len`, appending copies of `value` or truncating. If a
  // copy throws, the appended copies are removed again (contents unchanged).
  void resize(std::size_t new_len, const T& value)
    requires std::is_copy_constructible_v<T>
  {
    check_unborrowed("Vec::resize");
    if (new_len <= len_) {
      truncate_unchecked(new_len);
      return;
    }
    reserve(new_len - len_);
    const std::size_t old_len = len_;
    try {
      while (len_ < new_len) emplace(value);
    } catch (...) {
      truncate_unchecked(old_len);
      throw;
    }
  }

  // Bounds-checked access; panics naming the index and len().
  T& operator[](std::size_t index) {
    check_unborrowed("Vec::operator[]");
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Vec", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  const T& operator[](std::size_t index) const {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Vec", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  // # Safety: index < len(). Performs no borrow check.
  T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(vec-get): index < len_ (caller contract): a live element.
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  const T& get_unchecked(UnsafeFn /*unused*/, std::size_t index) const noexcept {
    FERRITE_DEBUG_ASSERT(index < len_);
    // SAFETY(vec-get-const): index < len_ (caller contract): a live element.
    return FERRITE_UNSAFE_BUFFERS(data_[index]);
  }
  // Null when index >= len().
  T* get(std::size_t index) {
    check_unborrowed("Vec::get");
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  const T* get(std::size_t index) const noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  // Null when empty.
  T* first() { return get(0); }
  const T* first() const noexcept { return get(0); }
  T* last() { return len_ == 0 ? get(0) : get(len_ - 1); }
  const T* last() const noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }

  iterator begin() {
    check_unborrowed("Vec::begin");
    return begin_unchecked();
  }
  iterator end() {
    check_unborrowed("Vec::end");
    return end_unchecked();
  }
  const_iterator begin() const noexcept { return const_iterator(unsafe_fn, data_); }
  const_iterator end() const noexcept {
    // SAFETY(vec-end-const): one past the last of the len_ live elements.
    return const_iterator(unsafe_fn, FERRITE_UNSAFE_BUFFERS(data_ + len_));
  }

  // The elements as a read-only view (a counted borrow in checked builds).
  Slice<T> as_slice() const noexcept {
    return Slice<T>(unsafe_fn, data_, len_, detail::BorrowToken(borrow_source()));
  }
  // The elements as a mutable view (a counted borrow in checked builds).
  SliceMut<T> as_mut_slice() {
    check_unborrowed("Vec::as_mut_slice");
    return SliceMut<T>(unsafe_fn, data_, len_, detail::BorrowToken(borrow_source()));
  }

  // [0, mid) and [mid, len()), or nullopt when mid > len().
  std::optional<std::pair<Slice<T>, Slice<T>>> split_at(std::size_t mid) const {
    if (mid > len_) return std::nullopt;
    return as_slice().split_at_unchecked(unsafe_fn, mid);
  }
  // [0, mid) and [mid, len()) as two disjoint mutable views (e.g. for two
  // threads), or nullopt when mid > len().
  std::optional<std::pair<SliceMut<T>, SliceMut<T>>> split_at_mut(std::size_t mid) {
    check_unborrowed("Vec::split_at_mut");
    if (mid > len_) return std::nullopt;
    return split_at_mut_unchecked(unsafe_fn, mid);
  }
  // # Safety: mid <= len(). Performs no borrow check.
  std::pair<SliceMut<T>, SliceMut<T>> split_at_mut_unchecked(UnsafeFn /*unused*/,
                                                             std::size_t mid) {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(vec-split): mid <= len_ (caller contract), so [data_, data_+mid)
    // and [data_+mid, data_+len_) lie inside the allocation and do not overlap.
    T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {SliceMut<T>(unsafe_fn, data_, mid, detail::BorrowToken(borrow_source())),
            SliceMut<T>(unsafe_fn, tail, len_ - mid, detail::BorrowToken(borrow_source()))};
  }

  // Consecutive views of `chunk_size` elements (the last may be shorter);
  // panics when chunk_size == 0.
  Chunks<T> chunks(std::size_t chunk_size) const { return as_slice().chunks(chunk_size); }
  ChunksMut<T> chunks_mut(std::size_t chunk_size) {
    check_unborrowed("Vec::chunks_mut");
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::Vec::chunks_mut");
    return ChunksMut<T>(unsafe_fn, as_mut_slice(), chunk_size);
  }

  // A deep copy (each element copied, or cloned if T has clone()), with
  // capacity() == len(). Strong guarantee: a throwing copy leaves nothing.
  Vec clone() const
    requires detail::Cloneable<T>
  {
    return as_slice().to_vec();
  }

  // Exchanges the contents of two Vecs. Panics (checked) if either is borrowed.
  void swap(Vec& other) {
    check_unborrowed("Vec::swap");
    other.check_unborrowed("Vec::swap");
    std::swap(data_, other.data_);
    std::swap(len_, other.len_);
    std::swap(capacity_, other.capacity_);
  }

  friend bool operator==(const Vec& a, const Vec& b)
    requires std::equality_comparable<T>
  {
    return std::ranges::equal(a, b);
  }

 private:
  // Rust's RawVec::MIN_NON_ZERO_CAP.
  static constexpr std::size_t kMinNonZeroCapacity = sizeof(T) == 1 ? 8 : sizeof(T) <= 1024 ? 4 : 1;

  void check_unborrowed([[maybe_unused]] const char* operation) const {
#if FERRITE_CHECKED_BORROWS
    if (const std::size_t borrows = borrows_.load(); borrows != 0) [[unlikely]] {
      detail::vec_borrowed(operation, borrows);
    }
#endif
  }

  detail::BorrowSource borrow_source() const noexcept {
#if FERRITE_CHECKED_BORROWS
    return detail::BorrowSource(&borrows_);
#else
    return {};
#endif
  }

  iterator begin_unchecked() noexcept { return iterator(unsafe_fn, data_); }
  iterator end_unchecked() noexcept {
    // SAFETY(vec-end): one past the last of the len_ live elements.
    return iterator(unsafe_fn, FERRITE_UNSAFE_BUFFERS(data_ + len_));
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
    if (needed > detail::kMaxVecLen<T>) [[unlikely]] {
      detail::capacity_overflow(needed, detail::kMaxVecLen<T>);
    }
    const std::size_t doubled =
        capacity_ > detail::kMaxVecLen<T> / 2 ? detail::kMaxVecLen<T> : capacity_ * 2;
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
    truncate_unchecked(0);
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

  // Makes room for one more element (amortized doubling). Strong guarantee.
  [[gnu::always_inline]] void grow_for_push() { reallocate(grown_capacity(len_ + 1)); }

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
#if FERRITE_CHECKED_BORROWS
  // Live Slice/SliceMut/chunk ranges borrowed from this Vec.
  mutable detail::BorrowCount borrows_{0};
#endif
};

}  // namespace ferrite
