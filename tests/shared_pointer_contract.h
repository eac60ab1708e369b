// tests/shared_pointer_contract.h — the contract that Arc<T> (ferrite/arc.h)
// and Rc<T> (ferrite/rc.h) share, written once as a typed test suite:
// construction, copies and moves, the empty state, counts, get_mut/make_mut
// and the borrow they lend, try_unwrap/into_inner/unwrap_or_clone, Weak.
//
// Each pointer's own test file instantiates it, next to the tests that only
// that pointer has (Arc's threads, Rc's long chains):
//
//   INSTANTIATE_TYPED_TEST_SUITE_P(Arc, SharedPointerContract, ArcPointer);
//   INSTANTIATE_TYPED_TEST_SUITE_P(Arc, SharedPointerMutBorrow, ArcPointer);
#pragma once

#include <bit>
#include <compare>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite::testing {

// A shared pointer as the typed suite sees it: its strong and weak handles.
template <template <class> class StrongHandle, template <class> class WeakHandle>
struct SharedPointer {
  template <class T>
  using Strong = StrongHandle<T>;
  template <class T>
  using Weak = WeakHandle<T>;
};
using ArcPointer = SharedPointer<Arc, arc::Weak>;
using RcPointer = SharedPointer<Rc, rc::Weak>;

template <class P, class T>
using StrongOf = typename P::template Strong<T>;
template <class P, class T>
using WeakOf = typename P::template Weak<T>;

// The name P's panic messages use.
template <class P>
inline constexpr std::string_view kPointerName = std::is_same_v<P, ArcPointer> ? "Arc" : "Rc";

// make_arc<T> or make_rc<T>.
template <class P, class T, class... Args>
StrongOf<P, T> make_ptr(Args&&... args) {
  if constexpr (std::is_same_v<P, ArcPointer>) {
    return make_arc<T>(std::forward<Args>(args)...);
  } else {
    return make_rc<T>(std::forward<Args>(args)...);
  }
}

// "ferrite::Arc::clone" for P = ArcPointer and member = "clone".
template <class P>
std::string qualified(std::string_view member) {
  return "ferrite::" + std::string(kPointerName<P>) + "::" + std::string(member);
}

// get_mut/make_mut are not available through a const handle.
template <class S>
concept HasGetMut = requires(S s) {
  s.get_mut();
};
// make_mut needs a copyable T (Rust: T: Clone).
template <class S>
concept HasMakeMut = requires(S s) {
  s.make_mut();
};

// The compile-time half: shared access is const (get() cannot be written
// through: compile_fail/{arc,rc}_get_is_const.cc), unique access is not.
template <class P>
consteval bool has_shared_pointer_types() {
  using S = StrongOf<P, int>;
  static_assert(std::is_same_v<decltype(*std::declval<const S&>()), const int&>);
  static_assert(std::is_same_v<decltype(std::declval<const S&>().get()), const int*>);
  static_assert(std::is_same_v<decltype(std::declval<S&>().get()), const int*>);
  static_assert(std::is_same_v<decltype(std::declval<S&>().operator->()), const int*>);
  static_assert(std::is_same_v<decltype(std::declval<S&>().get_mut()), int*>);
  static_assert(std::is_same_v<decltype(std::declval<S&>().make_mut()), int&>);
  static_assert(std::is_same_v<decltype(std::declval<S&&>().try_unwrap()), std::expected<int, S>>);
  static_assert(!HasGetMut<const S&>);
  static_assert(HasGetMut<S&>);
  static_assert(!HasMakeMut<StrongOf<P, std::unique_ptr<int>>&>);
  static_assert(std::is_nothrow_move_constructible_v<S>);
  static_assert(std::is_nothrow_move_assignable_v<S>);
  static_assert(!std::is_default_constructible_v<S>, "a strong handle always starts with a value");
  static_assert(std::is_nothrow_default_constructible_v<WeakOf<P, int>>);
  return true;
}

template <class P>
class SharedPointerContract : public ::testing::Test {};
TYPED_TEST_SUITE_P(SharedPointerContract);

// --- construction -----------------------------------------------------------

