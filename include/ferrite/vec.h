// ferrite/vec.h — Vec<T>, a growable array over one raw allocation. Its
// borrowed views Slice<T> (Rust's `&[T]`) and SliceMut<T> (`&mut [T]`) are
// in ferrite/slice.h, which this header includes.
//
//   Vec<T>       owns `len()` elements in a buffer of `capacity()` slots,
//                obtained from `::operator new` with T's alignment (aligned
//                new for over-aligned T). Growth doubles the capacity.
//
// Every access is bounds-checked and panics (ferrite::panic) with a message
// naming the index and the length; each checked function verifies its
// precondition and then calls an `_unchecked(unsafe_fn, ...)` twin whose
// `# Safety` section states what the caller must guarantee. Iterators are
// contiguous, so <algorithm> and <ranges> work. In checked builds they are
// bounds-checked too (a step outside [begin(), end()], or `*`/`[]` outside
// [begin(), end()), panics); in release builds they are one raw pointer and,
// like std::vector's, must be kept within [begin(), end()] by the caller.
//
// Checked borrows (FERRITE_CHECKED_BORROWS, from ferrite/panic.h: on unless
// NDEBUG, forced with -DFERRITE_CHECKED_BORROWS=0|1). C++ cannot reject a
// slice that outlives its Vec at compile time as Rust does, so in checked
// builds each Vec counts the slices and iterators borrowed from it (copies,
// sub-slices, chunks and chunk iterators included; the count is atomic, so
// slices may live on other threads), shared ones (Slice, const iterators)
// apart from mutable ones (SliceMut, chunks_mut, mutable iterators). While
// any is alive, every non-const member function of the Vec panics, naming
// the operation and the count:
//
//   "Vec::emplace while 2 slices or iterators borrow it ..."
//
// so `for (auto& x : v) v.push(x);` panics instead of reading a freed
// buffer. A new shared view (as_slice, a const begin(), split_at, chunks,
// clone, ==) panics while a mutable one is alive, and a mutable iterator
// while a shared one is. Destroying a borrowed Vec cannot panic (destructors
// are noexcept and may run during unwinding), so it prints "Vec::~Vec while
// N slices or iterators borrow it" to stderr and aborts — the run-time
// counterpart of Rust's compile error. A std::span is not tracked, which is
// why Slice::as_span takes unsafe_fn. With the checks off (release), neither
// the counter nor any check exists: sizeof(Vec<T>) is three words,
// sizeof(Slice<T>) two and an iterator one. Every translation unit of one
// program must agree on FERRITE_CHECKED_BORROWS (ODR).
//
// Re-entrancy. Element code — a constructor, copy, move, destructor or
// comparison of T, or the range given to extend — may reach the Vec that
// holds the element (through a pointer of its own). Every operation that
// runs it holds a borrow of the Vec for the duration: the elements are moved
// (three fields, no element moves) into a Vec nothing else can name, and the
// Vec itself is left empty and, in checked builds, busy. Re-entry then
// panics in checked builds:
//
//   "ferrite::Vec modified or borrowed while one of its elements'
//    constructor/destructor runs: Vec::emplace inside Vec::clear; ..."
//
// and in release builds finds an empty Vec (what it adds is destroyed when
// the operation ends): it can never see a slot counted in len() that is
// unconstructed or destroyed, nor a buffer freed under it. A T whose element
// code is trivial (int, trivially copyable structs) skips this. Const
// operations that run element code (==, clone) hold shared borrows of the
// Vec instead: checked builds refuse a mutation from inside them; release
// builds cannot see one.
//
// Aliasing. push/emplace, resize and extend accept arguments that live in
// the Vec itself (`v.push(v[0])`, `v.resize(8, v[0])`, `v.extend(v)`, a
// std::span of v): they copy such an argument before freeing the buffer.
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
#include <concepts>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <type_traits>
#include <utility>

#include "ferrite/detail/borrow.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/detail/vec_borrows.h"
#include "ferrite/detail/vec_buffer.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/slice.h"
#include "ferrite/unsafe.h"

