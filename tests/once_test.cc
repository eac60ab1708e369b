// tests/once_test.cc — ferrite/once.h: Once and OnceLock<T>.
//
// The behaviours of Rust's std::sync::Once and OnceLock tests (library/std/
// src/sync/once/tests.rs, once_lock/tests.rs): once-only under contention,
// poisoning by a panicking call, call_once_force, waiters released by a
// completing or panicking call, and OnceLock's set/get/get_or_init with a
// panicking initializer that leaves it uninitialized.
#include "ferrite/once.h"

#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <expected>
#include <latch>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/barrier.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"
#include "tests/support/thread_state.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// Holds the callable running in a Once or OnceLock while other threads queue
// behind it: the callable calls enter(), which tells the test it is inside
// and waits until the test calls release().
class Gate {
 public:
  void enter() {
    inside_.count_down();
    released_.wait();
  }
  void wait_until_entered() { inside_.wait(); }
  void release() { released_.count_down(); }

 private:
  std::latch inside_{1};
  std::latch released_{1};
};

static_assert(Send<Once> && Sync<Once>);
static_assert(Send<OnceLock<int>> && Sync<OnceLock<int>>);
struct SendOnly : NotSync {};
static_assert(Send<OnceLock<SendOnly>> && !Sync<OnceLock<SendOnly>>);
static_assert(!std::is_copy_constructible_v<Once> && !std::is_move_constructible_v<Once>);
static_assert(!std::is_copy_constructible_v<OnceLock<int>>);
static_assert(std::is_same_v<decltype(std::declval<const OnceLock<int>&>().get()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<const OnceLock<int>&>().set(1)),
                             std::expected<void, int>>);
static_assert(std::is_same_v<decltype(std::declval<const OnceLock<int>&>().get_or_init(
                                 [] { return 1; })),
                             const int&>);

// --- header examples ---------------------------------------------------------

int logger_installs = 0;
void install_logger() { ++logger_installs; }

TEST(OnceTest, HeaderExample) {
  static const ferrite::Once init_logging;
  init_logging.call_once([] { install_logger(); });
  init_logging.call_once([] { install_logger(); });
  EXPECT_EQ(logger_installs, 1);
}

struct Config {
  std::string name;
};
Config load_config() { return Config{"prod"}; }

TEST(OnceLockTest, HeaderExample) {
  static const ferrite::OnceLock<Config> config;
  const Config& c = config.get_or_init([] { return load_config(); });
  EXPECT_EQ(c.name, "prod");
  EXPECT_EQ(&config.get_or_init([] { return Config{"never"}; }), &c);
}

// --- Once --------------------------------------------------------------------

TEST(OnceTest, SmokeOnce) {
  const Once once;
  int runs = 0;
  EXPECT_FALSE(once.is_completed());
  once.call_once([&] { ++runs; });
  EXPECT_TRUE(once.is_completed());
  once.call_once([&] { ++runs; });
  EXPECT_EQ(runs, 1);
  once.call_once_force([&](const OnceState&) { ++runs; });
  EXPECT_EQ(runs, 1) << "call_once_force does not run a completed Once";
}

