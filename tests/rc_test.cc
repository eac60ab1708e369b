// Tests for ferrite/rc.h: Rc<T>, rc::Weak<T>, make_rc.
#include "ferrite/rc.h"

#include <bit>
#include <cassert>
#include <compare>
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- Send/Sync and const access (compile-time contract) ---------------------

static_assert(!Send<Rc<int>>, "Rc is not Send: its count is not atomic");
static_assert(!Sync<Rc<int>>, "Rc is not Sync: its count is not atomic");
static_assert(!Send<rc::Weak<int>>, "rc::Weak is not Send");
static_assert(!Sync<rc::Weak<int>>, "rc::Weak is not Sync");
static_assert(std::is_same_v<decltype(*std::declval<const Rc<int>&>()), const int&>);
// Shared access is const: get() cannot be written through (compile_fail/rc_get_is_const.cc).
static_assert(std::is_same_v<decltype(std::declval<const Rc<int>&>().get()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Rc<int>&>().get()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Rc<int>&>().operator->()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Rc<int>&>().get_mut()), int*>);
static_assert(std::is_same_v<decltype(std::declval<Rc<int>&>().make_mut()), int&>);
static_assert(
    std::is_same_v<decltype(std::declval<Rc<int>&&>().try_unwrap()), std::expected<int, Rc<int>>>);
static_assert(std::is_nothrow_move_constructible_v<Rc<int>>);
static_assert(std::is_nothrow_move_assignable_v<Rc<int>>);
static_assert(!std::is_default_constructible_v<Rc<int>>, "an Rc always starts with a value");
static_assert(std::is_nothrow_default_constructible_v<rc::Weak<int>>);

// get_mut/make_mut/try_unwrap are not available through a const handle.
template <class R>
concept HasGetMut = requires(R r) {
  r.get_mut();
};
static_assert(!HasGetMut<const Rc<int>&>);
static_assert(HasGetMut<Rc<int>&>);

// make_mut needs a copyable T (Rust: T: Clone).
template <class R>
concept HasMakeMut = requires(R r) {
  r.make_mut();
};
static_assert(!HasMakeMut<Rc<std::unique_ptr<int>>&>);

TEST(RcTest, HeaderExample) {
  ferrite::Rc<std::string> a = ferrite::make_rc<std::string>("hi");
  ferrite::Rc<std::string> b = a;  // clone: strong_count() == 2
  EXPECT_EQ(a.strong_count(), 2u);
  ferrite::rc::Weak<std::string> w = a.downgrade();
  b.make_mut() += "!";  // b now owns its own copy
  assert(*a == "hi" && *b == "hi!");
  EXPECT_EQ(*a, "hi");
  EXPECT_EQ(*b, "hi!");
  a = b;  // the "hi" value is destroyed
  assert(!w.upgrade().has_value());
  EXPECT_FALSE(w.upgrade().has_value());
}

// --- construction -----------------------------------------------------------

TEST(RcTest, MakeRcConstructsOneValueInPlace) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  {
    Rc<Counted> rc = make_rc<Counted>(7);
    EXPECT_EQ(Counted::live(), before + 1);  // constructed in place: no temporary
    EXPECT_EQ(rc->value(), 7);
    EXPECT_EQ((*rc).value(), 7);
    EXPECT_EQ(rc.get(), &*rc);
    EXPECT_EQ(rc.strong_count(), 1u);
    EXPECT_EQ(rc.weak_count(), 0u);
  }
  EXPECT_EQ(Counted::live(), before);
}

TEST(RcTest, MakeRcForwardsArguments) {
  Rc<std::vector<int>> v = make_rc<std::vector<int>>(3, 9);
  EXPECT_EQ(*v, (std::vector<int>{9, 9, 9}));
  auto moved_in = std::make_unique<int>(5);
  Rc<std::unique_ptr<int>> p = make_rc<std::unique_ptr<int>>(std::move(moved_in));
  EXPECT_EQ(moved_in, nullptr);
  EXPECT_EQ(**p, 5);
  struct Aggregate {
    int a;
    std::string b;
  };
  Rc<Aggregate> agg = make_rc<Aggregate>(1, "x");
  EXPECT_EQ(agg->a, 1);
  EXPECT_EQ(agg->b, "x");
}

