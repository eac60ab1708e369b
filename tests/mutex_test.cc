// tests/mutex_test.cc — ferrite/mutex.h (poison.h's own types: tests/poison_test.cc).
//
// The behaviours of Rust's std::sync::Mutex tests (library/std/src/sync/
// mutex/tests.rs), in C++: poisoning by a panicking thread, recovery through
// PoisonError::into_inner, clear_poison, try_lock WouldBlock vs Poisoned,
// into_inner/get_mut on a poisoned mutex, access during unwinding; plus every
// error path of the C++ API (moved-from guards, exclusive-access checks).
#include "ferrite/mutex.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <exception>
#include <expected>
#include <functional>
#include <latch>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/poison.h"
#include "gtest/gtest.h"
#include "tests/support/panics_on_thread.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- compile-time contract ---------------------------------------------------

static_assert(Send<Mutex<int>> && Sync<Mutex<int>>);
static_assert(!Send<MutexGuard<int>>, "a guard is released by the thread that acquired it");
static_assert(Sync<MutexGuard<int>>);
static_assert(!std::is_copy_constructible_v<Mutex<int>> &&
              !std::is_move_constructible_v<Mutex<int>>);
static_assert(!std::is_copy_constructible_v<MutexGuard<int>>);
static_assert(std::is_nothrow_move_constructible_v<MutexGuard<int>>);
static_assert(std::is_nothrow_move_assignable_v<MutexGuard<int>>);
static_assert(std::is_same_v<decltype(std::declval<const Mutex<int>&>().lock()),
                             LockResult<MutexGuard<int>>>);
// LockResult and TryLockResult are the std::expected of section 4, with
// checked access: they derive from it and convert both ways.
static_assert(std::is_base_of_v<std::expected<MutexGuard<int>, PoisonError<MutexGuard<int>>>,
                                LockResult<MutexGuard<int>>>);
static_assert(std::is_convertible_v<LockResult<MutexGuard<int>>&&,
                                    std::expected<MutexGuard<int>, PoisonError<MutexGuard<int>>>>);
static_assert(std::is_convertible_v<std::expected<MutexGuard<int>, PoisonError<MutexGuard<int>>>&&,
                                    LockResult<MutexGuard<int>>>);
static_assert(std::is_same_v<decltype(std::declval<const Mutex<int>&>().try_lock()),
                             TryLockResult<MutexGuard<int>>>);
static_assert(std::is_base_of_v<std::expected<MutexGuard<int>, TryLockError<MutexGuard<int>>>,
                                TryLockResult<MutexGuard<int>>>);
static_assert(std::is_convertible_v<TryLockResult<MutexGuard<int>>&&,
                                    std::expected<MutexGuard<int>, TryLockError<MutexGuard<int>>>>);
static_assert(std::is_same_v<decltype(std::declval<Mutex<int>&&>().into_inner()),
                             LockResult<int>>);
static_assert(std::is_same_v<decltype(std::declval<Mutex<int>&>().get_mut()), LockResult<int*>>);
// A non-const guard gives T&; a const one only const T& (that is why a
// guard may be Sync when T is Sync).
static_assert(std::is_same_v<decltype(*std::declval<MutexGuard<int>&>()), int&>);
static_assert(std::is_same_v<decltype(*std::declval<const MutexGuard<int>&>()), const int&>);
static_assert(std::is_same_v<decltype(std::declval<const MutexGuard<int>&>().operator->()),
                             const int*>);