TYPED_TEST_P(SharedPointerContract, MakeConstructsOneValueInPlace) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  {
    auto ptr = make_ptr<TypeParam, Counted>(7);
    EXPECT_EQ(Counted::live(), before + 1);  // constructed in place: no temporary
    EXPECT_EQ(ptr->value(), 7);
    EXPECT_EQ((*ptr).value(), 7);
    EXPECT_EQ(ptr.get(), &*ptr);
    EXPECT_EQ(ptr.strong_count(), 1u);
    EXPECT_EQ(ptr.weak_count(), 0u);
  }
  EXPECT_EQ(Counted::live(), before);
}

TYPED_TEST_P(SharedPointerContract, MakeForwardsArguments) {
  auto v = make_ptr<TypeParam, std::vector<int>>(3, 9);
  EXPECT_EQ(*v, (std::vector<int>{9, 9, 9}));
  auto moved_in = std::make_unique<int>(5);
  auto p = make_ptr<TypeParam, std::unique_ptr<int>>(std::move(moved_in));
  EXPECT_EQ(moved_in, nullptr);
  EXPECT_EQ(**p, 5);
  struct Aggregate {
    int a;
    std::string b;
  };
  auto agg = make_ptr<TypeParam, Aggregate>(1, "x");
  EXPECT_EQ(agg->a, 1);
  EXPECT_EQ(agg->b, "x");
}

TYPED_TEST_P(SharedPointerContract, MakeHonoursOveralignment) {
  struct alignas(128) Wide {
    int x = 3;
  };
  auto wide = make_ptr<TypeParam, Wide>();
  EXPECT_EQ(std::bit_cast<std::uintptr_t>(wide.get()) % 128, 0u);
  EXPECT_EQ(wide->x, 3);
}

TYPED_TEST_P(SharedPointerContract, MakeWithThrowingConstructorLeaksNothing) {
  NoLeaks no_leaks;
  {
    FaultPlan plan(1);
    EXPECT_THROW(((void)make_ptr<TypeParam, Fragile>(5)), FaultInjected);
  }
  struct Throws {
    Throws() { throw std::runtime_error("no"); }
  };
  EXPECT_THROW(((void)make_ptr<TypeParam, Throws>()), std::runtime_error);
  // LeakSanitizer (the _asan build) proves the allocations were freed.
}

// --- copy, move, assignment ---------------------------------------------------

TYPED_TEST_P(SharedPointerContract, CopyAndCloneShareTheValue) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(1);
  StrongOf<TypeParam, Counted> b = a;
  StrongOf<TypeParam, Counted> c = a.clone();
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.strong_count(), 3u);
  EXPECT_EQ(c.strong_count(), 3u);
  EXPECT_TRUE(a.ptr_eq(b));
  EXPECT_TRUE(b.ptr_eq(c));
  EXPECT_EQ(a.get(), c.get());
}

TYPED_TEST_P(SharedPointerContract, MoveTransfersAndLeavesEmpty) {
  auto a = make_ptr<TypeParam, int>(4);
  const int* address = a.get();
  StrongOf<TypeParam, int> b = std::move(a);
  EXPECT_EQ(b.get(), address);
  EXPECT_EQ(b.strong_count(), 1u);
  // NOLINTBEGIN(bugprone-use-after-move): the empty state is the contract.
  EXPECT_EQ(a.get(), nullptr);
  EXPECT_EQ(a.strong_count(), 0u);
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.get_mut(), nullptr);
  auto c = make_ptr<TypeParam, int>(5);
  c = std::move(b);
  EXPECT_EQ(c.get(), address);
  EXPECT_EQ(b.get(), nullptr);
  a = c;
  EXPECT_EQ(*a, 4);
  EXPECT_EQ(c.strong_count(), 2u);
  // NOLINTEND(bugprone-use-after-move)
}

TYPED_TEST_P(SharedPointerContract, EmptyCanBeCopiedAssignedAndDestroyed) {
  auto live = make_ptr<TypeParam, int>(1);
  auto empty = make_ptr<TypeParam, int>(0);
  StrongOf<TypeParam, int> sink = std::move(empty);
  StrongOf<TypeParam, int> copy_of_empty = empty;  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(copy_of_empty.get(), nullptr);
  EXPECT_TRUE(copy_of_empty.ptr_eq(empty));
  EXPECT_FALSE(copy_of_empty.ptr_eq(live));
  StrongOf<TypeParam, int> clone_of_empty = empty.clone();
  EXPECT_EQ(clone_of_empty.get(), nullptr);
  empty = live;
  EXPECT_EQ(*empty, 1);
  EXPECT_EQ(live.strong_count(), 2u);
}

