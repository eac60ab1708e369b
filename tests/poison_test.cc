// tests/poison_test.cc — ferrite/poison.h: PoisonError, TryLockError and
// LockResult, and the bookkeeping that decides whether a guard poisons (the
// count of uncaught exceptions). How each lock poisons is tested with the
// lock: tests/mutex_test.cc, rwlock_test.cc, condvar_test.cc, once_test.cc.
#include "ferrite/poison.h"

#include <algorithm>
#include <exception>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/support/panics_on_thread.h"

namespace ferrite {
namespace {

using ::ferrite::testing::panics_on_thread;
using ::ferrite::testing::poison;

// --- compile-time contract ---------------------------------------------------

// PoisonError / TryLockError are exactly as Send/Sync as what they carry.
static_assert(!Send<PoisonError<MutexGuard<int>>> && Sync<PoisonError<MutexGuard<int>>>);
static_assert(Send<PoisonError<int>> && Sync<PoisonError<int>>);
static_assert(!Send<TryLockError<MutexGuard<int>>>);
static_assert(Send<TryLockError<int>>);

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
