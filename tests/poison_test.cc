// tests/poison_test.cc — ferrite/poison.h: PoisonError, TryLockError and
// LockResult, and the bookkeeping that decides whether a guard poisons (the
// count of uncaught exceptions). How each lock poisons is tested with the
// lock: tests/mutex_test.cc, rwlock_test.cc, condvar_test.cc, once_test.cc.
#include "ferrite/poison.h"

#include <algorithm>
#include <exception>
#include <expected>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/panics_on_thread.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;
using ::testing::AllOf;
using ::testing::HasSubstr;

// The message of the Panic that `body` raises; a test failure if none.
template <class F>
std::string panic_message(F body) {
  try {
    body();
  } catch (const Panic& p) {
    return p.what();
  }
  ADD_FAILURE() << "expected a ferrite::Panic";
  return "";
}

// --- compile-time contract ---------------------------------------------------

// PoisonError / TryLockError are exactly as Send/Sync as what they carry.
static_assert(!Send<PoisonError<MutexGuard<int>>> && Sync<PoisonError<MutexGuard<int>>>);
static_assert(Send<PoisonError<int>> && Sync<PoisonError<int>>);
static_assert(!Send<TryLockError<MutexGuard<int>>>);
static_assert(Send<TryLockError<int>>);
static_assert(!Send<LockResult<MutexGuard<int>>> && Sync<LockResult<MutexGuard<int>>>);
static_assert(Send<LockResult<int>> && Sync<LockResult<int>>);
static_assert(!Send<TryLockResult<MutexGuard<int>>> && Sync<TryLockResult<MutexGuard<int>>>);

// LockResult is a std::expected<G, PoisonError<G>>: it derives from one and
// converts both ways; value() is there for a move-only G (libstdc++'s own
// needs a copyable error) and returns what std::expected's would.
using GuardResult = LockResult<MutexGuard<int>>;
using PlainGuardResult = std::expected<MutexGuard<int>, PoisonError<MutexGuard<int>>>;
static_assert(std::is_base_of_v<PlainGuardResult, GuardResult>);
static_assert(std::is_convertible_v<GuardResult&&, PlainGuardResult>);
static_assert(std::is_convertible_v<PlainGuardResult&&, GuardResult>);
static_assert(std::is_same_v<decltype(std::declval<GuardResult&>().value()), MutexGuard<int>&>);
static_assert(std::is_same_v<decltype(std::declval<const GuardResult&>().value()),
                             const MutexGuard<int>&>);
static_assert(std::is_same_v<decltype(std::declval<GuardResult&&>().value()), MutexGuard<int>&&>);
static_assert(std::is_same_v<decltype(*std::declval<GuardResult&>()), MutexGuard<int>&>);
static_assert(std::is_same_v<decltype(*std::declval<GuardResult&&>()), MutexGuard<int>&&>);
static_assert(std::is_same_v<decltype(std::declval<GuardResult&>().operator->()),
                             MutexGuard<int>*>);

// The guards' `*` and `->` exist on named guards only (the compile-fail
// tests show the messages); so do PoisonError's borrows.
template <class G>
concept Derefable = requires(G&& g) { *std::forward<G>(g); };
template <class G>
concept Arrowable = requires(G&& g) { std::forward<G>(g).operator->(); };
static_assert(Derefable<MutexGuard<int>&> && Derefable<const MutexGuard<int>&>);
static_assert(!Derefable<MutexGuard<int>> && !Derefable<const MutexGuard<int>&&>);
static_assert(Arrowable<MutexGuard<int>&> && !Arrowable<MutexGuard<int>>);
static_assert(!Arrowable<const MutexGuard<int>&&>);
static_assert(Arrowable<GuardResult&> && !Arrowable<GuardResult>);
template <class E>
concept CanBorrow = requires(E&& e) { std::forward<E>(e).get_ref(); };
static_assert(CanBorrow<PoisonError<int>&> && CanBorrow<const PoisonError<int>&>);
static_assert(!CanBorrow<PoisonError<int>> && !CanBorrow<const PoisonError<int>&&>);

// --- the header example ------------------------------------------------------