TEST(RcTest, MakeRcHonoursOveralignment) {
  struct alignas(128) Wide {
    int x = 3;
  };
  Rc<Wide> rc = make_rc<Wide>();
  EXPECT_EQ(std::bit_cast<std::uintptr_t>(rc.get()) % 128, 0u);
  EXPECT_EQ(rc->x, 3);
}

TEST(RcTest, MakeRcWithThrowingConstructorLeaksNothing) {
  NoLeaks no_leaks;
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)make_rc<Fragile>(5), FaultInjected);
  }
  struct Throws {
    Throws() { throw std::runtime_error("no"); }
  };
  EXPECT_THROW((void)make_rc<Throws>(), std::runtime_error);
  // LeakSanitizer (the _asan build) proves the allocations were freed.
}

// --- copy, move, assignment ---------------------------------------------------

TEST(RcTest, CopyAndCloneShareTheValue) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(1);
  Rc<Counted> b = a;
  Rc<Counted> c = a.clone();
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.strong_count(), 3u);
  EXPECT_EQ(c.strong_count(), 3u);
  EXPECT_TRUE(a.ptr_eq(b));
  EXPECT_TRUE(b.ptr_eq(c));
  EXPECT_EQ(a.get(), c.get());
}

TEST(RcTest, MoveTransfersAndLeavesEmpty) {
  Rc<int> a = make_rc<int>(4);
  const int* address = a.get();
  Rc<int> b = std::move(a);
  EXPECT_EQ(b.get(), address);
  EXPECT_EQ(b.strong_count(), 1u);
  // NOLINTBEGIN(bugprone-use-after-move): the empty state is the contract.
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(a.strong_count(), 0u);
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.get_mut(), nullptr);
  Rc<int> c = make_rc<int>(5);
  c = std::move(b);
  EXPECT_EQ(c.get(), address);
  EXPECT_EQ(b.get(), nullptr);
  // NOLINTEND(bugprone-use-after-move)
}

TEST(RcTest, EmptyRcCanBeCopiedAssignedAndDestroyed) {
  Rc<int> live = make_rc<int>(1);
  Rc<int> empty = make_rc<int>(0);
  Rc<int> sink = std::move(empty);
  Rc<int> copy_of_empty = empty;  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(copy_of_empty.get(), nullptr);
  EXPECT_TRUE(copy_of_empty.ptr_eq(empty));
  EXPECT_FALSE(copy_of_empty.ptr_eq(live));
  Rc<int> clone_of_empty = empty.clone();
  EXPECT_EQ(clone_of_empty.get(), nullptr);
  empty = live;
  EXPECT_EQ(*empty, 1);
  EXPECT_EQ(live.strong_count(), 2u);
}

TEST(RcTest, EmptyRcPanicsOnUse) {
  Rc<std::string> rc = make_rc<std::string>("x");
  Rc<std::string> sink = std::move(rc);
  // NOLINTBEGIN(bugprone-use-after-move)
  EXPECT_THROW((void)*rc, Panic);
  EXPECT_THROW((void)rc->size(), Panic);
  EXPECT_THROW((void)rc.make_mut(), Panic);
  EXPECT_THROW((void)rc.downgrade(), Panic);
  EXPECT_THROW((void)Rc<std::string>(rc).try_unwrap(), Panic);
  EXPECT_THROW((void)Rc<std::string>(rc).into_inner(), Panic);
  EXPECT_THROW((void)Rc<std::string>(rc).unwrap_or_clone(), Panic);
  try {
    (void)*rc;
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("ferrite::Rc::operator*: this Rc is empty"),
              std::string::npos)
        << p.what();
  }
  // NOLINTEND(bugprone-use-after-move)
}

TEST(RcTest, CopyAssignmentReleasesTheOldValue) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(1);
  Rc<Counted> b = make_rc<Counted>(2);
  EXPECT_EQ(Counted::live(), before + 2);
  a = b;
  EXPECT_EQ(Counted::live(), before + 1);  // value 1 destroyed exactly once
  EXPECT_EQ(a->value(), 2);
  EXPECT_EQ(b.strong_count(), 2u);
}

TEST(RcTest, SelfAssignmentKeepsTheValue) {
  NoLeaks no_leaks;
  Rc<Counted> a = make_rc<Counted>(3);
  Rc<Counted>& alias = a;
  a = alias;
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a->value(), 3);
  a = std::move(alias);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a->value(), 3);
}