namespace ferrite {

namespace detail {

// Panic messages (lib/vec.cc), out of line so that the checks stay small.

// "Vec::insert: insertion index (is 5) should be <= len (is 3)"
[[noreturn, gnu::cold]] void insert_index_out_of_bounds(std::size_t index, std::size_t len);
// "<op>: removal index (is 5) should be < len (is 3)"
[[noreturn, gnu::cold]] void remove_index_out_of_bounds(const char* op, std::size_t index,
                                                        std::size_t len);

}  // namespace detail

// ===========================================================================
/// Vec<T> — Rust's `Vec<T>`: a growable array that owns its elements.
///
/// Contract (each member below adds its own):
///  - Elements live in [0, len()) of one allocation of capacity() slots; the
///    buffer is freed and every element destroyed exactly once.
///  - Growth at least doubles the capacity (Rust's minimum non-zero capacity:
///    8 for 1-byte T, 4 up to 1 KiB, else 1). A request beyond
///    PTRDIFF_MAX / sizeof(T) elements panics ("capacity overflow");
///    allocation failure throws std::bad_alloc (Rust aborts).
///  - Not copyable (use clone(), as in Rust); moving transfers the buffer and
///    leaves the source empty. Moving a borrowed Vec panics in checked builds,
///    so its move operations are noexcept only in release builds.
///  - Checked borrows: see the banner; "every non-const member" includes the
///    mutable accessors (operator[], get, first, last, begin, end,
///    as_mut_slice, split_at_mut, chunks_mut), since a T& handed out while a
///    slice exists would alias it. Read through a const Vec (std::as_const)
///    while shared slices are alive; while a mutable view or iterator is
///    alive, taking a new shared view or iterator panics as well.
///  - Element code never sees the Vec half-updated (see "Re-entrancy" in
///    the banner).
/// Send when T is Send; Sync when T is Sync.
// ===========================================================================
template <class T>
class Vec : private detail::VecBufferFor<T>, private detail::VecBorrows {
  static_assert(detail::MutableObjectValue<T>,
                "ferrite::Vec<T>: T must be a non-const, non-array object type");
  static_assert(std::is_nothrow_destructible_v<T>,
                "ferrite::Vec<T>: T's destructor must not throw");

  // Small trivially copyable Ts are copied before a push grows the buffer.
  static constexpr bool kSmallTrivial =
      std::is_trivially_copyable_v<T> && sizeof(T) <= 2 * sizeof(void*);

  // Whether an operation runs user code (see Detached below). Relocating,
  // moving or destroying a trivially copyable T runs none; neither does a
  // trivial construction from `Args`.
  static constexpr bool kMovesRunCode = !std::is_trivially_copyable_v<T>;
  static constexpr bool kDestructionRunsCode = !std::is_trivially_destructible_v<T>;
  template <class... Args>
  static constexpr bool kEmplaceRunsCode =
      kMovesRunCode || !std::is_trivially_constructible_v<T, Args...>;

  // The storage and its growth (ferrite/detail/vec_buffer.h).
  using Buffer = detail::VecBufferFor<T>;
  using Buffer::data_, Buffer::len_, Buffer::capacity_;
  using Buffer::take_fields, Buffer::past_end, Buffer::begin_unchecked, Buffer::end_unchecked;
  using Buffer::checked_add, Buffer::grown_capacity, Buffer::reallocate, Buffer::grow_for_push;
  using Buffer::emplace_grow, Buffer::insert_into_new_buffer, Buffer::move_trivially;
  using Buffer::truncate_unchecked, Buffer::release_buffer;

 public:
  ///@{
  /// The standard container member types (for generic code and ranges).
  using value_type = T;
  using size_type = std::size_t;
  using iterator = detail::SliceIterator<T>;
  using const_iterator = detail::SliceIterator<const T>;
  ///@}

  // An empty Vec; allocates nothing.
  Vec() noexcept = default;

  /// An empty Vec with capacity() == capacity exactly (nothing allocated for
  /// 0). Panics on capacity overflow.
  static Vec with_capacity(std::size_t capacity) {
    Vec out;
    out.reallocate(capacity);
    return out;
  }