TEST(PoisonTest, HeaderExample) {
  const Mutex<int> m(7);
  poison(m);
  ferrite::LockResult<ferrite::MutexGuard<int>> r = m.lock();
  ASSERT_FALSE(r.has_value());
  {
    ferrite::MutexGuard<int> g = std::move(r.error()).into_inner();
    *g = 0;
    m.clear_poison();
  }
  EXPECT_FALSE(m.is_poisoned());
  auto again = m.lock();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(**again, 0);
}

// --- PoisonError -------------------------------------------------------------

TEST(PoisonErrorTest, Accessors) {
  PoisonError<std::string> error(std::string("payload"));
  EXPECT_EQ(error.get_ref(), "payload");
  error.get_mut() += "!";
  const PoisonError<std::string>& as_const = error;
  EXPECT_EQ(as_const.get_ref(), "payload!");
  EXPECT_EQ(std::move(error).into_inner(), "payload!");
  EXPECT_EQ(PoisonError<int>::message(), "poisoned lock: another task failed inside");
}

// --- LockResult: Rust's unwrap() ---------------------------------------------

TEST(LockResultTest, DerefOfAPoisonedResultPanicsAndLeaksNothing) {
  NoLeaks no_leaks;
  const Mutex<Counted> m(7);
  poison(m);
  {
    auto r = m.lock();
    ASSERT_FALSE(r.has_value());
    const std::string message = panic_message([&] { (void)**r; });
    EXPECT_THAT(message, AllOf(HasSubstr("ferrite::LockResult::operator*: the lock is poisoned"),
                               HasSubstr("std::move(result.error()).into_inner()"),
                               HasSubstr("clear_poison()")));
    EXPECT_TRUE(contains(panic_message([&] { (void)r->operator->(); }),
                         "ferrite::LockResult::operator->: the lock is poisoned"));
    EXPECT_TRUE(contains(panic_message([&] { (void)r.value(); }),
                         "ferrite::LockResult::value(): the lock is poisoned"));
    const auto& as_const = r;
    EXPECT_THROW((void)*as_const, Panic);
    EXPECT_THROW((void)as_const.operator->(), Panic);
    EXPECT_THROW((void)as_const.value(), Panic);
    EXPECT_THROW((void)*std::move(r), Panic);
    EXPECT_THROW((void)std::move(r).value(), Panic);
    // No mangled type name in the message: it says what happened and the way out.
    EXPECT_FALSE(contains(message, "MutexGuard")) << message;
    // The result still holds the guard: the recovery path works after the panics.
    MutexGuard<Counted> recovered = std::move(r.error()).into_inner();
    EXPECT_EQ(recovered->value(), 7);
  }
  // Every guard is gone: the mutex is unlocked (still poisoned).
  auto after = m.try_lock();
  ASSERT_FALSE(after.has_value());
  EXPECT_TRUE(after.error().is_poisoned());
}

TEST(LockResultTest, DerefOfATemporaryPoisonedResultUnlocks) {
  // `*m.lock()` on a poisoned mutex: the panic unwinds through the temporary
  // result, whose guard unlocks the mutex.
  const Mutex<int> m(1);
  poison(m);
  EXPECT_THROW({ MutexGuard<int> g = std::move(*m.lock()); }, Panic);
  EXPECT_THROW((void)m.lock().value(), Panic);
  auto after = m.try_lock();
  ASSERT_FALSE(after.has_value());
  EXPECT_TRUE(after.error().is_poisoned()) << "the lock was left held";
}

TEST(LockResultTest, ValueOfAGoodResultHandsOutTheMoveOnlyGuard) {
  const Mutex<int> m(1);
  {
    auto r = m.lock();
    **r += 1;
    *r.value() += 1;
    const auto& as_const = r;
    EXPECT_EQ(*as_const.value(), 3);
    MutexGuard<int> moved = std::move(r).value();
    *moved += 1;
  }
  MutexGuard<int> guard = m.lock().value();
  EXPECT_EQ(*guard, 4);
}

TEST(LockResultTest, KeepsEverythingStdExpectedOffers) {
  const Mutex<int> m(5);
  auto r = m.lock();
  EXPECT_TRUE(r.has_value());
  EXPECT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(**r, 5);
  r = GuardResult(std::unexpect, PoisonError<MutexGuard<int>>(std::move(*r)));  // still locked
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(*r.error().get_ref(), 5);
  { GuardResult moved = std::move(r); }  // the guard moves along and unlocks here
  // The conversion to the plain std::expected, and back.
  PlainGuardResult plain = m.lock();
  ASSERT_TRUE(plain.has_value());
  GuardResult back = std::move(plain);
  EXPECT_EQ(**back, 5);
}