TEST(RcTest, Swap) {
  Rc<int> a = make_rc<int>(1);
  Rc<int> b = make_rc<int>(2);
  swap(a, b);
  EXPECT_EQ(*a, 2);
  EXPECT_EQ(*b, 1);
  a.swap(b);
  EXPECT_EQ(*a, 1);
}

// --- identity and comparison ---------------------------------------------------

TEST(RcTest, PtrEqIsIdentityAndComparisonIsByValue) {
  Rc<int> a = make_rc<int>(5);
  Rc<int> b = make_rc<int>(5);
  Rc<int> c = a;
  Rc<int> d = make_rc<int>(6);
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_TRUE(a.ptr_eq(c));
  EXPECT_TRUE(a == b);  // Rust's PartialEq for Rc compares values
  EXPECT_FALSE(a == d);
  EXPECT_TRUE(a != d);
  EXPECT_TRUE(a < d);
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
}

// --- counts ------------------------------------------------------------------------

TEST(RcTest, CountsFollowHandles) {
  Rc<int> a = make_rc<int>(0);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
  {
    rc::Weak<int> w1 = a.downgrade();
    rc::Weak<int> w2 = w1;
    Rc<int> b = a;
    EXPECT_EQ(a.strong_count(), 2u);
    EXPECT_EQ(a.weak_count(), 2u);
    EXPECT_EQ(w1.strong_count(), 2u);
    EXPECT_EQ(w1.weak_count(), 2u);
  }
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
}

// --- get_mut -----------------------------------------------------------------------

TEST(RcTest, GetMutOnlyWhenUnique) {
  Rc<int> a = make_rc<int>(1);
  ASSERT_NE(a.get_mut(), nullptr);
  *a.get_mut() = 2;
  EXPECT_EQ(*a, 2);
  int* unique = a.get_mut();
  EXPECT_EQ(unique, a.get());  // get() also ends get_mut's borrow
  {
    Rc<int> b = a;
    EXPECT_EQ(a.get_mut(), nullptr);  // another strong handle
    EXPECT_EQ(b.get_mut(), nullptr);
  }
  {
    rc::Weak<int> w = a.downgrade();
    EXPECT_EQ(a.get_mut(), nullptr);  // a Weak could upgrade and observe it
  }
  EXPECT_NE(a.get_mut(), nullptr);
}

// --- get_mut / make_mut lend a borrow of the handle (checked builds) ------------

bool mentions(const std::string& message, const char* text) {
  return message.find(text) != std::string::npos;
}

// The class comment's example.
TEST(RcMutBorrow, ClassExample) {
  auto r = ferrite::make_rc<std::string>("a");
  r.make_mut() += "b";  // the borrow starts
  if constexpr (detail::kCheckedBorrows) {
    EXPECT_FALSE(panic_message([&] { auto s = r; }).empty());  // the borrow is alive
  }
  EXPECT_EQ(*r, "ab");  // shared access ends it
  auto s = r;           // fine
  EXPECT_EQ(s.strong_count(), 2u);
}

TEST(RcMutBorrow, MakeMutThenClonePanics) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Rc<int> a = make_rc<int>(1);
  a.make_mut() = 2;
  const std::string message = panic_message([&] { static_cast<void>(a.clone()); });
  EXPECT_TRUE(mentions(message, "ferrite::Rc::clone")) << message;
  EXPECT_TRUE(mentions(message, "get_mut()/make_mut()")) << message;
  EXPECT_EQ(a.strong_count(), 1u);
  Rc<int> b = make_rc<int>(5);
  Rc<int> other = b;
  b.make_mut() = 6;  // clone-on-write: the new value is lent
  EXPECT_FALSE(panic_message([&] { static_cast<void>(b.clone()); }).empty());
  EXPECT_EQ(*other, 5);
}

