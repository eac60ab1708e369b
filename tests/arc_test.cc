// Tests for ferrite/arc.h: Arc<T>, arc::Weak<T>, make_arc.
//
// Single-threaded tests pin down the contract (the same cases as rc_test.cc);
// the multi-threaded ones race clones, drops, downgrades, upgrades, get_mut,
// make_mut and into_inner, and are meant to run under ThreadSanitizer, where a
// too-weak memory ordering shows up as a data race on the value or the block.
#include "ferrite/arc.h"

#include <atomic>
#include <bit>
#include <cassert>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <memory>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- Send/Sync and const access (compile-time contract) ---------------------

static_assert(Send<Arc<int>> && Sync<Arc<int>>);
static_assert(Send<Arc<std::string>> && Sync<Arc<std::string>>);
static_assert(!Send<Arc<Rc<int>>> && !Sync<Arc<Rc<int>>>, "Arc<T> needs T: Send + Sync");
static_assert(!Send<Arc<int*>> && !Sync<Arc<int*>>);
static_assert(Send<arc::Weak<int>> && Sync<arc::Weak<int>>);
static_assert(!Send<arc::Weak<Rc<int>>> && !Sync<arc::Weak<Rc<int>>>);
static_assert(std::is_same_v<decltype(*std::declval<const Arc<int>&>()), const int&>);
// Shared access is const: get() cannot be written through (compile_fail/arc_get_is_const.cc).
static_assert(std::is_same_v<decltype(std::declval<const Arc<int>&>().get()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Arc<int>&>().get()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Arc<int>&>().operator->()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Arc<int>&>().get_mut()), int*>);
static_assert(std::is_same_v<decltype(std::declval<Arc<int>&>().make_mut()), int&>);
static_assert(std::is_same_v<decltype(std::declval<Arc<int>&&>().try_unwrap()),
                             std::expected<int, Arc<int>>>);
// Copying panics while the source lends mutable access, in checked builds only.
static_assert(std::is_nothrow_copy_constructible_v<Arc<int>> == !detail::kCheckedBorrows);
static_assert(std::is_nothrow_move_constructible_v<Arc<int>>);
static_assert(!std::is_default_constructible_v<Arc<int>>, "an Arc always starts with a value");
static_assert(std::is_nothrow_default_constructible_v<arc::Weak<int>>);

template <class A>
concept HasGetMut = requires(A a) {
  a.get_mut();
};
static_assert(!HasGetMut<const Arc<int>&>);
static_assert(HasGetMut<Arc<int>&>);
template <class A>
concept HasMakeMut = requires(A a) {
  a.make_mut();
};
static_assert(!HasMakeMut<Arc<std::unique_ptr<int>>&>);

TEST(ArcTest, HeaderExample) {
  ferrite::Arc<std::vector<int>> data = ferrite::make_arc<std::vector<int>>(1000, 1);
  std::vector<std::thread> readers;
  std::atomic<long> total{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([data, &total] {  // each thread owns a clone
      total += std::accumulate(data->begin(), data->end(), 0L);
    });
  }
  for (std::thread& t : readers) t.join();
  assert(total == 4000 && data.strong_count() == 1);
  EXPECT_EQ(total.load(), 4000);
  EXPECT_EQ(data.strong_count(), 1u);
}

// --- construction -----------------------------------------------------------

TEST(ArcTest, MakeArcConstructsOneValueInPlace) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  {
    Arc<Counted> arc = make_arc<Counted>(7);
    EXPECT_EQ(Counted::live(), before + 1);
    EXPECT_EQ(arc->value(), 7);
    EXPECT_EQ((*arc).value(), 7);
    EXPECT_EQ(arc.get(), &*arc);
    EXPECT_EQ(arc.strong_count(), 1u);
    EXPECT_EQ(arc.weak_count(), 0u);
  }
  EXPECT_EQ(Counted::live(), before);
}