// get_mut / into_inner need exclusive access: not through a const Mutex.
template <class M>
concept HasGetMut = requires(M m) { m.get_mut(); };
static_assert(!HasGetMut<const Mutex<int>&>);
static_assert(HasGetMut<Mutex<int>&>);
template <class M>
concept HasIntoInnerOnLvalue = requires(M& m) { m.into_inner(); };
template <class M>
concept HasIntoInnerOnRvalue = requires(M&& m) { std::move(m).into_inner(); };
static_assert(!HasIntoInnerOnLvalue<Mutex<int>>, "into_inner() is &&-qualified");
static_assert(HasIntoInnerOnRvalue<Mutex<int>>);
// with_lock must not hand out a reference into the guarded value.
template <class F>
concept WithLockAccepts = requires(const Mutex<int>& m, F f) { m.with_lock(f); };
static_assert(WithLockAccepts<int (*)(int&)>);
static_assert(WithLockAccepts<void (*)(int&)>);
static_assert(WithLockAccepts<std::vector<std::string> (*)(int&)>);
static_assert(WithLockAccepts<std::optional<std::pair<int, std::string>> (*)(int&)>);
static_assert(WithLockAccepts<void (*(*)(int&))()>, "a function pointer borrows nothing");
static_assert(!WithLockAccepts<int& (*)(int&)>);
static_assert(!WithLockAccepts<const int& (*)(int&)>);
static_assert(!WithLockAccepts<int&& (*)(int&)>);
static_assert(!WithLockAccepts<int* (*)(int&)>);
static_assert(!WithLockAccepts<const char* (*)(int&)>);
static_assert(!WithLockAccepts<std::reference_wrapper<int> (*)(int&)>);
static_assert(!WithLockAccepts<std::string_view (*)(int&)>);
static_assert(!WithLockAccepts<std::span<const int> (*)(int&)>);
// (Slice and SliceMut are only declared here, by marker.h: enough for a
// result type, and it keeps this test off slice.h's audit entries.)
static_assert(!WithLockAccepts<Slice<int> (*)(int&)>);
static_assert(!WithLockAccepts<SliceMut<int> (*)(int&)>);
// ...nor a borrow wrapped in something owning (detail/owned.h).
static_assert(!WithLockAccepts<std::optional<std::string_view> (*)(int&)>);
static_assert(!WithLockAccepts<std::pair<int, int*> (*)(int&)>);
static_assert(!WithLockAccepts<std::tuple<int, std::string, std::span<int>> (*)(int&)>);
static_assert(!WithLockAccepts<std::vector<std::optional<int*>> (*)(int&)>);
static_assert(!WithLockAccepts<std::array<std::string_view, 2> (*)(int&)>);
static_assert(!WithLockAccepts<std::variant<int, std::reference_wrapper<int>> (*)(int&)>);
static_assert(!WithLockAccepts<std::expected<int, const char*> (*)(int&)>);
// Constructed like T; CTAD.
static_assert(std::is_same_v<decltype(Mutex(5)), Mutex<int>>);
static_assert(std::is_constructible_v<Mutex<std::string>, const char*>);
static_assert(std::is_constructible_v<Mutex<std::vector<int>>, std::size_t, int>);
static_assert(!std::is_constructible_v<Mutex<int>, std::string>);

// --- the header example ------------------------------------------------------

TEST(MutexTest, HeaderExample) {
  const ferrite::Mutex<int> counter(0);
  if (auto guard = counter.lock()) {
    **guard += 1;
  }
  counter.with_lock([](int& n) { n += 1; });
  EXPECT_EQ(counter.with_lock([](int& n) { return n; }), 2);
}

// --- basic locking -----------------------------------------------------------

TEST(MutexTest, Smoke) {
  const Mutex<int> m(0);
  { auto guard = m.lock(); }
  { auto guard = m.lock(); }
  EXPECT_FALSE(m.is_poisoned());
}

TEST(MutexTest, DefaultConstructsValue) {
  const Mutex<int> m;
  EXPECT_EQ(copy_of(m), 0);
  const Mutex<std::vector<int>> v(std::size_t{3}, 9);
  auto guard = v.lock();
  EXPECT_EQ((*guard)->size(), 3u);
  EXPECT_EQ((*guard)->at(2), 9);
}

TEST(MutexTest, GuardGivesAccessAndUnlocksOnDestruction) {
  const Mutex<std::string> m("ab");
  {
    auto guard = m.lock();
    ASSERT_TRUE(guard.has_value());
    (*guard)->append("c");
    EXPECT_TRUE(m.try_lock().error().is_would_block());
  }
  auto again = m.try_lock();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(**again, "abc");
  const MutexGuard<std::string>& as_const = *again;
  EXPECT_EQ(as_const->size(), 3u);
}

TEST(MutexTest, LotsAndLotsOfIncrements) {
  constexpr int kThreads = 4;
  constexpr int kIters = 2000;
  const Mutex<int> m(0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIters; ++i) m.with_lock([](int& n) { ++n; });
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(copy_of(m), kThreads * kIters);
}