TEST(RcMutBorrow, GetMutThenCloneOrDowngradePanics) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Rc<int> a = make_rc<int>(1);
  int* value = a.get_mut();
  ASSERT_NE(value, nullptr);
  *value = 3;
  EXPECT_TRUE(mentions(panic_message([&] { static_cast<void>(a.clone()); }),
                       "ferrite::Rc::clone"));
  const std::string message = panic_message([&] { static_cast<void>(a.downgrade()); });
  EXPECT_TRUE(mentions(message, "ferrite::Rc::downgrade")) << message;
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.strong_count(), 1u);
  Rc<int> c = make_rc<int>(7);
  Rc<int> d = c;
  EXPECT_EQ(c.get_mut(), nullptr);  // a failed get_mut() lends nothing
  Rc<int> e = c.clone();
  EXPECT_EQ(c.strong_count(), 3u);
}

TEST(RcMutBorrow, CopyConstructionAndCopyAssignmentFromTheHandlePanic) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Rc<std::string> a = make_rc<std::string>("a");
  a.make_mut() += "b";
  EXPECT_FALSE(panic_message([&] { Rc<std::string> copy(a); }).empty());
  Rc<std::string> target = make_rc<std::string>("t");
  EXPECT_FALSE(panic_message([&] { target = a; }).empty());
  EXPECT_EQ(*target, "t");
  EXPECT_EQ(a.strong_count(), 1u);
}

TEST(RcMutBorrow, SharedAccessEndsTheBorrow) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Rc<std::string> a = make_rc<std::string>("x");
  a.make_mut() += "y";
  EXPECT_EQ(*a, "xy");  // operator* ends the borrow
  Rc<std::string> b = a.clone();
  b.make_mut() += "z";
  EXPECT_EQ(b->size(), 3u);  // operator->
  rc::Weak<std::string> w = b.downgrade();
  w = rc::Weak<std::string>();
  ASSERT_NE(b.get_mut(), nullptr);
  EXPECT_NE(b.get(), nullptr);  // get()
  Rc<std::string> c = b;
  EXPECT_EQ(*c, "xyz");
  EXPECT_EQ(*a, "xy");
}

TEST(RcMutBorrow, MovesCarryTheBorrowAndAssignmentEndsIt) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Rc<int> a = make_rc<int>(1);
  a.make_mut() = 2;
  Rc<int> moved = std::move(a);
  EXPECT_FALSE(panic_message([&] { static_cast<void>(moved.clone()); }).empty());
  Rc<int> empty_copy = a;  // the moved-from handle lends nothing
  EXPECT_EQ(empty_copy.get(), nullptr);
  Rc<int> other = make_rc<int>(9);
  moved.swap(other);  // the borrow goes with the value it lent
  EXPECT_FALSE(panic_message([&] { static_cast<void>(other.clone()); }).empty());
  Rc<int> fine = moved.clone();
  other = make_rc<int>(3);  // assigning to the handle ends its borrow
  Rc<int> also_fine = other;
  EXPECT_EQ(*also_fine, 3);
  EXPECT_EQ(*fine, 9);
}

// --- make_mut ----------------------------------------------------------------------

TEST(RcTest, MakeMutWhenUniqueMutatesInPlace) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(1);
  const Counted* address = a.get();
  a.make_mut() = Counted(9);
  EXPECT_EQ(a.get(), address);
  EXPECT_EQ(a->value(), 9);
  EXPECT_EQ(Counted::live(), before + 1);
}

TEST(RcTest, MakeMutWithOtherStrongsClones) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(1);
  Rc<Counted> b = a;
  rc::Weak<Counted> w = a.downgrade();
  Counted& mine = b.make_mut();
  mine = Counted(2);
  EXPECT_EQ(Counted::live(), before + 2);
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_EQ(a->value(), 1);
  EXPECT_EQ(b->value(), 2);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(b.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 1u);  // the Weak stays with the original
  EXPECT_EQ(b.weak_count(), 0u);
  std::optional<Rc<Counted>> up = w.upgrade();
  ASSERT_TRUE(up.has_value());
  EXPECT_TRUE(up->ptr_eq(a));
}

TEST(RcTest, MakeMutWithOnlyWeaksMovesAndDisassociates) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(1);
  rc::Weak<Counted> w = a.downgrade();
  rc::Weak<Counted> w2 = w;
  const Counted* old_address = a.get();
  a.make_mut() = Counted(5);
  EXPECT_NE(a.get(), old_address);
  EXPECT_EQ(a->value(), 5);
  EXPECT_EQ(Counted::live(), before + 1);  // the moved-from original was destroyed
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
  EXPECT_TRUE(w.ptr_eq(w2));
  // w and w2 free the old block when they go (ASan checks).
}