  /// Copies the listed elements (capacity() == their number). If a copy
  /// throws, the copies made so far are destroyed and the buffer freed.
  Vec(std::initializer_list<T> init)
    requires std::is_copy_constructible_v<T>
      // Delegating: once Vec() has returned, a throw below runs ~Vec.
      : Vec() {
    reallocate(init.size());
    for (const T& x : init) push(x);
  }

  Vec(const Vec&) = delete;
  Vec& operator=(const Vec&) = delete;

  /// Takes other's buffer; other is left empty. Panics (checked builds) if
  /// other is borrowed.
  Vec(Vec&& other) noexcept(!detail::kCheckedBorrows) {
    other.check_unborrowed("Vec::Vec(Vec&&)");
    take_fields(other);
  }
  /// Destroys this Vec's elements, then takes other's buffer. Panics (checked
  /// builds) if either Vec is borrowed, before changing anything.
  Vec& operator=(Vec&& other) noexcept(!detail::kCheckedBorrows) {
    check_unborrowed("Vec::operator=(Vec&&)");
    other.check_unborrowed("Vec::operator=(Vec&&) (source)");
    if (this != &other) {
      run<kDestructionRunsCode>("Vec::operator=(Vec&&)", [](Vec& work) { work.release_buffer(); });
      take_fields(other);
    }
    return *this;
  }

  // Destroys the elements front to back, then frees the buffer. A borrowed
  // Vec (checked builds) aborts with a message instead (see the banner).
  ~Vec() {
    abort_if_borrowed();
    if constexpr (kDestructionRunsCode) {
      // A destructor that (in a release build) put elements back into this
      // Vec gets them destroyed too.
      while (data_ != nullptr) {
        Detached scope(*this, "Vec::~Vec");
        scope.work.release_buffer();
      }
    } else {
      release_buffer();
    }
  }

  ///@{
  /// The number of elements, the number of slots allocated, and `len() == 0`.
  std::size_t len() const noexcept { return len_; }
  std::size_t capacity() const noexcept { return capacity_; }
  bool is_empty() const noexcept { return len_ == 0; }
  ///@}

  ///@{
  /// Appends a copy/move of `value`, growing if full. `value` may refer to an
  /// element of this Vec. Strong guarantee (see the banner).
  void push(const T& value) { emplace(value); }
  void push(T&& value) { emplace(std::move(value)); }
  ///@}

  /// Constructs an element at the end from `args` and returns it. The
  /// arguments may refer to elements of this Vec. Strong guarantee (see the
  /// banner): if T's constructor throws, nothing changes.
  template <class... Args>
    requires std::constructible_from<T, Args...>
  T& emplace(Args&&... args) {
    return run<kEmplaceRunsCode<Args...>>("Vec::emplace", [&](Vec& work) -> T& {
      return work.emplace_impl(std::forward<Args>(args)...);
    });
  }

  /// Removes and returns the last element; nullopt when empty. If moving the
  /// element out throws, the Vec is unchanged (the element may be moved-from).
  std::optional<T> pop() {
    return run<kMovesRunCode>("Vec::pop", [](Vec& work) { return work.pop_impl(); });
  }

  /// Inserts `value` at `index`, shifting [index, len()) one to the right.
  /// Panics unless index <= len(). Strong guarantee when T's move is noexcept
  /// or T is copyable; for a T whose move may throw, the elements are copied
  /// into a new buffer (so the old one is untouched until the end).
  void insert(std::size_t index, T value) {
    run<kMovesRunCode>("Vec::insert",
                       [&](Vec& work) { work.insert_impl(index, std::move(value)); });
  }

  /// Removes and returns the element at `index`, shifting the rest left.
  /// Panics unless index < len(). Strong guarantee when T's move assignment
  /// is noexcept; otherwise basic (a throw mid-shift leaves every element
  /// alive, some moved-from, and len() unchanged).
  T remove(std::size_t index) {
    return run<kMovesRunCode>("Vec::remove", [&](Vec& work) { return work.remove_impl(index); });
  }