TEST(MutexTest, TryLockWouldBlockWhileHeld) {
  const Mutex<int> m(1);
  auto held = m.lock();
  ASSERT_TRUE(held.has_value());
  // From another thread too: the lock is not recursive and not owned per thread.
  bool would_block = false;
  std::thread([&] {
    auto attempt = m.try_lock();
    would_block = !attempt.has_value() &&
                  attempt.error().kind() == TryLockErrorKind::WouldBlock;
  }).join();
  EXPECT_TRUE(would_block);
  auto attempt = m.try_lock();
  ASSERT_FALSE(attempt.has_value());
  EXPECT_EQ(attempt.error().kind(), TryLockErrorKind::WouldBlock);
  EXPECT_TRUE(attempt.error().is_would_block());
  EXPECT_FALSE(attempt.error().is_poisoned());
  EXPECT_EQ(attempt.error().poison_error(), nullptr);
  EXPECT_EQ(attempt.error().message(), "try_lock failed because the operation would block");
  // A WouldBlock error has no guard to hand out.
  EXPECT_THROW((void)std::move(attempt.error()).into_inner(), Panic);
}

TEST(MutexTest, TryLockSucceedsWhenFree) {
  const Mutex<int> m(3);
  auto guard = m.try_lock();
  ASSERT_TRUE(guard.has_value());
  **guard = 4;
  guard = TryLockResult<MutexGuard<int>>(std::unexpect);  // releases the lock
  EXPECT_EQ(copy_of(m), 4);
}

TEST(MutexTest, NestedArcMutex) {
  // Rust's test_mutex_arc_nested: a mutex inside a mutex, shared through Arc.
  auto inner = make_arc<Mutex<int>>(1);
  auto outer = make_arc<Mutex<Arc<Mutex<int>>>>(inner);
  std::thread([outer] {
    auto outer_guard = outer->lock();
    auto inner_guard = (**outer_guard)->lock();
    EXPECT_EQ(**inner_guard, 1);
    **inner_guard = 2;
  }).join();
  EXPECT_EQ(copy_of(*inner), 2);
}

TEST(MutexTest, ArcMutexWorksThroughConstAccess) {
  // Arc gives const T&; lock() is a const member, so Arc<Mutex<T>> works.
  const Arc<Mutex<std::vector<int>>> shared = make_arc<Mutex<std::vector<int>>>();
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back(
        [shared, t] { shared->with_lock([t](std::vector<int>& v) { v.push_back(t); }); });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(shared->with_lock([](std::vector<int>& v) { return v.size(); }), 3u);
}

// --- with_lock ---------------------------------------------------------------

TEST(MutexTest, WithLockReturnsTheResult) {
  const Mutex<std::string> m("hello");
  const std::size_t size = m.with_lock([](std::string& s) { return s.size(); });
  EXPECT_EQ(size, 5u);
  m.with_lock([](std::string& s) { s += "!"; });  // void result
  EXPECT_EQ(copy_of(m), "hello!");
  // A move-only result.
  auto owned = m.with_lock([](std::string& s) { return std::make_unique<std::string>(s); });
  EXPECT_EQ(*owned, "hello!");
}

TEST(MutexTest, WithLockPanicsIfPoisonedWithoutCallingF) {
  const Mutex<int> m(0);
  poison(m);
  bool called = false;
  try {
    m.with_lock([&](int&) { called = true; });
    ADD_FAILURE() << "with_lock on a poisoned mutex must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("poisoned"), std::string::npos) << p.what();
  }
  EXPECT_FALSE(called);
  // The panic happened while with_lock held the guard: still poisoned, and unlocked.
  auto after = m.try_lock();
  ASSERT_FALSE(after.has_value());
  EXPECT_TRUE(after.error().is_poisoned());
}

TEST(MutexTest, WithLockPanickingFunctionPoisons) {
  const Mutex<int> m(0);
  EXPECT_THROW(m.with_lock([](int& n) {
    n = -1;  // invariant broken...
    panic("...and then a panic");
  }),
               Panic);
  EXPECT_TRUE(m.is_poisoned());
  auto r = m.lock();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(*r.error().get_ref(), -1);
}

// --- poisoning ---------------------------------------------------------------