TEST(ArcTest, MakeArcForwardsArgumentsAndHonoursAlignment) {
  Arc<std::vector<int>> v = make_arc<std::vector<int>>(2, 4);
  EXPECT_EQ(*v, (std::vector<int>{4, 4}));
  auto moved_in = std::make_unique<int>(5);
  Arc<std::unique_ptr<int>> p = make_arc<std::unique_ptr<int>>(std::move(moved_in));
  EXPECT_EQ(moved_in, nullptr);
  EXPECT_EQ(**p, 5);
  struct alignas(128) Wide {
    int x = 3;
  };
  Arc<Wide> wide = make_arc<Wide>();
  EXPECT_EQ(std::bit_cast<std::uintptr_t>(wide.get()) % 128, 0u);
}

TEST(ArcTest, MakeArcWithThrowingConstructorLeaksNothing) {
  NoLeaks no_leaks;
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)make_arc<Fragile>(5), FaultInjected);
  }
  struct Throws {
    Throws() { throw std::runtime_error("no"); }
  };
  EXPECT_THROW((void)make_arc<Throws>(), std::runtime_error);
}

// --- copy, move, assignment ---------------------------------------------------

TEST(ArcTest, CopyAndCloneShareTheValue) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Arc<Counted> a = make_arc<Counted>(1);
  Arc<Counted> b = a;
  Arc<Counted> c = a.clone();
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.strong_count(), 3u);
  EXPECT_TRUE(a.ptr_eq(b));
  EXPECT_TRUE(b.ptr_eq(c));
}

TEST(ArcTest, MoveTransfersAndLeavesEmpty) {
  Arc<int> a = make_arc<int>(4);
  const int* address = a.get();
  Arc<int> b = std::move(a);
  EXPECT_EQ(b.get(), address);
  // NOLINTBEGIN(bugprone-use-after-move): the empty state is the contract.
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(a.strong_count(), 0u);
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.get_mut(), nullptr);
  Arc<int> copy_of_empty = a;
  EXPECT_EQ(copy_of_empty.get(), nullptr);
  EXPECT_TRUE(copy_of_empty.ptr_eq(a));
  EXPECT_EQ(a.clone().get(), nullptr);
  Arc<int> c = make_arc<int>(5);
  c = std::move(b);
  EXPECT_EQ(c.get(), address);
  EXPECT_EQ(b.get(), nullptr);
  a = c;
  EXPECT_EQ(*a, 4);
  EXPECT_EQ(c.strong_count(), 2u);
  // NOLINTEND(bugprone-use-after-move)
}

TEST(ArcTest, EmptyArcPanicsOnUse) {
  Arc<std::string> arc = make_arc<std::string>("x");
  Arc<std::string> sink = std::move(arc);
  // NOLINTBEGIN(bugprone-use-after-move)
  EXPECT_THROW((void)*arc, Panic);
  EXPECT_THROW((void)arc->size(), Panic);
  EXPECT_THROW((void)arc.make_mut(), Panic);
  EXPECT_THROW((void)arc.downgrade(), Panic);
  EXPECT_THROW((void)Arc<std::string>(arc).try_unwrap(), Panic);
  EXPECT_THROW((void)Arc<std::string>(arc).into_inner(), Panic);
  EXPECT_THROW((void)Arc<std::string>(arc).unwrap_or_clone(), Panic);
  try {
    (void)*arc;
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("ferrite::Arc::operator*: this Arc is empty"),
              std::string::npos)
        << p.what();
  }
  // NOLINTEND(bugprone-use-after-move)
}

TEST(ArcTest, AssignmentReleasesTheOldValueAndSelfAssignmentIsHarmless) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Arc<Counted> a = make_arc<Counted>(1);
  Arc<Counted> b = make_arc<Counted>(2);
  a = b;
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a->value(), 2);
  Arc<Counted>& alias = a;
  a = alias;
  a = std::move(alias);
  EXPECT_EQ(a.strong_count(), 2u);
  EXPECT_EQ(a->value(), 2);
  swap(a, b);
  EXPECT_TRUE(a.ptr_eq(b));
}

