// ferrite/detail/borrow.h — the checked-borrow trackers behind Vec, Slice,
// SliceMut and their iterators (ferrite/vec.h, ferrite/slice.h), and behind
// the mutable access that Arc and Rc hand out (ferrite/arc.h, ferrite/rc.h).
// Not part of the public API.
//
// C++ cannot reject a slice that outlives its Vec at compile time as Rust
// does, so in checked builds (FERRITE_CHECKED_BORROWS, from ferrite/panic.h)
// each Vec owns a BorrowState: an atomic word counting the views borrowed
// from it, shared ones (Slice, const iterators) apart from exclusive ones
// (SliceMut, chunks_mut ranges, mutable iterators), plus a `busy` bit that
// the Vec sets while one of its own operations runs element code (a
// constructor, a copy, a move, a destructor). Every live view or iterator
// holds one BorrowToken; the Vec refuses to change while the word is
// non-zero. A BorrowSource names a state and a kind without counting. In
// release builds all three are empty and cost nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

enum class BorrowKind : std::uint8_t { kShared, kExclusive };

#if FERRITE_CHECKED_BORROWS
inline constexpr bool kCheckedBorrows = true;

// One word, so that a check is one atomic load: shared borrows in bits
// 0..31, exclusive borrows in bits 32..62, `busy` in bit 63.
class BorrowState {
 public:
  static constexpr std::uint64_t kSharedUnit = 1;
  static constexpr std::uint64_t kExclusiveUnit = std::uint64_t{1} << 32;
  static constexpr std::uint64_t kBusy = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kSharedMask = kExclusiveUnit - 1;
  static constexpr std::uint64_t kExclusiveMask = kBusy - kExclusiveUnit;

  static constexpr std::uint64_t unit(BorrowKind kind) noexcept {
    return kind == BorrowKind::kShared ? kSharedUnit : kExclusiveUnit;
  }
  static constexpr std::size_t shared(std::uint64_t word) noexcept {
    return static_cast<std::size_t>(word & kSharedMask);
  }
  static constexpr std::size_t exclusive(std::uint64_t word) noexcept {
    return static_cast<std::size_t>((word & kExclusiveMask) >> 32);
  }
  static constexpr bool busy(std::uint64_t word) noexcept { return (word & kBusy) != 0; }

  std::uint64_t load() const noexcept { return word_.load(); }
  void add(BorrowKind kind) noexcept { word_.fetch_add(unit(kind)); }
  void remove(BorrowKind kind) noexcept { word_.fetch_sub(unit(kind)); }
  // Sets `busy` if the word is 0; otherwise returns the word that refused it.
  std::uint64_t try_set_busy() noexcept {
    std::uint64_t expected = 0;
    word_.compare_exchange_strong(expected, kBusy);
    return expected;
  }
  void set_busy() noexcept { word_.fetch_or(kBusy); }
  void clear_busy() noexcept { word_.fetch_and(~kBusy); }

 private:
  std::atomic<std::uint64_t> word_{0};
};

class BorrowSource {
 public:
  BorrowSource() = default;
  BorrowSource(BorrowState* state, BorrowKind kind) noexcept : state_(state), kind_(kind) {}
  BorrowState* state() const noexcept { return state_; }
  BorrowKind kind() const noexcept { return kind_; }

 private:
  BorrowState* state_ = nullptr;
  BorrowKind kind_ = BorrowKind::kShared;
};

// One counted borrow. Copying counts one more of the same kind; moving
// transfers the borrow and leaves the source counting nothing.
class BorrowToken {
 public:
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource source) noexcept
      : state_(source.state()), kind_(source.kind()) {
    if (state_ != nullptr) state_->add(kind_);
  }
  BorrowToken(const BorrowToken& other) noexcept : BorrowToken(other.source()) {}
  BorrowToken(BorrowToken&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), kind_(other.kind_) {}
  BorrowToken& operator=(BorrowToken other) noexcept {
    std::swap(state_, other.state_);
    std::swap(kind_, other.kind_);
    return *this;
  }
  ~BorrowToken() {
    if (state_ != nullptr) state_->remove(kind_);
  }
  BorrowSource source() const noexcept { return BorrowSource(state_, kind_); }
  // The same borrowed state, counted as `kind`.
  BorrowSource source(BorrowKind kind) const noexcept { return BorrowSource(state_, kind); }

 private:
  BorrowState* state_ = nullptr;
  BorrowKind kind_ = BorrowKind::kShared;
};

// The mutable borrow of one Arc/Rc handle: set by get_mut()/make_mut(),
// cleared by shared access through the handle (which C++ lets us see, unlike
// the death of the T& handed out). Atomic because shared access is const and
// may run on many threads at once (a `const Arc&` shared by a scope); only
// the first one after a mutation writes.
class HandleMutBorrow {
 public:
  HandleMutBorrow() = default;
  HandleMutBorrow(const HandleMutBorrow&) = delete;
  HandleMutBorrow& operator=(const HandleMutBorrow&) = delete;

  bool is_set() const noexcept { return set_.load(); }
  void set() noexcept { set_.store(true); }
  void clear() const noexcept {
    if (set_.load()) set_.store(false);
  }
  // The borrow moves with the handle (a T& from make_mut() points into the
  // allocation the receiving handle now owns).
  void take_from(HandleMutBorrow& other) noexcept { set_.store(other.set_.exchange(false)); }
  void swap(HandleMutBorrow& other) noexcept { set_.store(other.set_.exchange(set_.load())); }

 private:
  mutable std::atomic<bool> set_{false};
};
#else
inline constexpr bool kCheckedBorrows = false;

struct BorrowSource {};

struct BorrowToken {
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource /*unused*/) noexcept {}
  BorrowSource source() const noexcept { return {}; }
  BorrowSource source(BorrowKind /*unused*/) const noexcept { return {}; }
};

struct HandleMutBorrow {
  static constexpr bool is_set() noexcept { return false; }
  void set() noexcept {}
  void clear() const noexcept {}
  void take_from(HandleMutBorrow& /*unused*/) noexcept {}
  void swap(HandleMutBorrow& /*unused*/) noexcept {}
};
#endif

// The panics of a shared-ownership handle (Arc, Rc): `handle` names the type,
// `what` the operation.
[[noreturn, gnu::cold, gnu::noinline]] inline void handle_empty(const char* handle,
                                                               const char* what) {
  panic(std::string("ferrite::") + handle + "::" + what + ": this " + handle +
        " is empty (moved from, or consumed by try_unwrap/into_inner); assign a live " + handle +
        " to it before using it");
}
[[noreturn, gnu::cold, gnu::noinline]] inline void handle_mut_borrowed(const char* handle,
                                                                      const char* what) {
  panic(std::string("ferrite::") + handle + "::" + what + ": this " + handle +
        " lent mutable access to its value (get_mut()/make_mut()) that may still be in use, and "
        "a second handle would share a value being mutated; once done mutating, end the borrow "
        "by reading through this handle (*handle, handle->, handle.get()), then " +
        what);
}

}  // namespace ferrite::detail