TEST(OnceTest, StampedeRunsExactlyOnce) {
  // Rust's stampede_once: many threads race; one runs, all return after it.
  constexpr int kThreads = 10;
  const Once once;
  std::atomic<int> runs{0};
  std::atomic<bool> finished{false};
  const Barrier start(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      start.wait();
      once.call_once([&] {
        runs.fetch_add(1);
        finished = true;
      });
      EXPECT_TRUE(finished.load()) << "call_once returned before the call completed";
      EXPECT_TRUE(once.is_completed());
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(runs.load(), 1);
}

TEST(OnceTest, PanicPoisonsThenForceRecovers) {
  // Rust's poison_bad.
  const Once once;
  EXPECT_THROW(once.call_once([] { panic("initializer fails"); }), Panic);
  EXPECT_FALSE(once.is_completed());
  // A poisoned Once refuses call_once...
  bool ran = false;
  try {
    once.call_once([&] { ran = true; });
    ADD_FAILURE() << "call_once on a poisoned Once must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("poisoned"), std::string::npos) << p.what();
  }
  EXPECT_FALSE(ran);
  // ...but call_once_force runs, told about the poison, and completes it.
  bool saw_poison = false;
  once.call_once_force([&](const OnceState& state) { saw_poison = state.is_poisoned(); });
  EXPECT_TRUE(saw_poison);
  EXPECT_TRUE(once.is_completed());
  once.call_once([&] { ran = true; });
  EXPECT_FALSE(ran);
}

TEST(OnceTest, ForceThatPanicsStaysPoisoned) {
  const Once once;
  EXPECT_THROW(once.call_once_force([](const OnceState& s) {
    EXPECT_FALSE(s.is_poisoned());
    panic("first");
  }),
               Panic);
  EXPECT_THROW(once.call_once_force([](const OnceState& s) {
    EXPECT_TRUE(s.is_poisoned());
    panic("second");
  }),
               Panic);
  EXPECT_THROW(once.call_once([] {}), Panic);
  EXPECT_FALSE(once.is_completed());
}

TEST(OnceTest, WaiterReturnsWhenForceCompletes) {
  // Rust's wait_for_force_to_finish: a waiter queued behind a running
  // call_once_force returns without running its own callable.
  const Once once;
  EXPECT_THROW(once.call_once([] { panic("poison first"); }), Panic);
  Gate gate;
  std::thread runner([&] {
    once.call_once_force([&](const OnceState& state) {
      EXPECT_TRUE(state.is_poisoned());
      gate.enter();
    });
  });
  gate.wait_until_entered();
  std::thread waiter([&] {
    bool called = false;
    once.call_once([&] { called = true; });
    EXPECT_FALSE(called);
    EXPECT_TRUE(once.is_completed());
  });
  gate.release();
  runner.join();
  waiter.join();
}

TEST(OnceTest, AWaiterSleepsUntilTheRunningCallCompletes) {
  // A thread that finds the call running queues itself and falls asleep
  // (no spinning), then wakes when it completes and returns without
  // running its own callable.
  const Once once;
  Gate gate;
  std::thread runner([&] { once.call_once([&] { gate.enter(); }); });
  gate.wait_until_entered();
  std::atomic<pid_t> waiter_tid{0};
  std::atomic<bool> called{false};
  std::thread waiter([&] {
    waiter_tid.store(gettid());
    once.call_once([&] { called = true; });
  });
  while (waiter_tid.load() == 0) std::this_thread::yield();
  EXPECT_TRUE(ferrite::testing::sleeps_within(waiter_tid.load(), std::chrono::seconds(30)))
      << "the waiter never slept";
  EXPECT_FALSE(once.is_completed());
  gate.release();
  runner.join();
  waiter.join();
  EXPECT_FALSE(called.load());
  EXPECT_TRUE(once.is_completed());
}

TEST(OnceTest, WaitersPanicWhenTheRunningCallPanics) {
  // A thread blocked in call_once behind a call that panics wakes up and
  // panics too (the Once is poisoned), whether it queued before or after.
  const Once once;
  Gate gate;
  std::thread runner([&] {
    EXPECT_THROW(once.call_once([&] {
      gate.enter();
      panic("running call fails");
    }),
                 Panic);
  });
  gate.wait_until_entered();
  std::atomic<bool> waiter_panicked{false};
  std::thread waiter([&] {
    try {
      once.call_once([] { ADD_FAILURE() << "a waiter must not run its callable"; });
    } catch (const Panic&) {
      waiter_panicked = true;
    }
  });
  gate.release();
  runner.join();
  waiter.join();
  EXPECT_TRUE(waiter_panicked.load());
}

// --- OnceLock ----------------------------------------------------------------

TEST(OnceLockTest, GetSet) {
  const OnceLock<int> cell;
  EXPECT_EQ(cell.get(), nullptr);
  EXPECT_TRUE(cell.set(92).has_value());
  auto second = cell.set(62);
  ASSERT_FALSE(second.has_value());
  EXPECT_EQ(second.error(), 62) << "the refused value is handed back";
  ASSERT_NE(cell.get(), nullptr);
  EXPECT_EQ(*cell.get(), 92);
}

TEST(OnceLockTest, SetHandsBackMoveOnlyValues) {
  NoLeaks no_leaks;
  const OnceLock<std::unique_ptr<Counted>> cell;
  EXPECT_TRUE(cell.set(std::make_unique<Counted>(1)).has_value());
  auto refused = cell.set(std::make_unique<Counted>(2));
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error()->value(), 2);
  EXPECT_EQ((*cell.get())->value(), 1);
}