TEST(ArcTest, PtrEqIsIdentityAndComparisonIsByValue) {
  Arc<int> a = make_arc<int>(5);
  Arc<int> b = make_arc<int>(5);
  Arc<int> c = a;
  Arc<int> d = make_arc<int>(6);
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_TRUE(a.ptr_eq(c));
  EXPECT_TRUE(a == b);
  EXPECT_TRUE(a != d);
  EXPECT_TRUE(a < d);
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
}

TEST(ArcTest, CountsFollowHandles) {
  Arc<int> a = make_arc<int>(0);
  {
    arc::Weak<int> w1 = a.downgrade();
    arc::Weak<int> w2 = w1;
    Arc<int> b = a;
    EXPECT_EQ(a.strong_count(), 2u);
    EXPECT_EQ(a.weak_count(), 2u);
    EXPECT_EQ(w1.strong_count(), 2u);
    EXPECT_EQ(w1.weak_count(), 2u);
  }
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
}

// --- get_mut / make_mut ---------------------------------------------------------

TEST(ArcTest, GetMutOnlyWhenUnique) {
  Arc<int> a = make_arc<int>(1);
  ASSERT_NE(a.get_mut(), nullptr);
  *a.get_mut() = 2;
  EXPECT_EQ(*a, 2);
  {
    Arc<int> b = a;
    EXPECT_EQ(a.get_mut(), nullptr);
    EXPECT_EQ(b.get_mut(), nullptr);
  }
  {
    arc::Weak<int> w = a.downgrade();
    EXPECT_EQ(a.get_mut(), nullptr);
    EXPECT_EQ(a.weak_count(), 1u);  // the lock was released
  }
  int* unique = a.get_mut();
  EXPECT_EQ(unique, a.get());  // get() also ends get_mut's borrow
  EXPECT_EQ(a.weak_count(), 0u);
  arc::Weak<int> later = a.downgrade();  // downgrade after get_mut's lock/unlock
  EXPECT_EQ(a.weak_count(), 1u);
}

// --- get_mut / make_mut lend a borrow of the handle (checked builds) ------------

bool mentions(const std::string& message, const char* text) {
  return message.find(text) != std::string::npos;
}

// The class comment's example.
TEST(ArcMutBorrow, ClassExample) {
  auto a = ferrite::make_arc<std::vector<int>>();
  a.make_mut().push_back(1);  // the borrow starts
  if constexpr (detail::kCheckedBorrows) {
    EXPECT_FALSE(panic_message([&] { auto b = a; }).empty());  // the borrow is alive
  }
  std::size_t n = a->size();  // shared access ends it
  auto b = a;                 // fine: b and a share {1}
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(b->at(0), 1);
}

TEST(ArcMutBorrow, MakeMutThenClonePanics) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Arc<int> a = make_arc<int>(1);
  int& value = a.make_mut();
  value = 2;
  const std::string message = panic_message([&] { static_cast<void>(a.clone()); });
  EXPECT_TRUE(mentions(message, "ferrite::Arc::clone")) << message;
  EXPECT_TRUE(mentions(message, "get_mut()/make_mut()")) << message;
  EXPECT_EQ(a.strong_count(), 1u);  // nothing was cloned; strong_count() ends nothing
  // make_mut() on a shared handle (clone-on-write) lends the new value too.
  Arc<int> b = make_arc<int>(5);
  {
    Arc<int> other = b;
    b.make_mut() = 6;
    EXPECT_FALSE(panic_message([&] { static_cast<void>(b.clone()); }).empty());
    EXPECT_EQ(*other, 5);
  }
}

TEST(ArcMutBorrow, GetMutThenCloneOrDowngradePanics) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Arc<int> a = make_arc<int>(1);
  int* value = a.get_mut();
  ASSERT_NE(value, nullptr);
  *value = 3;
  EXPECT_TRUE(mentions(panic_message([&] { static_cast<void>(a.clone()); }),
                       "ferrite::Arc::clone"));
  const std::string message = panic_message([&] { static_cast<void>(a.downgrade()); });
  EXPECT_TRUE(mentions(message, "ferrite::Arc::downgrade")) << message;
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.strong_count(), 1u);
  // A get_mut() that fails (not the sole handle) lends nothing.
  Arc<int> c = make_arc<int>(7);
  Arc<int> d = c;
  EXPECT_EQ(c.get_mut(), nullptr);
  Arc<int> e = c.clone();
  EXPECT_EQ(c.strong_count(), 3u);
}