TEST(RcTest, MakeMutCloneFaultInjectionLeavesOriginalUntouched) {
  NoLeaks no_leaks;
  Rc<Fragile> a = make_rc<Fragile>(1);
  Rc<Fragile> b = a;
  const Fragile* address = a.get();
  const long live = Counted::live();
  int n = 1;
  for (;; ++n) {
    FaultPlan plan(n);
    try {
      b.make_mut();
    } catch (const FaultInjected&) {
      EXPECT_TRUE(a.ptr_eq(b));
      EXPECT_EQ(b.get(), address);
      EXPECT_EQ(b->value(), 1);
      EXPECT_EQ(a.strong_count(), 2u);
      EXPECT_EQ(Counted::live(), live);
      continue;
    }
    EXPECT_FALSE(plan.fired());
    break;
  }
  EXPECT_GT(n, 1) << "make_mut never copied, so no fault was injected";
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_EQ(a->value(), 1);
  EXPECT_EQ(b->value(), 1);
}

TEST(RcTest, MakeMutMoveFaultInjectionKeepsWeaksAttached) {
  NoLeaks no_leaks;
  Rc<Fragile> a = make_rc<Fragile>(1);
  rc::Weak<Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  int n = 1;
  for (;; ++n) {
    FaultPlan plan(n);
    try {
      a.make_mut();
    } catch (const FaultInjected&) {
      EXPECT_EQ(a.get(), address);
      EXPECT_EQ(a->value(), 1);
      EXPECT_EQ(a.weak_count(), 1u);
      std::optional<Rc<Fragile>> up = w.upgrade();
      ASSERT_TRUE(up.has_value());
      EXPECT_TRUE(up->ptr_eq(a));
      continue;
    }
    break;
  }
  EXPECT_GT(n, 1);
  EXPECT_NE(a.get(), address);
  EXPECT_FALSE(w.upgrade().has_value());
}

// --- try_unwrap, into_inner, unwrap_or_clone --------------------------------

TEST(RcTest, TryUnwrapSucceedsForTheLastStrong) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Rc<Counted> a = make_rc<Counted>(8);
  rc::Weak<Counted> w = a.downgrade();  // weak handles do not block unwrapping
  std::expected<Counted, Rc<Counted>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 8);
  EXPECT_EQ(Counted::live(), before + 1);  // moved out; the original is gone
  EXPECT_EQ(a.get(), nullptr);             // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.weak_count(), 0u);
}

TEST(RcTest, TryUnwrapFailureGivesTheRcBackIntact) {
  NoLeaks no_leaks;
  Rc<Counted> a = make_rc<Counted>(8);
  Rc<Counted> b = a;
  const long live = Counted::live();
  std::expected<Counted, Rc<Counted>> r = std::move(a).try_unwrap();
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().ptr_eq(b));
  EXPECT_EQ(r.error()->value(), 8);
  EXPECT_EQ(b.strong_count(), 2u);
  EXPECT_EQ(Counted::live(), live);
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move): handed to the error
}

TEST(RcTest, TryUnwrapWhoseMoveThrowsKeepsTheRc) {
  NoLeaks no_leaks;
  Rc<Fragile> a = make_rc<Fragile>(3);
  rc::Weak<Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).try_unwrap(), FaultInjected);
  }
  EXPECT_EQ(a.get(), address);  // NOLINT(bugprone-use-after-move): intact on throw
  EXPECT_EQ(a->value(), 3);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_TRUE(w.upgrade().has_value());
  std::expected<Fragile, Rc<Fragile>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 3);
}

TEST(RcTest, IntoInnerReturnsTheValueOnlyForTheLastStrong) {
  NoLeaks no_leaks;
  Rc<Counted> a = make_rc<Counted>(4);
  Rc<Counted> b = a;
  std::optional<Counted> first = std::move(a).into_inner();
  EXPECT_FALSE(first.has_value());
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move): consumed anyway
  EXPECT_EQ(b.strong_count(), 1u);
  std::optional<Counted> second = std::move(b).into_inner();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->value(), 4);
}

TEST(RcTest, IntoInnerWhoseMoveThrowsDestroysTheValueOnce) {
  NoLeaks no_leaks;
  Rc<Fragile> a = make_rc<Fragile>(3);
  rc::Weak<Fragile> w = a.downgrade();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).into_inner(), FaultInjected);
  }
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
}