TEST(LockResultTest, ValueOfIntoInnerAndGetMut) {
  Mutex<std::string> m("kept");
  EXPECT_EQ(*m.get_mut().value(), "kept");
  poison(m);
  EXPECT_TRUE(contains(panic_message([&] { (void)m.get_mut().value(); }),
                       "the lock is poisoned"));
  auto poisoned = std::move(m).into_inner();
  EXPECT_THROW((void)*poisoned, Panic);
  EXPECT_EQ(std::move(poisoned.error()).into_inner(), "kept");
}

TEST(LockResultTest, TryLockResultSaysWhyItHasNoGuard) {
  const Mutex<int> m(0);
  {
    auto held = m.lock();
    auto busy = m.try_lock();
    ASSERT_FALSE(busy.has_value());
    const std::string message = panic_message([&] { (void)**busy; });
    EXPECT_TRUE(contains(message, "ferrite::TryLockResult::operator*: the lock would block"))
        << message;
    EXPECT_TRUE(contains(panic_message([&] { (void)busy.value(); }), "would block"));
    EXPECT_TRUE(contains(panic_message([&] { (void)busy->operator->(); }), "would block"));
  }
  {
    auto free = m.try_lock();
    MutexGuard<int> guard = std::move(free).value();  // a good result: the guard
    *guard = 3;
  }
  poison(m);
  auto poisoned = m.try_lock();
  ASSERT_FALSE(poisoned.has_value());
  EXPECT_THAT(panic_message([&] { (void)**poisoned; }),
              HasSubstr("ferrite::TryLockResult::operator*: the lock is poisoned"));
  EXPECT_THROW((void)std::move(poisoned).value(), Panic);
  MutexGuard<int> recovered = std::move(poisoned.error()).into_inner();
  EXPECT_EQ(*recovered, 3);
}

// --- the poison bookkeeping --------------------------------------------------

// The inlined count of uncaught exceptions (lib/poison.cc reads the C++
// runtime's per-thread globals) agrees with std::uncaught_exceptions(), also
// nested and on fresh threads. audit: poison-eh-globals
struct CountProbe {
  std::vector<std::pair<int, int>>* seen;
  int depth;
  ~CountProbe() {
    seen->emplace_back(detail::uncaught_exceptions(), std::uncaught_exceptions());
    if (depth > 0) {
      try {
        CountProbe inner{seen, depth - 1};
        throw std::runtime_error("nested");
      } catch (const std::runtime_error&) {
      }
      seen->emplace_back(detail::uncaught_exceptions(), std::uncaught_exceptions());
    }
  }
};

TEST(PanicCountTest, MatchesStdUncaughtExceptions) {
  for (int round = 0; round < 2; ++round) {
    std::vector<std::pair<int, int>> seen;
    std::thread([&] {
      seen.emplace_back(detail::uncaught_exceptions(), std::uncaught_exceptions());
      try {
        CountProbe probe{&seen, 2};
        throw std::runtime_error("outer");
      } catch (const std::runtime_error&) {
      }
      seen.emplace_back(detail::uncaught_exceptions(), std::uncaught_exceptions());
    }).join();
    ASSERT_EQ(seen.size(), 7u);
    int deepest = 0;
    for (const auto& [fast, standard] : seen) {
      EXPECT_EQ(fast, standard);
      deepest = std::max(deepest, standard);
    }
    EXPECT_EQ(deepest, 3) << "three exceptions in flight at the innermost probe";
  }
}

TEST(PanicCountTest, PanickedSince) {
  detail::PanicCount outside;
  EXPECT_FALSE(outside.panicked_since());
  bool observed = false;
  struct Probe {
    const detail::PanicCount& count;
    bool& observed;
    ~Probe() { observed = count.panicked_since(); }
  };
  try {
    Probe probe{outside, observed};
    throw 1;
  } catch (int) {
  }
  EXPECT_TRUE(observed);
}

}  // namespace
}  // namespace ferrite