TEST(ArcMutBorrow, CopyConstructionAndCopyAssignmentFromTheHandlePanic) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Arc<std::string> a = make_arc<std::string>("a");
  a.make_mut() += "b";
  EXPECT_FALSE(panic_message([&] { Arc<std::string> copy(a); }).empty());
  Arc<std::string> target = make_arc<std::string>("t");
  EXPECT_FALSE(panic_message([&] { target = a; }).empty());
  EXPECT_EQ(*target, "t");  // unchanged
  EXPECT_EQ(a.strong_count(), 1u);
}

TEST(ArcMutBorrow, SharedAccessEndsTheBorrow) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Arc<std::string> a = make_arc<std::string>("x");
  a.make_mut() += "y";
  EXPECT_EQ(*a, "xy");  // operator* ends the borrow
  Arc<std::string> b = a.clone();
  b.make_mut() += "z";
  EXPECT_EQ(b->size(), 3u);  // operator->
  arc::Weak<std::string> w = b.downgrade();
  Arc<std::string> c = std::move(b);
  EXPECT_EQ(c.get_mut(), nullptr);  // a Weak exists: fails, lends nothing
  w = arc::Weak<std::string>();
  ASSERT_NE(c.get_mut(), nullptr);
  *c.get_mut() = "w";
  EXPECT_NE(c.get(), nullptr);  // get()
  Arc<std::string> d = c;
  EXPECT_EQ(*d, "w");
  EXPECT_EQ(*a, "xy");
}

TEST(ArcMutBorrow, MovesCarryTheBorrowAndAssignmentEndsIt) {
  if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  Arc<int> a = make_arc<int>(1);
  a.make_mut() = 2;
  Arc<int> moved = std::move(a);
  EXPECT_FALSE(panic_message([&] { static_cast<void>(moved.clone()); }).empty());
  Arc<int> empty_copy = a;  // the moved-from handle lends nothing
  EXPECT_EQ(empty_copy.get(), nullptr);
  Arc<int> other = make_arc<int>(9);
  moved.swap(other);  // the borrow goes with the value it lent
  EXPECT_FALSE(panic_message([&] { static_cast<void>(other.clone()); }).empty());
  Arc<int> fine = moved.clone();
  other = make_arc<int>(3);  // assigning to the handle ends its borrow
  Arc<int> also_fine = other;
  EXPECT_EQ(*also_fine, 3);
  EXPECT_EQ(*fine, 9);
}

// Ending the borrow is a write, done by const shared access: threads that
// read one `const Arc&` at once after a make_mut() must not race on it.
TEST(ArcMutBorrow, ConcurrentSharedAccessAfterMakeMut) {
  Arc<long> a = make_arc<long>(0);
  a.make_mut() = 42;
  const Arc<long>& shared = a;
  std::atomic<long> total{0};
  std::latch start(4);
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      start.arrive_and_wait();
      total += *shared;
      Arc<long> mine = shared.clone();
      total += *mine.get();
    });
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(total.load(), 8 * 42);
}

TEST(ArcTest, MakeMutWhenUniqueMutatesInPlace) {
  NoLeaks no_leaks;
  Arc<Counted> a = make_arc<Counted>(1);
  const Counted* address = a.get();
  a.make_mut() = Counted(9);
  EXPECT_EQ(a.get(), address);
  EXPECT_EQ(a->value(), 9);
  EXPECT_EQ(a.strong_count(), 1u);  // the count was restored
  Arc<Counted> b = a;               // and works as usual afterwards
  EXPECT_EQ(a.strong_count(), 2u);
}

TEST(ArcTest, MakeMutWithOtherStrongsClones) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Arc<Counted> a = make_arc<Counted>(1);
  Arc<Counted> b = a;
  arc::Weak<Counted> w = a.downgrade();
  b.make_mut() = Counted(2);
  EXPECT_EQ(Counted::live(), before + 2);
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_EQ(a->value(), 1);
  EXPECT_EQ(b->value(), 2);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(b.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 1u);
  EXPECT_EQ(b.weak_count(), 0u);
  std::optional<Arc<Counted>> up = w.upgrade();
  ASSERT_TRUE(up.has_value());
  EXPECT_TRUE(up->ptr_eq(a));
}

