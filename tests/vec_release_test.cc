// ferrite/vec.h built with -DFERRITE_CHECKED_BORROWS=0 (what NDEBUG builds
// get): the borrow counter and every check on it are compiled out, so a Vec
// is three words, a Slice two, and nothing panics for a live borrow.
#ifndef FERRITE_CHECKED_BORROWS
#error "build this test with -DFERRITE_CHECKED_BORROWS=0"
#endif
#if FERRITE_CHECKED_BORROWS
#error "build this test with -DFERRITE_CHECKED_BORROWS=0"
#endif

#include <string>
#include <type_traits>
#include <utility>

#include "ferrite/vec.h"
#include "gtest/gtest.h"

namespace ferrite {
namespace {

static_assert(!detail::kCheckedBorrows);
static_assert(sizeof(Vec<int>) == 3 * sizeof(void*), "no borrow counter member");
static_assert(sizeof(Slice<int>) == 2 * sizeof(void*), "no borrow token member");
static_assert(sizeof(SliceMut<int>) == 2 * sizeof(void*));
static_assert(sizeof(Vec<int>::iterator) == sizeof(int*));
static_assert(std::is_trivially_copyable_v<Slice<int>>, "a Slice is a pointer and a length");
static_assert(std::is_nothrow_move_constructible_v<Vec<int>>, "no borrow check on move");
static_assert(std::is_nothrow_move_assignable_v<Vec<int>>);

TEST(VecReleaseTest, NoBorrowChecksAreCompiledIn) {
  Vec<std::string> v = Vec<std::string>::with_capacity(4);
  v.push("a");
  Slice<std::string> s = v.as_slice();
  // Checked builds panic here; release builds trust the caller (no
  // reallocation happens, so the slice stays valid for this test).
  v.push("b");
  EXPECT_EQ(s[0], "a");
  EXPECT_EQ(v.len(), 2u);
}

TEST(VecReleaseTest, BoundsChecksStay) {
  Vec<int> v{1, 2, 3};
  EXPECT_THROW((void)v[3], Panic);
  EXPECT_THROW((void)v.as_slice()[3], Panic);
  EXPECT_FALSE(v.split_at_mut(4).has_value());
  auto [left, right] = *v.split_at_mut(1);
  left[0] = 7;
  EXPECT_EQ(std::as_const(v)[0], 7);
}

}  // namespace
}  // namespace ferrite