TYPED_TEST_P(SharedPointerContract, EmptyPanicsOnUse) {
  using S = StrongOf<TypeParam, std::string>;
  S ptr = make_ptr<TypeParam, std::string>("x");
  S sink = std::move(ptr);
  // NOLINTBEGIN(bugprone-use-after-move)
  EXPECT_THROW((void)*ptr, Panic);
  EXPECT_THROW((void)ptr->size(), Panic);
  EXPECT_THROW((void)ptr.make_mut(), Panic);
  EXPECT_THROW((void)ptr.downgrade(), Panic);
  EXPECT_THROW((void)S(ptr).try_unwrap(), Panic);
  EXPECT_THROW((void)S(ptr).into_inner(), Panic);
  EXPECT_THROW((void)S(ptr).unwrap_or_clone(), Panic);
  const std::string message = panic_message([&] { (void)*ptr; });
  const std::string expected = qualified<TypeParam>("operator*") + ": this " +
                               std::string(kPointerName<TypeParam>) + " is empty";
  EXPECT_TRUE(contains(message, expected)) << message;
  // NOLINTEND(bugprone-use-after-move)
}

TYPED_TEST_P(SharedPointerContract, CopyAssignmentReleasesTheOldValue) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(1);
  auto b = make_ptr<TypeParam, Counted>(2);
  EXPECT_EQ(Counted::live(), before + 2);
  a = b;
  EXPECT_EQ(Counted::live(), before + 1);  // value 1 destroyed exactly once
  EXPECT_EQ(a->value(), 2);
  EXPECT_EQ(b.strong_count(), 2u);
}

TYPED_TEST_P(SharedPointerContract, SelfAssignmentKeepsTheValue) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Counted>(3);
  StrongOf<TypeParam, Counted>& alias = a;
  a = alias;
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a->value(), 3);
  a = std::move(alias);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a->value(), 3);
  // The same with a second handle to the value.
  StrongOf<TypeParam, Counted> b = a;
  a = alias;
  a = std::move(alias);
  EXPECT_EQ(a.strong_count(), 2u);
  EXPECT_EQ(a->value(), 3);
  EXPECT_TRUE(a.ptr_eq(b));
}

TYPED_TEST_P(SharedPointerContract, Swap) {
  auto a = make_ptr<TypeParam, int>(1);
  auto b = make_ptr<TypeParam, int>(2);
  swap(a, b);
  EXPECT_EQ(*a, 2);
  EXPECT_EQ(*b, 1);
  a.swap(b);
  EXPECT_EQ(*a, 1);
  StrongOf<TypeParam, int> c = a;
  swap(a, b);
  EXPECT_TRUE(b.ptr_eq(c));
}

// --- identity and comparison ---------------------------------------------------

TYPED_TEST_P(SharedPointerContract, PtrEqIsIdentityAndComparisonIsByValue) {
  auto a = make_ptr<TypeParam, int>(5);
  auto b = make_ptr<TypeParam, int>(5);
  StrongOf<TypeParam, int> c = a;
  auto d = make_ptr<TypeParam, int>(6);
  EXPECT_FALSE(a.ptr_eq(b));
  EXPECT_TRUE(a.ptr_eq(c));
  EXPECT_TRUE(a == b);  // as Rust's PartialEq for Rc and Arc: compares values
  EXPECT_FALSE(a == d);
  EXPECT_TRUE(a != d);
  EXPECT_TRUE(a < d);
  EXPECT_EQ(a <=> b, std::strong_ordering::equal);
}

// --- counts ------------------------------------------------------------------------

TYPED_TEST_P(SharedPointerContract, CountsFollowHandles) {
  auto a = make_ptr<TypeParam, int>(0);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
  {
    WeakOf<TypeParam, int> w1 = a.downgrade();
    WeakOf<TypeParam, int> w2 = w1;
    StrongOf<TypeParam, int> b = a;
    EXPECT_EQ(a.strong_count(), 2u);
    EXPECT_EQ(a.weak_count(), 2u);
    EXPECT_EQ(w1.strong_count(), 2u);
    EXPECT_EQ(w1.weak_count(), 2u);
  }
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_EQ(a.weak_count(), 0u);
}

