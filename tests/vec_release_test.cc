// ferrite/vec.h built with -DFERRITE_CHECKED_BORROWS=0 (what NDEBUG builds
// get): the borrow counter and every check on it are compiled out, so a Vec
// is three words, a Slice two, and nothing panics for a live borrow.
#ifndef FERRITE_CHECKED_BORROWS
#error "build this test with -DFERRITE_CHECKED_BORROWS=0"
#endif
#if FERRITE_CHECKED_BORROWS
#error "build this test with -DFERRITE_CHECKED_BORROWS=0"
#endif

#include <ranges>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/vec.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"
#include "tests/support/vec_reentrancy.h"
#include "tests/support/vec_values.h"

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

// Re-entrancy without the checks: element code that reaches its own Vec
// while an operation runs finds it empty (the operation holds the
// elements), so the hostile programs of tests/vec_test.cc are memory-safe
// here too (the _asan twin checks), though nothing panics.

using namespace ::ferrite::testing;

struct PushesOnDestruction : LinkedToItsVec<PushesOnDestruction> {
  using LinkedToItsVec::LinkedToItsVec;
  PushesOnDestruction(PushesOnDestruction&&) noexcept = default;
  PushesOnDestruction& operator=(PushesOnDestruction&&) noexcept = default;
  ~PushesOnDestruction() {
    if (owner != nullptr) owner->push(PushesOnDestruction(nullptr, -1));
  }
};

TEST(VecReleaseTest, DestructorPushingIntoItsVecIsMemorySafe) {
  NoLeaks no_leaks;
  {
    Vec<PushesOnDestruction> v;
    for (int i = 0; i < 4; ++i) v.emplace(&v, i);
    v.shrink_to_fit();
    v.truncate(2);
    EXPECT_EQ(values(v), (std::vector<int>{0, 1})) << "what the destructors pushed is dropped";
    v.clear();
    EXPECT_TRUE(v.is_empty());
    for (int i = 0; i < 3; ++i) v.emplace(&v, i);
  }  // ~Vec: the pushes land in the dying Vec and are destroyed as well
}

TEST(VecReleaseTest, ConstructorEmplacingIntoItsVecIsMemorySafe) {
  NoLeaks no_leaks;
  for (bool full : {true, false}) {
    Vec<EmplacesOnConstruction> v = two_emplaced(full);
    v.emplace(&v, 2);
    EXPECT_EQ(values(v), (std::vector<int>{0, 1, 2}));
  }
}

TEST(VecReleaseTest, ExtendFromAViewOfItselfSeesItEmpty) {
  Vec<int> v{1, 2, 3, 4};
  v.extend(v | std::views::filter([](int x) { return x % 2 == 1; }));
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4}));
  v.extend(v);  // a contiguous view of itself is copied first
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4, 1, 2, 3, 4}));
}

TEST(VecReleaseTest, ResizeFromOwnElementSurvivesReallocation) {
  Vec<std::string> v{std::string(64, 'x')};
  v.resize(8, v[0]);
  for (const std::string& s : v) EXPECT_EQ(s, std::string(64, 'x'));
}

// A SliceMut's children are not counted either: nothing stops the parent
// from being used while they live (checked builds panic), so release builds
// rely on the caller to leave it alone, as Rust's borrow checker would make
// it. Lending costs nothing: no allocation, no count, the same two words.
static_assert(std::is_empty_v<detail::Lender>);
static_assert(noexcept(std::declval<SliceMut<int>&>().as_slice()));
static_assert(noexcept(std::declval<SliceMut<int>&>().begin()));

TEST(VecReleaseTest, SliceMutLendsWithoutChecks) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  {
    auto [a, b] = *m.split_at_mut(2);
    a[0] = 10;
    m[3] = 40;  // checked builds panic: the halves borrow m
    EXPECT_EQ(b[1], 40);
  }
  Slice<int> s = m.as_slice();
  m[1] = 20;  // checked builds panic: s borrows m
  EXPECT_EQ(s[1], 20);
  auto [left, right] = *v.as_mut_slice().split_at_mut(1);  // the parent is a temporary
  right[0] = 2;
  EXPECT_EQ(left[0], 10);
  EXPECT_EQ(s[1], 2);
}

}  // namespace
}  // namespace ferrite