TEST(ArcTest, MakeMutWithOnlyWeaksMovesAndDisassociates) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Arc<Counted> a = make_arc<Counted>(1);
  arc::Weak<Counted> w = a.downgrade();
  const Counted* old_address = a.get();
  a.make_mut() = Counted(5);
  EXPECT_NE(a.get(), old_address);
  EXPECT_EQ(a->value(), 5);
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
}

TEST(ArcTest, MakeMutCloneFaultInjectionLeavesOriginalUntouched) {
  NoLeaks no_leaks;
  Arc<Fragile> a = make_arc<Fragile>(1);
  Arc<Fragile> b = a;
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
  EXPECT_EQ(b->value(), 1);
}

TEST(ArcTest, MakeMutMoveFaultInjectionRestoresTheHandle) {
  NoLeaks no_leaks;
  Arc<Fragile> a = make_arc<Fragile>(1);
  arc::Weak<Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  int n = 1;
  for (;; ++n) {
    FaultPlan plan(n);
    try {
      a.make_mut();
    } catch (const FaultInjected&) {
      EXPECT_EQ(a.get(), address);
      EXPECT_EQ(a->value(), 1);
      EXPECT_EQ(a.strong_count(), 1u);  // restored from the claimed 0
      EXPECT_EQ(a.weak_count(), 1u);
      std::optional<Arc<Fragile>> up = w.upgrade();
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

TEST(ArcTest, TryUnwrapSucceedsForTheLastStrong) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  Arc<Counted> a = make_arc<Counted>(8);
  arc::Weak<Counted> w = a.downgrade();
  std::expected<Counted, Arc<Counted>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 8);
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
}

TEST(ArcTest, TryUnwrapFailureGivesTheArcBackIntact) {
  NoLeaks no_leaks;
  Arc<Counted> a = make_arc<Counted>(8);
  Arc<Counted> b = a;
  const long live = Counted::live();
  std::expected<Counted, Arc<Counted>> r = std::move(a).try_unwrap();
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().ptr_eq(b));
  EXPECT_EQ(r.error()->value(), 8);
  EXPECT_EQ(b.strong_count(), 2u);
  EXPECT_EQ(Counted::live(), live);
}

TEST(ArcTest, TryUnwrapWhoseMoveThrowsKeepsTheArc) {
  NoLeaks no_leaks;
  Arc<Fragile> a = make_arc<Fragile>(3);
  arc::Weak<Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).try_unwrap(), FaultInjected);
  }
  EXPECT_EQ(a.get(), address);  // NOLINT(bugprone-use-after-move): intact on throw
  EXPECT_EQ(a->value(), 3);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_TRUE(w.upgrade().has_value());
  std::expected<Fragile, Arc<Fragile>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 3);
}

TEST(ArcTest, IntoInnerReturnsTheValueOnlyForTheLastStrong) {
  NoLeaks no_leaks;
  Arc<Counted> a = make_arc<Counted>(4);
  Arc<Counted> b = a;
  EXPECT_FALSE(std::move(a).into_inner().has_value());
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(b.strong_count(), 1u);
  std::optional<Counted> value = std::move(b).into_inner();
  ASSERT_TRUE(value.has_value());
  EXPECT_EQ(value->value(), 4);
}

TEST(ArcTest, IntoInnerWhoseMoveThrowsDestroysTheValueOnce) {
  NoLeaks no_leaks;
  Arc<Fragile> a = make_arc<Fragile>(3);
  arc::Weak<Fragile> w = a.downgrade();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).into_inner(), FaultInjected);
  }
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
}