// --- get_mut -----------------------------------------------------------------------

TYPED_TEST_P(SharedPointerContract, GetMutOnlyWhenUnique) {
  auto a = make_ptr<TypeParam, int>(1);
  ASSERT_NE(a.get_mut(), nullptr);
  *a.get_mut() = 2;
  EXPECT_EQ(*a, 2);
  {
    StrongOf<TypeParam, int> b = a;
    EXPECT_EQ(a.get_mut(), nullptr);  // another strong handle
    EXPECT_EQ(b.get_mut(), nullptr);
  }
  {
    WeakOf<TypeParam, int> w = a.downgrade();
    EXPECT_EQ(a.get_mut(), nullptr);  // a Weak could upgrade and observe it
    EXPECT_EQ(a.weak_count(), 1u);    // (Arc: the weak-count lock was released)
  }
  int* unique = a.get_mut();
  EXPECT_EQ(unique, a.get());  // get() also ends get_mut's borrow
  EXPECT_EQ(a.weak_count(), 0u);
  WeakOf<TypeParam, int> later = a.downgrade();  // downgrade after get_mut
  EXPECT_EQ(a.weak_count(), 1u);
}

// --- make_mut ----------------------------------------------------------------------

TYPED_TEST_P(SharedPointerContract, MakeMutWhenUniqueMutatesInPlace) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(1);
  const Counted* address = a.get();
  a.make_mut() = Counted(9);
  EXPECT_EQ(a.get(), address);
  EXPECT_EQ(a->value(), 9);
  EXPECT_EQ(Counted::live(), before + 1);
  EXPECT_EQ(a.strong_count(), 1u);     // the count was restored
  StrongOf<TypeParam, Counted> b = a;  // and works as usual afterwards
  EXPECT_EQ(a.strong_count(), 2u);
}

TYPED_TEST_P(SharedPointerContract, MakeMutWithOtherStrongsClones) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(1);
  StrongOf<TypeParam, Counted> b = a;
  WeakOf<TypeParam, Counted> w = a.downgrade();
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
  std::optional<StrongOf<TypeParam, Counted>> up = w.upgrade();
  ASSERT_TRUE(up.has_value());
  EXPECT_TRUE(up->ptr_eq(a));
}

TYPED_TEST_P(SharedPointerContract, MakeMutWithOnlyWeaksMovesAndDisassociates) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(1);
  WeakOf<TypeParam, Counted> w = a.downgrade();
  WeakOf<TypeParam, Counted> w2 = w;
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

TYPED_TEST_P(SharedPointerContract, MakeMutCloneFaultInjectionLeavesOriginalUntouched) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Fragile>(1);
  StrongOf<TypeParam, Fragile> b = a;
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

TYPED_TEST_P(SharedPointerContract, MakeMutMoveFaultInjectionRestoresTheHandle) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Fragile>(1);
  WeakOf<TypeParam, Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  int n = 1;
  for (;; ++n) {
    FaultPlan plan(n);
    try {
      a.make_mut();
    } catch (const FaultInjected&) {
      EXPECT_EQ(a.get(), address);
      EXPECT_EQ(a->value(), 1);
      EXPECT_EQ(a.strong_count(), 1u);  // restored (Arc: from the claimed 0)
      EXPECT_EQ(a.weak_count(), 1u);    // the Weaks stay attached
      std::optional<StrongOf<TypeParam, Fragile>> up = w.upgrade();
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

TYPED_TEST_P(SharedPointerContract, TryUnwrapSucceedsForTheLastStrong) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto a = make_ptr<TypeParam, Counted>(8);
  WeakOf<TypeParam, Counted> w = a.downgrade();  // weak handles do not block unwrapping
  std::expected<Counted, StrongOf<TypeParam, Counted>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 8);
  EXPECT_EQ(Counted::live(), before + 1);  // moved out; the original is gone
  EXPECT_EQ(a.get(), nullptr);             // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.weak_count(), 0u);
}