  /// Removes the element at `index` in O(1), moving the last element into its
  /// place. Panics unless index < len(). Guarantees as remove().
  T swap_remove(std::size_t index) {
    return run<kMovesRunCode>("Vec::swap_remove",
                              [&](Vec& work) { return work.swap_remove_impl(index); });
  }

  /// Keeps the first min(n, len()) elements, destroying the rest front to
  /// back. The capacity is unchanged. Never throws (except the borrow panic).
  void truncate(std::size_t n) {
    run<kDestructionRunsCode>("Vec::truncate", [&](Vec& work) { work.truncate_unchecked(n); });
  }
  /// Destroys every element front to back; the capacity is unchanged (as truncate(0)).
  void clear() {
    run<kDestructionRunsCode>("Vec::clear", [](Vec& work) { work.truncate_unchecked(0); });
  }

  /// Makes room for at least `additional` more elements (Rust's reserve:
  /// grows to max(len() + additional, 2 * capacity()) when short). Strong
  /// guarantee when relocation is (see the banner); panics on overflow.
  void reserve(std::size_t additional) {
    run<kMovesRunCode>("Vec::reserve", [&](Vec& work) { work.reserve_impl(additional); });
  }
  /// Makes capacity() at least len() + additional, without over-allocating.
  void reserve_exact(std::size_t additional) {
    run<kMovesRunCode>("Vec::reserve_exact", [&](Vec& work) {
      if (work.capacity_ - work.len_ >= additional) return;
      work.reallocate(checked_add(work.len_, additional));
    });
  }
  /// Makes capacity() == len() (frees the buffer when empty). Guarantees as
  /// reserve().
  void shrink_to_fit() {
    run<kMovesRunCode>("Vec::shrink_to_fit", [](Vec& work) {
      if (work.capacity_ != work.len_) work.reallocate(work.len_);
    });
  }

  /// Appends every element of `range` (each converted to T). For a sized
  /// range the space is reserved first. A contiguous range that views this
  /// Vec's own elements (`v.extend(v)`, or a std::span of them) is copied
  /// before the buffer grows. Any other range that reaches this Vec while it
  /// is being extended (`v | std::views::filter(f)`) finds it busy: checked
  /// builds panic, release builds see it empty. If an element's construction
  /// throws, the elements appended so far are removed again: the contents are
  /// unchanged (the capacity may have grown).
  template <std::ranges::input_range R>
    requires std::constructible_from<T, std::ranges::range_reference_t<R>>
  void extend(R&& range) {
    if constexpr (std::ranges::contiguous_range<R> && std::ranges::sized_range<R> &&
                  std::is_same_v<std::remove_cv_t<std::ranges::range_value_t<R>>, T>) {
      check_unborrowed("Vec::extend");
      // Read before the Vec is busy: for `v.extend(v)` this is v's begin().
      const T* source = std::ranges::data(range);
      const auto count = static_cast<std::size_t>(std::ranges::size(range));
      if (const std::optional<std::size_t> offset = offset_of(source, count)) {
        run<true>("Vec::extend", [&](Vec& work) { work.extend_from_within(*offset, count); });
        return;
      }
    }
    run<true>("Vec::extend", [&](Vec& work) { work.extend_impl(std::forward<R>(range)); });
  }

  /// Resizes to `new_len`, appending copies of `value` or truncating. `value`
  /// may be an element of this Vec (it is copied before the buffer grows). If
  /// a copy throws, the appended copies are removed again (contents unchanged).
  void resize(std::size_t new_len, const T& value)
    requires std::is_copy_constructible_v<T>
  {
    run<kMovesRunCode>("Vec::resize", [&](Vec& work) { work.resize_impl(new_len, value); });
  }