TEST(ArcTest, UnwrapOrCloneMovesWhenUniqueAndCopiesWhenShared) {
  NoLeaks no_leaks;
  Arc<Counted> a = make_arc<Counted>(6);
  Arc<Counted> b = a;
  EXPECT_EQ(std::move(a).unwrap_or_clone().value(), 6);
  EXPECT_EQ(b.strong_count(), 1u);
  EXPECT_EQ(std::move(b).unwrap_or_clone().value(), 6);
  EXPECT_EQ(b.get(), nullptr);  // NOLINT(bugprone-use-after-move)
}

// --- Weak --------------------------------------------------------------------------

TEST(ArcWeakTest, DefaultWeakIsEmpty) {
  arc::Weak<int> w;
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
  arc::Weak<int> other;
  EXPECT_TRUE(w.ptr_eq(other));
  EXPECT_TRUE(w.clone().ptr_eq(w));
  Arc<int> a = make_arc<int>(1);
  EXPECT_FALSE(a.downgrade().ptr_eq(w));
}

TEST(ArcWeakTest, UpgradeWhileAliveAndAfterLastStrongDropped) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  arc::Weak<Counted> w;
  {
    Arc<Counted> a = make_arc<Counted>(2);
    w = a.downgrade();
    std::optional<Arc<Counted>> up = w.upgrade();
    ASSERT_TRUE(up.has_value());
    EXPECT_TRUE(up->ptr_eq(a));
    EXPECT_EQ(a.strong_count(), 2u);
  }
  EXPECT_EQ(Counted::live(), before);
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
}

TEST(ArcWeakTest, CopyMoveAssignAndCounts) {
  Arc<int> a = make_arc<int>(1);
  arc::Weak<int> w1 = a.downgrade();
  arc::Weak<int> w2 = w1.clone();
  arc::Weak<int> w3 = std::move(w2);
  EXPECT_TRUE(w3.ptr_eq(w1));
  EXPECT_FALSE(w2.upgrade().has_value());  // NOLINT(bugprone-use-after-move): empty
  EXPECT_EQ(a.weak_count(), 2u);
  arc::Weak<int>& alias = w1;
  w1 = alias;
  w1 = std::move(alias);
  EXPECT_EQ(a.weak_count(), 2u);
  w2 = w1;
  EXPECT_EQ(a.weak_count(), 3u);
  w2 = arc::Weak<int>();
  EXPECT_EQ(a.weak_count(), 2u);
  swap(w2, w3);
  EXPECT_EQ(w3.strong_count(), 0u);
  EXPECT_EQ(w2.strong_count(), 1u);
}

struct SelfReferential {
  mutable arc::Weak<SelfReferential> self;
  Counted marker{0};
};

TEST(ArcWeakTest, ValueHoldingAWeakToItselfIsDestroyedOnce) {
  NoLeaks no_leaks;
  Arc<SelfReferential> arc = make_arc<SelfReferential>();
  arc->self = arc.downgrade();
  arc = make_arc<SelfReferential>();  // ASan: no use-after-free in the destructor
  EXPECT_EQ(arc.weak_count(), 0u);
}

// --- threads -----------------------------------------------------------------

constexpr int kThreads = 8;

