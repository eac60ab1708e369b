// ferrite/detail/borrow.h — the checked-borrow tracker behind Vec, Slice and
// SliceMut (ferrite/vec.h, ferrite/slice.h). Not part of the public API.
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
#else
inline constexpr bool kCheckedBorrows = false;

struct BorrowSource {};

struct BorrowToken {
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource /*unused*/) noexcept {}
  BorrowSource source() const noexcept { return {}; }
};
#endif

}  // namespace ferrite::detail