  ///@{
  /// Bounds-checked access; panics naming the index and len().
  T& operator[](std::size_t index) {
    check_unborrowed("Vec::operator[]");
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Vec", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  const T& operator[](std::size_t index) const {
    if (index >= len_) [[unlikely]] detail::index_out_of_bounds("ferrite::Vec", index, len_);
    return get_unchecked(unsafe_fn, index);
  }
  ///@}
  ///@{
  /// # Safety: index < len(). Performs no borrow check.
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
  ///@}
  ///@{
  /// The element at `index` (null when index >= len()), the first and the last
  /// (null when empty). Through a non-const Vec they panic (checked builds)
  /// while it is borrowed.
  T* get(std::size_t index) {
    check_unborrowed("Vec::get");
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  const T* get(std::size_t index) const noexcept {
    return index < len_ ? &get_unchecked(unsafe_fn, index) : nullptr;
  }
  T* first() { return get(0); }
  const T* first() const noexcept { return get(0); }
  T* last() { return len_ == 0 ? get(0) : get(len_ - 1); }
  const T* last() const noexcept { return len_ == 0 ? nullptr : get(len_ - 1); }
  ///@}

  ///@{
  /// Iterators are borrows (checked builds): while one is alive, the Vec
  /// panics rather than change, exactly as for a slice. A mutable iterator
  /// counts as a mutable view: it keeps the Vec from handing out a new shared
  /// view, and (so that begin() and end() can pair up) it may be taken while
  /// other mutable views or iterators are alive, but not while a shared one is.
  iterator begin() {
    check_iterable("Vec::begin");
    return iterator(unsafe_fn, data_, data_, past_end(), borrow(detail::BorrowKind::kExclusive));
  }
  iterator end() {
    check_iterable("Vec::end");
    T* last = past_end();
    return iterator(unsafe_fn, data_, last, last, borrow(detail::BorrowKind::kExclusive));
  }
  const_iterator begin() const {
    check_shareable("Vec::begin");
    return const_iterator(unsafe_fn, data_, data_, past_end(), borrow(detail::BorrowKind::kShared));
  }
  const_iterator end() const {
    check_shareable("Vec::end");
    T* last = past_end();
    return const_iterator(unsafe_fn, data_, last, last, borrow(detail::BorrowKind::kShared));
  }
  ///@}

  /// The elements as a read-only view (a counted borrow in checked builds).
  /// Panics (checked builds) while a mutable view or iterator is alive.
  Slice<T> as_slice() const {
    check_shareable("Vec::as_slice");
    return Slice<T>(unsafe_fn, data_, len_, borrow(detail::BorrowKind::kShared));
  }
  /// The elements as a mutable view (a counted borrow in checked builds).
  SliceMut<T> as_mut_slice() {
    check_unborrowed("Vec::as_mut_slice");
    return SliceMut<T>(unsafe_fn, data_, len_, borrow(detail::BorrowKind::kExclusive));
  }

  /// [0, mid) and [mid, len()), or nullopt when mid > len().
  std::optional<std::pair<Slice<T>, Slice<T>>> split_at(std::size_t mid) const {
    if (mid > len_) return std::nullopt;
    return as_slice().split_at_unchecked(unsafe_fn, mid);
  }
  /// [0, mid) and [mid, len()) as two disjoint mutable views (e.g. for two
  /// threads), or nullopt when mid > len().
  std::optional<std::pair<SliceMut<T>, SliceMut<T>>> split_at_mut(std::size_t mid) {
    check_unborrowed("Vec::split_at_mut");
    if (mid > len_) return std::nullopt;
    return split_at_mut_unchecked(unsafe_fn, mid);
  }
  /// # Safety: mid <= len(). Performs no borrow check.
  std::pair<SliceMut<T>, SliceMut<T>> split_at_mut_unchecked(UnsafeFn /*unused*/,
                                                             std::size_t mid) {
    FERRITE_DEBUG_ASSERT(mid <= len_);
    // SAFETY(vec-split): mid <= len_ (caller contract), so [data_, data_+mid)
    // and [data_+mid, data_+len_) lie inside the allocation and do not overlap.
    T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
    return {SliceMut<T>(unsafe_fn, data_, mid, borrow(detail::BorrowKind::kExclusive)),
            SliceMut<T>(unsafe_fn, tail, len_ - mid, borrow(detail::BorrowKind::kExclusive))};
  }

  ///@{
  /// Consecutive views of `chunk_size` elements (the last may be shorter);
  /// panics when chunk_size == 0.
  Chunks<T> chunks(std::size_t chunk_size) const { return as_slice().chunks(chunk_size); }
  ChunksMut<T> chunks_mut(std::size_t chunk_size) {
    check_unborrowed("Vec::chunks_mut");
    if (chunk_size == 0) detail::chunk_size_zero("ferrite::Vec::chunks_mut");
    return ChunksMut<T>(unsafe_fn, as_mut_slice(), chunk_size);
  }
  ///@}

  /// A deep copy (each element copied, or cloned if T has clone()), with
  /// capacity() == len(). Strong guarantee: a throwing copy leaves nothing.
  Vec clone() const
    requires detail::Cloneable<T>
  {
    return as_slice().to_vec();
  }

  /// Exchanges the contents of two Vecs. Panics (checked) if either is borrowed.
  void swap(Vec& other) {
    check_unborrowed("Vec::swap");
    other.check_unborrowed("Vec::swap");
    std::swap(data_, other.data_);
    std::swap(len_, other.len_);
    std::swap(capacity_, other.capacity_);
  }

  // Element-wise ==. The comparisons run on shared borrows of both Vecs, so
  // (checked builds) an operator== that modifies either Vec panics.
  friend bool operator==(const Vec& a, const Vec& b)
    requires std::equality_comparable<T>
  {
    return a.as_slice() == b.as_slice();
  }

 private:
  template <class>
  friend class Vec;

  // --- borrows and re-entrancy (ferrite/detail/vec_borrows.h) ---------------

  // Element code may reach this Vec while one of its operations runs it:
  // the operation then works on a Detached Vec that nothing else can name.
  using Detached = detail::DetachedVec<Vec>;
  friend Detached;

  // Runs `body` on the Vec it must change: a Detached copy of this one when
  // it runs element code, this one itself otherwise.
  template <bool kRunsElementCode, class Body>
  decltype(auto) run(const char* operation, Body&& body) {
    if constexpr (kRunsElementCode) {
      Detached scope(*this, operation);
      return std::forward<Body>(body)(scope.work);
    } else {
      check_unborrowed(operation);
      return std::forward<Body>(body)(*this);
    }
  }

  // The index of `source` among the live elements when [source,
  // source+count) lies within them; nullopt when it does not overlap the
  // buffer at all. Panics when it overlaps without lying within the live
  // elements (only a view made through unsafe_fn can do that).
  std::optional<std::size_t> offset_of(const T* source, std::size_t count) const {
    const std::less<const T*> before;
    const T* buffer_end = data_;
    if (data_ != nullptr) {
      // SAFETY(vec-alias-end): capacity_ slots were allocated at data_.
      buffer_end = FERRITE_UNSAFE_BUFFERS(data_ + capacity_);
    }
    if (count == 0 || source == nullptr || !before(source, buffer_end) || before(source, data_)) {
      return std::nullopt;
    }
    // source lies inside the buffer: [data_, buffer_end).
    const auto offset = static_cast<std::size_t>(source - data_);
    if (offset > len_ || count > len_ - offset) [[unlikely]] {
      detail::index_out_of_bounds("ferrite::Vec::extend (a view of the Vec's own buffer)",
                                  offset + count, len_);
    }
    return offset;
  }

  // --- the operations, on an unborrowed Vec ---------------------------------

  template <class... Args>
  T& emplace_impl(Args&&... args) {
    if constexpr (kSmallTrivial) {
      // The value first (the arguments may refer into the old buffer; a
      // small trivially copyable T is a register), then grow if full, then
      // one store: the shape of std::vector's push_back, so the loop around
      // it compiles to a compare, a store and an increment (vec_buffer.h).
      const T value(std::forward<Args>(args)...);
      if (len_ == capacity_) [[unlikely]] grow_for_push();
      // SAFETY(vec-emplace-small): len_ < capacity_ (grow_for_push() made
      // room if there was none), so data_ + len_ is an unconstructed slot.
      T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), value);
      ++len_;
      return *slot;
    } else {
      if (len_ == capacity_) [[unlikely]] return emplace_grow(std::forward<Args>(args)...);
    }
    // SAFETY(vec-emplace): len_ < capacity_, so data_ + len_ is an allocated,
    // unconstructed slot of this buffer.
    T* slot = std::construct_at(FERRITE_UNSAFE_BUFFERS(data_ + len_), std::forward<Args>(args)...);
    ++len_;
    return *slot;
  }