// Runs body(i) on kThreads threads that start together.
template <class Body>
void run_threads(Body body) {
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&start, &body, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

// Every thread clones, drops, downgrades, upgrades and copies Weaks of one
// shared handle, and reads the value through each new strong handle.
TEST(ArcStressTest, ConcurrentCloneDropDowngradeUpgrade) {
  NoLeaks no_leaks;
  constexpr int kIterations = 50000;
  {
    const Arc<Counted> shared = make_arc<Counted>(42);
    const arc::Weak<Counted> shared_weak = shared.downgrade();
    std::atomic<long> reads{0};
    run_threads([&](int) {
      long local_reads = 0;
      for (int i = 0; i < kIterations; ++i) {
        Arc<Counted> mine = shared;  // concurrent copies of one const handle
        arc::Weak<Counted> weak = mine.downgrade();
        arc::Weak<Counted> weak_copy = shared_weak;
        std::optional<Arc<Counted>> up = weak.upgrade();
        if (!up.has_value() || (*up)->value() != 42) break;  // must not happen
        local_reads += (*up)->value() == 42;
        Arc<Counted> moved = std::move(*up);
        EXPECT_EQ(moved.get_mut(), nullptr);  // never unique: `shared` lives
        EXPECT_GE(shared.strong_count(), 2u);
        EXPECT_GE(shared.weak_count(), 2u);
        EXPECT_GE(weak_copy.weak_count(), 2u);
      }
      reads += local_reads;
    });
    EXPECT_EQ(reads.load(), long{kThreads} * kIterations);
    EXPECT_EQ(shared.strong_count(), 1u);
    EXPECT_EQ(shared.weak_count(), 1u);
  }
}

// The value records, per thread, a plain (non-atomic) write made just before
// that thread drops its handle; the destructor, run by whichever thread drops
// last, reads them all. Without release decrements and the acquire on the
// last one, ThreadSanitizer reports these as races (and the check may fail).
class DropWitness {
 public:
  DropWitness(std::atomic<int>* destructions, std::atomic<bool>* all_seen)
      : slots_(kThreads, 0), destructions_(destructions), all_seen_(all_seen) {}
  DropWitness(const DropWitness&) = delete;
  DropWitness& operator=(const DropWitness&) = delete;
  ~DropWitness() {
    bool all = true;
    for (int i = 0; i < kThreads; ++i) all = all && slots_.at(static_cast<std::size_t>(i)) == i + 1;
    all_seen_->store(all);
    destructions_->fetch_add(1);
  }
  // Each thread writes only its own slot, so the writers never race.
  void mark(int thread) const { slots_.at(static_cast<std::size_t>(thread)) = thread + 1; }

 private:
  mutable std::vector<int> slots_;
  std::atomic<int>* destructions_;
  std::atomic<bool>* all_seen_;
};

TEST(ArcStressTest, ValueIsDestroyedExactlyOnceWhenThreadsDropTheLastHandlesTogether) {
  constexpr int kRounds = 300;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> destructions{0};
    std::atomic<bool> all_seen{false};
    std::atomic<int> fresh_destructions{0};
    std::atomic<bool> fresh_all_seen{false};
    std::vector<Arc<DropWitness>> handles;
    std::vector<arc::Weak<DropWitness>> weaks;
    {
      Arc<DropWitness> origin = make_arc<DropWitness>(&destructions, &all_seen);
      for (int i = 0; i < kThreads; ++i) {
        handles.push_back(origin);
        weaks.push_back(origin.downgrade());
      }
    }
    run_threads([&](int i) {
      Arc<DropWitness> mine = std::move(handles.at(static_cast<std::size_t>(i)));
      arc::Weak<DropWitness> weak = std::move(weaks.at(static_cast<std::size_t>(i)));
      mine->mark(i);
      // Drops our handle (perhaps the last) by assigning a fresh value.
      mine = make_arc<DropWitness>(&fresh_destructions, &fresh_all_seen);
      // Upgrading races with the other threads' drops: it either fails or
      // yields a handle that keeps the value alive while we use it.
      if (std::optional<Arc<DropWitness>> up = weak.upgrade()) (*up)->mark(i);
    });
    ASSERT_EQ(destructions.load(), 1) << "round " << round;
    ASSERT_TRUE(all_seen.load()) << "round " << round;
    ASSERT_EQ(fresh_destructions.load(), kThreads) << "round " << round;
  }
}

// Exactly one of the threads racing into_inner() on the last handles wins.
TEST(ArcStressTest, IntoInnerGivesTheValueToExactlyOneThread) {
  NoLeaks no_leaks;
  constexpr int kRounds = 300;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Arc<Counted>> handles;
    handles.assign(kThreads, make_arc<Counted>(round));
    std::atomic<int> winners{0};
    run_threads([&](int i) {
      std::optional<Counted> value =
          std::move(handles.at(static_cast<std::size_t>(i))).into_inner();
      if (value.has_value()) {
        EXPECT_EQ(value->value(), round);
        winners.fetch_add(1);
      }
    });
    ASSERT_EQ(winners.load(), 1) << "round " << round;
  }
}

