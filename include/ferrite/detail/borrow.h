// ferrite/detail/borrow.h — the checked-borrow trackers behind Vec, Slice and
// SliceMut (ferrite/vec.h, ferrite/slice.h), and behind the mutable access
// that Arc and Rc hand out (ferrite/arc.h, ferrite/rc.h). Not part of the
// public API.
//
// C++ cannot reject a slice that outlives its Vec at compile time as Rust
// does, so in checked builds (FERRITE_CHECKED_BORROWS, from ferrite/panic.h)
// each Vec owns an atomic count of the views borrowed from it: every live
// Slice/SliceMut/chunk range holds one BorrowToken, and the Vec refuses to
// change while the count is non-zero. A BorrowToken is one counted borrow; a
// BorrowSource names the counter without counting. In release builds both
// are empty and cost nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

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
};

struct HandleMutBorrow {
  static constexpr bool is_set() noexcept { return false; }
  void set() noexcept {}
  void clear() const noexcept {}
  void take_from(HandleMutBorrow& /*unused*/) noexcept {}
  void swap(HandleMutBorrow& /*unused*/) noexcept {}
};
#endif

}  // namespace ferrite::detail