  // Every return names `out`, so it is constructed in the caller's object
  // (named return value optimization): a second return of another value
  // (std::nullopt) makes GCC move `out` to the caller after len_ dropped,
  // and a throwing move then loses the element. remove_impl and
  // swap_remove_impl return their `out` the same way; tests/vec_test.cc
  // (RemovedElementIsMovedOnce) fails on a compiler that does not elide.
  std::optional<T> pop_impl() {
    std::optional<T> out;
    if (len_ == 0) return out;
    T& last_element = get_unchecked(unsafe_fn, len_ - 1);
    out.emplace(std::move(last_element));
    --len_;
    // SAFETY(vec-pop): the element at the old len_ - 1 is live and now
    // outside [0, len_), so nothing else will destroy or use it.
    std::destroy_at(&last_element);
    return out;
  }

  void insert_impl(std::size_t index, T&& value) {
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

  T remove_impl(std::size_t index) {
    if (index >= len_) [[unlikely]] detail::remove_index_out_of_bounds("Vec::remove", index, len_);
    T out(std::move(get_unchecked(unsafe_fn, index)));
    std::move(begin_unchecked() + index + 1, end_unchecked(), begin_unchecked() + index);
    --len_;
    // SAFETY(vec-remove): the old last element (now at data_ + len_) was
    // moved from by the shift and is outside [0, len_).
    std::destroy_at(FERRITE_UNSAFE_BUFFERS(data_ + len_));
    return out;
  }

  T swap_remove_impl(std::size_t index) {
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

  void reserve_impl(std::size_t additional) {
    if (capacity_ - len_ >= additional) return;
    const std::size_t new_capacity = grown_capacity(checked_add(len_, additional));
    if constexpr (std::is_trivially_copyable_v<T>) {
      move_trivially(new_capacity);  // inline: the Vec does not escape (vec_buffer.h)
    } else {
      reallocate(new_capacity);
    }
  }

  template <class R>
  void extend_impl(R&& range) {
    if constexpr (std::ranges::sized_range<R>) {
      reserve_impl(static_cast<std::size_t>(std::ranges::size(range)));
    }
    const std::size_t old_len = len_;
    try {
      for (auto&& element : range) emplace_impl(std::forward<decltype(element)>(element));
    } catch (...) {
      truncate_unchecked(old_len);
      throw;
    }
  }

  // Appends copies of the elements [offset, offset+count) of this Vec
  // (offset + count <= len_): copied into a new Vec first, since growing
  // frees the buffer they live in.
  void extend_from_within(std::size_t offset, std::size_t count) {
    FERRITE_DEBUG_ASSERT(offset <= len_ && count <= len_ - offset);
    Vec copies = with_capacity(count);
    for (std::size_t i = 0; i < count; ++i) copies.emplace_impl(get_unchecked(unsafe_fn, offset + i));
    reserve_impl(count);
    // Moves out of `copies`, into room reserved above: a move that throws
    // still leaves this Vec's old elements as they were (extend_impl).
    extend_impl(std::ranges::subrange(std::make_move_iterator(copies.begin_unchecked()),
                                      std::make_move_iterator(copies.end_unchecked())));
  }

  void resize_impl(std::size_t new_len, const T& value) {
    if (new_len <= len_) {
      truncate_unchecked(new_len);
      return;
    }
    if (new_len - len_ > capacity_ - len_ && offset_of(&value, 1).has_value()) {
      // `value` is one of the elements, and growing frees the buffer: copy it.
      const T copy(value);
      resize_impl(new_len, copy);
      return;
    }
    reserve_impl(new_len - len_);
    const std::size_t old_len = len_;
    try {
      while (len_ < new_len) emplace_impl(value);
    } catch (...) {
      truncate_unchecked(old_len);
      throw;
    }
  }
};

}  // namespace ferrite