TYPED_TEST_P(SharedPointerContract, TryUnwrapFailureGivesTheHandleBackIntact) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Counted>(8);
  StrongOf<TypeParam, Counted> b = a;
  const long live = Counted::live();
  std::expected<Counted, StrongOf<TypeParam, Counted>> r = std::move(a).try_unwrap();
  ASSERT_FALSE(r.has_value());
  EXPECT_TRUE(r.error().ptr_eq(b));
  EXPECT_EQ(r.error()->value(), 8);
  EXPECT_EQ(b.strong_count(), 2u);
  EXPECT_EQ(Counted::live(), live);
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move): handed to the error
}

TYPED_TEST_P(SharedPointerContract, TryUnwrapWhoseMoveThrowsKeepsTheHandle) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Fragile>(3);
  WeakOf<TypeParam, Fragile> w = a.downgrade();
  const Fragile* address = a.get();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).try_unwrap(), FaultInjected);
  }
  EXPECT_EQ(a.get(), address);  // NOLINT(bugprone-use-after-move): intact on throw
  EXPECT_EQ(a->value(), 3);
  EXPECT_EQ(a.strong_count(), 1u);
  EXPECT_TRUE(w.upgrade().has_value());
  std::expected<Fragile, StrongOf<TypeParam, Fragile>> r = std::move(a).try_unwrap();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 3);
}

TYPED_TEST_P(SharedPointerContract, IntoInnerReturnsTheValueOnlyForTheLastStrong) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Counted>(4);
  StrongOf<TypeParam, Counted> b = a;
  std::optional<Counted> first = std::move(a).into_inner();
  EXPECT_FALSE(first.has_value());
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move): consumed anyway
  EXPECT_EQ(b.strong_count(), 1u);
  std::optional<Counted> second = std::move(b).into_inner();
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->value(), 4);
}

TYPED_TEST_P(SharedPointerContract, IntoInnerWhoseMoveThrowsDestroysTheValueOnce) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Fragile>(3);
  WeakOf<TypeParam, Fragile> w = a.downgrade();
  {
    FaultPlan plan(1);
    EXPECT_THROW((void)std::move(a).into_inner(), FaultInjected);
  }
  EXPECT_EQ(a.get(), nullptr);  // NOLINT(bugprone-use-after-move)
  EXPECT_FALSE(w.upgrade().has_value());
}

TYPED_TEST_P(SharedPointerContract, UnwrapOrCloneMovesWhenUniqueAndCopiesWhenShared) {
  NoLeaks no_leaks;
  auto a = make_ptr<TypeParam, Counted>(6);
  StrongOf<TypeParam, Counted> b = a;
  Counted copy = std::move(a).unwrap_or_clone();
  EXPECT_EQ(copy.value(), 6);
  EXPECT_EQ(b.strong_count(), 1u);
  Counted moved = std::move(b).unwrap_or_clone();
  EXPECT_EQ(moved.value(), 6);
  EXPECT_EQ(b.get(), nullptr);  // NOLINT(bugprone-use-after-move)
}

// --- Weak --------------------------------------------------------------------------

TYPED_TEST_P(SharedPointerContract, DefaultWeakIsEmpty) {
  WeakOf<TypeParam, int> w;
  EXPECT_FALSE(w.upgrade().has_value());
  EXPECT_EQ(w.strong_count(), 0u);
  EXPECT_EQ(w.weak_count(), 0u);
  WeakOf<TypeParam, int> other;
  EXPECT_TRUE(w.ptr_eq(other));
  WeakOf<TypeParam, int> copy = w.clone();
  EXPECT_TRUE(copy.ptr_eq(w));
  auto a = make_ptr<TypeParam, int>(1);
  EXPECT_FALSE(a.downgrade().ptr_eq(w));
}