TEST(RcTest, UnwrapOrCloneMovesWhenUniqueAndCopiesWhenShared) {
  NoLeaks no_leaks;
  Rc<Counted> a = make_rc<Counted>(6);
  Rc<Counted> b = a;
  Counted copy = std::move(a).unwrap_or_clone();
  EXPECT_EQ(copy.value(), 6);
  EXPECT_EQ(b.strong_count(), 1u);
  Counted moved = std::move(b).unwrap_or_clone();
  EXPECT_EQ(moved.value(), 6);
  EXPECT_EQ(b.get(), nullptr);  // NOLINT(bugprone-use-after-move)
}

// --- Weak --------------------------------------------------------------------------

TEST(RcWeakTest, DefaultWeakIsEmpty) {
  rc::Weak<int> w;
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
  rc::Weak<int> other;
  EXPECT_TRUE(w.ptr_eq(other));
  rc::Weak<int> copy = w.clone();
  EXPECT_TRUE(copy.ptr_eq(w));
  Rc<int> rc = make_rc<int>(1);
  EXPECT_FALSE(rc.downgrade().ptr_eq(w));
}

TEST(RcWeakTest, UpgradeWhileAliveAndAfterLastStrongDropped) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  rc::Weak<Counted> w;
  {
    Rc<Counted> a = make_rc<Counted>(2);
    w = a.downgrade();
    std::optional<Rc<Counted>> up = w.upgrade();
    ASSERT_TRUE(up.has_value());
    EXPECT_TRUE(up->ptr_eq(a));
    EXPECT_EQ(a.strong_count(), 2u);
  }
  EXPECT_EQ(Counted::live(), before);  // destroyed by the last strong, not by the Weak
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_FALSE(w.upgrade().has_value());  // stays dead
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
}

TEST(RcWeakTest, CopyMoveAssignAndCounts) {
  Rc<int> a = make_rc<int>(1);
  rc::Weak<int> w1 = a.downgrade();
  rc::Weak<int> w2 = w1.clone();
  rc::Weak<int> w3 = std::move(w2);
  EXPECT_TRUE(w3.ptr_eq(w1));
  EXPECT_FALSE(w2.upgrade().has_value());  // NOLINT(bugprone-use-after-move): empty
  EXPECT_EQ(a.weak_count(), 2u);
  EXPECT_EQ(w1.weak_count(), 2u);
  rc::Weak<int>& alias = w1;
  w1 = alias;
  w1 = std::move(alias);
  EXPECT_EQ(a.weak_count(), 2u);
  w2 = w1;
  EXPECT_EQ(a.weak_count(), 3u);
  w2 = rc::Weak<int>();
  EXPECT_EQ(a.weak_count(), 2u);
  swap(w2, w3);
  EXPECT_EQ(w3.strong_count(), 0u);
  EXPECT_EQ(w2.strong_count(), 1u);
}

// A value whose destructor drops a Weak to its own allocation: the block must
// survive until the destructor is done (the implicit weak is still held).
struct SelfReferential {
  mutable rc::Weak<SelfReferential> self;
  Counted marker{0};
};

TEST(RcWeakTest, ValueHoldingAWeakToItselfIsDestroyedOnce) {
  NoLeaks no_leaks;
  Rc<SelfReferential> rc = make_rc<SelfReferential>();
  rc->self = rc.downgrade();
  EXPECT_EQ(rc.weak_count(), 1u);
  rc = make_rc<SelfReferential>();  // ASan: no use-after-free in the old value's destructor
  EXPECT_EQ(rc.weak_count(), 0u);
}

// A long chain whose links are released recursively; every link once.
TEST(RcTest, ChainOfRcsIsReleasedExactlyOnce) {
  NoLeaks no_leaks;
  struct Link {
    Counted marker{0};
    std::optional<Rc<Link>> next;
  };
  std::optional<Rc<Link>> head;
  const long before = Counted::live();
  for (int i = 0; i < 1000; ++i) head = make_rc<Link>(Counted(i), std::move(head));
  EXPECT_EQ(Counted::live(), before + 1000);
  head.reset();
  EXPECT_EQ(Counted::live(), before);
}

}  // namespace
}  // namespace ferrite