TEST(MutexPoisonTest, PanickingThreadPoisons) {
  auto m = make_arc<Mutex<int>>(1);
  EXPECT_FALSE(m->is_poisoned());
  poison(*m);
  auto r = m->lock();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "poisoned lock: another task failed inside");
  EXPECT_EQ(*r.error().get_ref(), 1);
  *r.error().get_mut() = 2;
  MutexGuard<int> recovered = std::move(r.error()).into_inner();
  EXPECT_EQ(*recovered, 2);
}

TEST(MutexPoisonTest, AnyExceptionPoisonsNotOnlyPanic) {
  const Mutex<int> m(0);
  EXPECT_TRUE(panics_on_thread([&] {
    auto guard = m.lock();
    throw std::runtime_error("not a ferrite::Panic");
  }));
  EXPECT_TRUE(m.is_poisoned());
}

TEST(MutexPoisonTest, ExceptionCaughtWhileHoldingDoesNotPoison) {
  // Only an exception that escapes the guard's scope (destroys it) poisons.
  const Mutex<int> m(0);
  {
    auto guard = m.lock();
    try {
      throw std::runtime_error("handled inside the critical section");
    } catch (const std::runtime_error&) {
    }
  }
  EXPECT_FALSE(m.is_poisoned());
}

TEST(MutexPoisonTest, PanicWithoutTheLockDoesNotPoison) {
  const Mutex<int> m(0);
  EXPECT_TRUE(panics_on_thread([&] {
    { auto guard = m.lock(); }
    panic("after unlocking");
  }));
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_TRUE(m.lock().has_value());
}

TEST(MutexPoisonTest, ClearPoison) {
  const Mutex<int> m(0);
  poison(m);
  EXPECT_FALSE(m.lock().has_value());
  m.clear_poison();
  EXPECT_FALSE(m.is_poisoned());
  auto r = m.lock();
  ASSERT_TRUE(r.has_value());
  **r = 5;
}

TEST(MutexPoisonTest, TryLockOnPoisonedMutexCarriesTheGuard) {
  const Mutex<int> m(41);
  poison(m);
  auto attempt = m.try_lock();
  ASSERT_FALSE(attempt.has_value());
  EXPECT_EQ(attempt.error().kind(), TryLockErrorKind::Poisoned);
  EXPECT_TRUE(attempt.error().is_poisoned());
  EXPECT_FALSE(attempt.error().is_would_block());
  EXPECT_EQ(attempt.error().message(), "poisoned lock: another task failed inside");
  ASSERT_NE(attempt.error().poison_error(), nullptr);
  EXPECT_EQ(*attempt.error().poison_error()->get_ref(), 41);
  MutexGuard<int> guard = std::move(attempt.error()).into_inner();
  ++*guard;
  // The guard really holds the lock.
  auto second = m.try_lock();
  ASSERT_FALSE(second.has_value());
  EXPECT_TRUE(second.error().is_would_block());
  const auto& const_error = attempt.error();
  EXPECT_EQ(const_error.kind(), TryLockErrorKind::Poisoned);
}

TEST(MutexPoisonTest, AccessInUnwindDoesNotPoison) {
  // Rust's test_mutex_arc_access_in_unwind: a destructor that runs while the
  // thread is already unwinding takes the lock and releases it normally.
  const Mutex<int> m(1);
  EXPECT_TRUE(panics_running_in_unwind([&] {
    auto guard = m.lock();
    **guard += 1;
  }));
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_EQ(copy_of(m), 2);
}

TEST(MutexPoisonTest, NestedPanicWhileUnwindingPoisons) {
  // A guard created during unwinding still poisons when a *new* exception
  // starts while it is held (the count of uncaught exceptions rises).
  const Mutex<int> m(0);
  EXPECT_TRUE(panics_running_in_unwind([&] {
    try {
      auto guard = m.lock();
      throw std::runtime_error("nested, while holding the lock");
    } catch (const std::runtime_error&) {
    }
  }));
  EXPECT_TRUE(m.is_poisoned());
}