TYPED_TEST_P(SharedPointerContract, WeakUpgradeWhileAliveAndAfterLastStrongDropped) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  WeakOf<TypeParam, Counted> w;
  {
    auto a = make_ptr<TypeParam, Counted>(2);
    w = a.downgrade();
    std::optional<StrongOf<TypeParam, Counted>> up = w.upgrade();
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

TYPED_TEST_P(SharedPointerContract, WeakCopyMoveAssignAndCounts) {
  using W = WeakOf<TypeParam, int>;
  auto a = make_ptr<TypeParam, int>(1);
  W w1 = a.downgrade();
  W w2 = w1.clone();
  W w3 = std::move(w2);
  EXPECT_TRUE(w3.ptr_eq(w1));
  EXPECT_FALSE(w2.upgrade().has_value());  // NOLINT(bugprone-use-after-move): empty
  EXPECT_EQ(a.weak_count(), 2u);
  EXPECT_EQ(w1.weak_count(), 2u);
  W& alias = w1;
  w1 = alias;
  w1 = std::move(alias);
  EXPECT_EQ(a.weak_count(), 2u);
  w2 = w1;
  EXPECT_EQ(a.weak_count(), 3u);
  w2 = W();
  EXPECT_EQ(a.weak_count(), 2u);
  swap(w2, w3);
  EXPECT_EQ(w3.strong_count(), 0u);
  EXPECT_EQ(w2.strong_count(), 1u);
}

// A value whose destructor drops a Weak to its own allocation: the block must
// survive until the destructor is done (the implicit weak is still held).
template <class P>
struct SelfReferential {
  mutable WeakOf<P, SelfReferential> self;
  Counted marker{0};
};

TYPED_TEST_P(SharedPointerContract, ValueHoldingAWeakToItselfIsDestroyedOnce) {
  NoLeaks no_leaks;
  auto ptr = make_ptr<TypeParam, SelfReferential<TypeParam>>();
  ptr->self = ptr.downgrade();
  EXPECT_EQ(ptr.weak_count(), 1u);
  ptr = make_ptr<TypeParam, SelfReferential<TypeParam>>();  // ASan: no use-after-free
  EXPECT_EQ(ptr.weak_count(), 0u);
}

REGISTER_TYPED_TEST_SUITE_P(
    SharedPointerContract, MakeConstructsOneValueInPlace, MakeForwardsArguments,
    MakeHonoursOveralignment, MakeWithThrowingConstructorLeaksNothing, CopyAndCloneShareTheValue,
    MoveTransfersAndLeavesEmpty, EmptyCanBeCopiedAssignedAndDestroyed, EmptyPanicsOnUse,
    CopyAssignmentReleasesTheOldValue, SelfAssignmentKeepsTheValue, Swap,
    PtrEqIsIdentityAndComparisonIsByValue, CountsFollowHandles, GetMutOnlyWhenUnique,
    MakeMutWhenUniqueMutatesInPlace, MakeMutWithOtherStrongsClones,
    MakeMutWithOnlyWeaksMovesAndDisassociates, MakeMutCloneFaultInjectionLeavesOriginalUntouched,
    MakeMutMoveFaultInjectionRestoresTheHandle, TryUnwrapSucceedsForTheLastStrong,
    TryUnwrapFailureGivesTheHandleBackIntact, TryUnwrapWhoseMoveThrowsKeepsTheHandle,
    IntoInnerReturnsTheValueOnlyForTheLastStrong, IntoInnerWhoseMoveThrowsDestroysTheValueOnce,
    UnwrapOrCloneMovesWhenUniqueAndCopiesWhenShared, DefaultWeakIsEmpty,
    WeakUpgradeWhileAliveAndAfterLastStrongDropped, WeakCopyMoveAssignAndCounts,
    ValueHoldingAWeakToItselfIsDestroyedOnce);

// --- get_mut / make_mut lend a borrow of the handle (checked builds) ------------

// Checked builds only: a release build lends nothing to check.
template <class P>
class SharedPointerMutBorrow : public ::testing::Test {
 protected:
  void SetUp() override {
    if constexpr (!detail::kCheckedBorrows) GTEST_SKIP() << "release build: no check";
  }
};
TYPED_TEST_SUITE_P(SharedPointerMutBorrow);

TYPED_TEST_P(SharedPointerMutBorrow, MakeMutThenClonePanics) {
  auto a = make_ptr<TypeParam, int>(1);
  int& value = a.make_mut();
  value = 2;
  const std::string message = panic_message([&] { static_cast<void>(a.clone()); });
  EXPECT_TRUE(contains(message, qualified<TypeParam>("clone"))) << message;
  EXPECT_TRUE(contains(message, "get_mut()/make_mut()")) << message;
  EXPECT_EQ(a.strong_count(), 1u);  // nothing was cloned; strong_count() ends nothing
  // make_mut() on a shared handle (clone-on-write) lends the new value too.
  auto b = make_ptr<TypeParam, int>(5);
  {
    StrongOf<TypeParam, int> other = b;
    b.make_mut() = 6;
    EXPECT_FALSE(panic_message([&] { static_cast<void>(b.clone()); }).empty());
    EXPECT_EQ(*other, 5);
  }
}

TYPED_TEST_P(SharedPointerMutBorrow, GetMutThenCloneOrDowngradePanics) {
  auto a = make_ptr<TypeParam, int>(1);
  int* value = a.get_mut();
  ASSERT_NE(value, nullptr);
  *value = 3;
  EXPECT_TRUE(contains(panic_message([&] { static_cast<void>(a.clone()); }),
                       qualified<TypeParam>("clone")));
  const std::string message = panic_message([&] { static_cast<void>(a.downgrade()); });
  EXPECT_TRUE(contains(message, qualified<TypeParam>("downgrade"))) << message;
  EXPECT_EQ(a.weak_count(), 0u);
  EXPECT_EQ(a.strong_count(), 1u);
  // A get_mut() that fails (not the sole handle) lends nothing.
  auto c = make_ptr<TypeParam, int>(7);
  StrongOf<TypeParam, int> d = c;
  EXPECT_EQ(c.get_mut(), nullptr);
  StrongOf<TypeParam, int> e = c.clone();
  EXPECT_EQ(c.strong_count(), 3u);
}

TYPED_TEST_P(SharedPointerMutBorrow, CopyConstructionAndCopyAssignmentFromTheHandlePanic) {
  using S = StrongOf<TypeParam, std::string>;
  S a = make_ptr<TypeParam, std::string>("a");
  a.make_mut() += "b";
  EXPECT_FALSE(panic_message([&] { S copy(a); }).empty());
  S target = make_ptr<TypeParam, std::string>("t");
  EXPECT_FALSE(panic_message([&] { target = a; }).empty());
  EXPECT_EQ(*target, "t");  // unchanged
  EXPECT_EQ(a.strong_count(), 1u);
}

TYPED_TEST_P(SharedPointerMutBorrow, SharedAccessEndsTheBorrow) {
  using S = StrongOf<TypeParam, std::string>;
  S a = make_ptr<TypeParam, std::string>("x");
  a.make_mut() += "y";
  EXPECT_EQ(*a, "xy");  // operator* ends the borrow
  S b = a.clone();
  b.make_mut() += "z";
  EXPECT_EQ(b->size(), 3u);  // operator->
  WeakOf<TypeParam, std::string> w = b.downgrade();
  S c = std::move(b);
  EXPECT_EQ(c.get_mut(), nullptr);  // a Weak exists: fails, lends nothing
  w = WeakOf<TypeParam, std::string>();
  ASSERT_NE(c.get_mut(), nullptr);
  EXPECT_EQ(*c.get_mut(), "xyz");
  *c.get_mut() = "w";
  EXPECT_NE(c.get(), nullptr);  // get()
  S d = c;
  EXPECT_EQ(*d, "w");
  EXPECT_EQ(*a, "xy");
}

TYPED_TEST_P(SharedPointerMutBorrow, MovesCarryTheBorrowAndAssignmentEndsIt) {
  using S = StrongOf<TypeParam, int>;
  S a = make_ptr<TypeParam, int>(1);
  a.make_mut() = 2;
  S moved = std::move(a);
  EXPECT_FALSE(panic_message([&] { static_cast<void>(moved.clone()); }).empty());
  S empty_copy = a;  // NOLINT(bugprone-use-after-move): the moved-from handle lends nothing
  EXPECT_EQ(empty_copy.get(), nullptr);
  S other = make_ptr<TypeParam, int>(9);
  moved.swap(other);  // the borrow goes with the value it lent
  EXPECT_FALSE(panic_message([&] { static_cast<void>(other.clone()); }).empty());
  S fine = moved.clone();
  other = make_ptr<TypeParam, int>(3);  // assigning to the handle ends its borrow
  S also_fine = other;
  EXPECT_EQ(*also_fine, 3);
  EXPECT_EQ(*fine, 9);
}

REGISTER_TYPED_TEST_SUITE_P(SharedPointerMutBorrow, MakeMutThenClonePanics,
                            GetMutThenCloneOrDowngradePanics,
                            CopyConstructionAndCopyAssignmentFromTheHandlePanic,
                            SharedAccessEndsTheBorrow, MovesCarryTheBorrowAndAssignmentEndsIt);

}  // namespace ferrite::testing