TEST(OnceLockTest, GetOrInitUnderContentionRunsOnce) {
  constexpr int kThreads = 8;
  const OnceLock<std::string> cell;
  std::atomic<int> inits{0};
  const Barrier start(kThreads);
  std::vector<const std::string*> seen(kThreads, nullptr);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      start.wait();
      const std::string& value = cell.get_or_init([&] {
        inits.fetch_add(1);
        return std::string("initialized by exactly one thread");
      });
      seen[static_cast<std::size_t>(t)] = &value;
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(inits.load(), 1);
  for (const std::string* p : seen) EXPECT_EQ(p, cell.get());
}

TEST(OnceLockTest, PanickingInitializerLeavesItUninitialized) {
  const OnceLock<int> cell;
  EXPECT_THROW((void)cell.get_or_init([]() -> int { panic("init fails"); }), Panic);
  EXPECT_EQ(cell.get(), nullptr);
  EXPECT_EQ(cell.get_or_init([] { return 5; }), 5) << "the next caller initializes it";
  EXPECT_EQ(*cell.get(), 5);
}

TEST(OnceLockTest, WaiterRunsItsOwnInitializerAfterAPanic) {
  const OnceLock<int> cell;
  Gate gate;
  std::thread first([&] {
    EXPECT_THROW((void)cell.get_or_init([&]() -> int {
      gate.enter();
      panic("first initializer fails");
    }),
                 Panic);
  });
  gate.wait_until_entered();
  std::thread second([&] { EXPECT_EQ(cell.get_or_init([] { return 2; }), 2); });
  gate.release();
  first.join();
  second.join();
  EXPECT_EQ(*cell.get(), 2);
}

TEST(OnceLockTest, SetWaitsForARunningInitializer) {
  const OnceLock<int> cell;
  Gate gate;
  std::thread initializer([&] {
    (void)cell.get_or_init([&] {
      gate.enter();
      return 1;
    });
  });
  gate.wait_until_entered();
  EXPECT_EQ(cell.get(), nullptr) << "not visible before the initializer completes";
  std::thread setter([&] {
    auto r = cell.set(2);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), 2);
  });
  gate.release();
  initializer.join();
  setter.join();
  EXPECT_EQ(*cell.get(), 1);
}

TEST(OnceLockTest, GetMutTakeIntoInner) {
  NoLeaks no_leaks;
  OnceLock<Counted> cell;
  EXPECT_EQ(cell.get_mut(), nullptr);
  EXPECT_FALSE(cell.take().has_value());
  (void)cell.get_or_init([] { return Counted(3); });
  ASSERT_NE(cell.get_mut(), nullptr);
  *cell.get_mut() = Counted(4);
  std::optional<Counted> taken = cell.take();
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->value(), 4);
  EXPECT_EQ(cell.get(), nullptr) << "take() leaves it uninitialized";
  EXPECT_TRUE(cell.set(Counted(5)).has_value()) << "and settable again";
  std::optional<Counted> inner = std::move(cell).into_inner();
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(inner->value(), 5);
}

TEST(OnceLockTest, DestroysItsValueExactlyOnce) {
  NoLeaks no_leaks;
  {
    const OnceLock<Counted> cell;
    (void)cell.get_or_init([] { return Counted(1); });
    EXPECT_EQ(Counted::live(), 1);
  }
  { const OnceLock<Counted> never_set; }
}

}  // namespace
}  // namespace ferrite