TEST(MutexPoisonTest, MovedGuardPoisonsWhereItDies) {
  // A guard moved out of the scope where it was taken poisons only if a
  // panic destroys it.
  const Mutex<int> m(0);
  MutexGuard<int> kept = [&] {
    auto r = m.lock();
    return std::move(*r);
  }();
  *kept = 1;
  EXPECT_FALSE(m.is_poisoned());
  try {
    MutexGuard<int> moved = std::move(kept);
    panic("with the moved guard");
  } catch (const Panic&) {
  }
  EXPECT_TRUE(m.is_poisoned());
  EXPECT_FALSE(m.try_lock().error().is_would_block()) << "unlocked by the moved guard";
}

// --- into_inner / get_mut ----------------------------------------------------

TEST(MutexTest, IntoInner) {
  Mutex<std::string> m("value");
  auto r = std::move(m).into_inner();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "value");
}

TEST(MutexTest, IntoInnerDestroysExactlyOnce) {
  NoLeaks no_leaks;
  {
    Mutex<Counted> m(42);
    auto r = std::move(m).into_inner();
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->value(), 42);
  }
}

TEST(MutexTest, IntoInnerPoisoned) {
  NoLeaks no_leaks;
  Mutex<Counted> m(10);
  poison(m);
  auto r = std::move(m).into_inner();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().get_ref().value(), 10);
  Counted recovered = std::move(r.error()).into_inner();
  EXPECT_EQ(recovered.value(), 10);
}

TEST(MutexTest, GetMut) {
  Mutex<int> m(10);
  auto r = m.get_mut();
  ASSERT_TRUE(r.has_value());
  **r = 20;
  EXPECT_EQ(copy_of(m), 20);
}

TEST(MutexTest, GetMutPoisoned) {
  Mutex<int> m(10);
  poison(m);
  auto r = m.get_mut();
  ASSERT_FALSE(r.has_value());
  *r.error().get_mut() = 30;
  m.clear_poison();
  EXPECT_EQ(copy_of(m), 30);
}

TEST(MutexTest, GetMutOrIntoInnerWithAGuardAlivePanics) {
  Mutex<int> m(1);
  auto guard = m.lock();
  try {
    (void)m.get_mut();
    ADD_FAILURE() << "get_mut with a live guard must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("ferrite::Mutex::get_mut"), std::string::npos);
    EXPECT_NE(std::string(p.what()).find("exclusive access"), std::string::npos);
  }
  try {
    (void)std::move(m).into_inner();
    ADD_FAILURE() << "into_inner with a live guard must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("ferrite::Mutex::into_inner"), std::string::npos);
  }
  // The failed checks neither poisoned nor unlocked anything.
  EXPECT_FALSE(m.is_poisoned());
  EXPECT_TRUE(m.try_lock().error().is_would_block());
}

// --- guards ------------------------------------------------------------------

TEST(MutexGuardTest, MovedFromGuardPanicsOnUse) {
  const Mutex<int> m(0);
  auto r = m.lock();
  MutexGuard<int> guard = std::move(*r);
  try {
    (void)**r;
    ADD_FAILURE() << "dereferencing a moved-from guard must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("moved from"), std::string::npos) << p.what();
  }
  EXPECT_THROW((void)r->operator->(), Panic);
  const MutexGuard<int>& const_moved = *r;
  EXPECT_THROW((void)*const_moved, Panic);
  EXPECT_THROW((void)const_moved.operator->(), Panic);
  *guard = 1;  // the moved-to guard still works
  EXPECT_FALSE(m.is_poisoned());  // the panics above did not happen under a held guard's scope
}

TEST(MutexGuardTest, MoveAssignmentReleasesTheOldLock) {
  const Mutex<int> a(1);
  const Mutex<int> b(2);
  MutexGuard<int> guard = std::move(*a.lock());
  guard = std::move(*b.lock());
  EXPECT_TRUE(a.try_lock().has_value()) << "assigning over a guard releases its lock";
  EXPECT_TRUE(b.try_lock().error().is_would_block());
  EXPECT_EQ(*guard, 2);
  MutexGuard<int>& self = guard;
  guard = std::move(self);  // self-move keeps the lock
  EXPECT_TRUE(b.try_lock().error().is_would_block());
  EXPECT_EQ(*guard, 2);
}

TEST(MutexGuardTest, ConstructionIsOnlyThroughTheMutex) {
  static_assert(!std::is_constructible_v<MutexGuard<int>, const Mutex<int>&>);
  static_assert(!std::is_default_constructible_v<MutexGuard<int>>);
}

}  // namespace
}  // namespace ferrite