// get_mut() must never vouch for uniqueness while another thread holds a
// strong handle that it keeps downgrading and upgrading (the weak-count lock),
// and must succeed once that thread has let go; the write through it must not
// race with the other thread's earlier reads.
TEST(ArcStressTest, GetMutRacesWithDowngradeAndUpgrade) {
  constexpr int kIterations = 20000;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    Arc<std::vector<int>> mine = make_arc<std::vector<int>>(16, 7);
    Arc<std::vector<int>> theirs = mine;
    std::atomic<bool> released{false};
    std::thread other([moved = std::move(theirs), &released]() mutable {
      long sum = 0;
      for (int i = 0; i < kIterations; ++i) {
        arc::Weak<std::vector<int>> weak = moved.downgrade();
        if (std::optional<Arc<std::vector<int>>> up = weak.upgrade()) sum += (*up)->front();
      }
      // A last read through the strong handle: only the release decrement
      // of `moved` (and get_mut's acquire load of the strong count) orders
      // it before the main thread's write.
      sum += moved->back();
      EXPECT_EQ(sum, 7L * (kIterations + 1));
      released.store(true);
      Arc<std::vector<int>> drop_now = std::move(moved);
    });
    // Spinning on get_mut() is the synchronization under test: it may only
    // succeed after the other thread dropped its last handle of either kind.
    std::vector<int>* exclusive = nullptr;
    while (exclusive == nullptr) exclusive = mine.get_mut();
    // TSan: the write must happen-after the other thread's reads. (Checked
    // before `released` is loaded, which would add synchronization.)
    exclusive->back() = 8;
    EXPECT_TRUE(released.load()) << "get_mut() succeeded while another handle was alive";
    other.join();
    EXPECT_EQ(mine->back(), 8);
    EXPECT_EQ(mine.strong_count(), 1u);
    EXPECT_EQ(mine.weak_count(), 0u);
  }
}

// Another thread reads the value and drops its handle; this thread waits for
// the strong count to fall to 1 (a relaxed read, which synchronizes nothing)
// and then claims the value with make_mut() (moving it out: a Weak exists) or
// try_unwrap(), destroying the original. Only the claim's acquire orders the
// other thread's read before that destruction.
TEST(ArcStressTest, ClaimAfterOtherThreadsDropSynchronizesWithThem) {
  NoLeaks no_leaks;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    Arc<Counted> mine = make_arc<Counted>(round);
    arc::Weak<Counted> weak = mine.downgrade();
    std::thread other([theirs = mine.clone(), round]() mutable {
      EXPECT_EQ(theirs->value(), round);
      Arc<Counted> drop_now = std::move(theirs);
    });
    while (mine.strong_count() != 1) {
    }
    if (round % 2 == 0) {
      mine.make_mut() = Counted(-round);
      EXPECT_EQ(mine->value(), -round);
    } else {
      std::expected<Counted, Arc<Counted>> value = std::move(mine).try_unwrap();
      ASSERT_TRUE(value.has_value());
      EXPECT_EQ(value->value(), round);
    }
    EXPECT_FALSE(weak.upgrade().has_value());
    other.join();
  }
}

// Threads make_mut() their own clones of one value concurrently: each gets a
// private copy (or, for the last one, possibly the original), and the readers
// of the original never see a write.
TEST(ArcStressTest, ConcurrentMakeMutGivesEachThreadItsOwnValue) {
  NoLeaks no_leaks;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Arc<Counted>> handles;
    handles.assign(kThreads, make_arc<Counted>(-1));
    arc::Weak<Counted> watcher = handles.front().downgrade();
    run_threads([&](int i) {
      Arc<Counted>& mine = handles.at(static_cast<std::size_t>(i));
      mine.make_mut() = Counted(i);
      EXPECT_EQ(mine->value(), i);
      EXPECT_EQ(mine.strong_count(), 1u);
    });
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ(handles.at(static_cast<std::size_t>(i))->value(), i);
    }
    // The last thread to call make_mut was alone with the Weak, so it moved
    // the value out: the original is gone either way.
    EXPECT_FALSE(watcher.upgrade().has_value());
  }
}

}  // namespace
}  // namespace ferrite
