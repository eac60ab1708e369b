// tests/mutex_fence_test.cc — Mutex's unfenced unlock and the first sleeper.
//
// Until a thread first sleeps on a Mutex, its unlock is a plain store and a
// read with no fence between them; the first sleeper makes every thread
// fence (detail/heavy_fence.h) before it counts itself in (lib/mutex.cc, "No
// wake-up is lost"). A wake-up lost there would leave a thread asleep on a
// free lock forever, so these tests are written to hang (and time out)
// rather than to pass by luck: each round takes a fresh mutex, so that its
// first sleeper races with unlocks that have not fenced, and every thread
// must come back.
//
// Where membarrier(2) is unavailable (disable_heavy_fence_for_testing()
// stands in for such a kernel), sleeps are bounded instead; those rounds run
// in a child process of their own (a death test in the "threadsafe" style),
// since the switch is process-wide and permanent.
#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <thread>
#include <vector>

#include "ferrite/detail/heavy_fence.h"
#include "ferrite/mutex.h"
#include "tests/support/sanitizer_scale.h"
#include "tests/support/thread_state.h"

namespace {

using ferrite::Mutex;

constexpr int kRounds = ferrite::testing::kThreadSanitizer ? 60 : 300;

// Holds the lock for `hold` on this thread, with `waiters` threads blocked on
// it, then lets go; every waiter must get the lock once. Returns the count
// the mutex ends with (waiters + 1).
long hold_while_others_wait(int waiters, std::chrono::microseconds hold) {
  auto counter = std::make_unique<Mutex<long>>(0);
  std::vector<std::thread> threads;
  {
    auto guard = counter->lock();
    ++**guard;
    for (int i = 0; i < waiters; ++i) {
      threads.emplace_back([&counter] {
        auto mine = counter->lock();
        ++**mine;
      });
    }
    std::this_thread::sleep_for(hold);
  }
  for (auto& thread : threads) thread.join();
  auto guard = counter->lock();
  return **guard;
}

// Every thread increments a fresh mutex `per_thread` times, holding it
// across a yield now and then so that others sleep; returns the final count.
long contend(int threads, int per_thread) {
  auto counter = std::make_unique<Mutex<long>>(0);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&counter, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        auto guard = counter->lock();
        ++**guard;
        if (i % 16 == 0) std::this_thread::yield();
      }
    });
  }
  for (auto& worker : workers) worker.join();
  auto guard = counter->lock();
  return **guard;
}

TEST(HeavyFence, ReportsWhatTheKernelOffersTheSameEachTime) {
  const bool first = ferrite::detail::heavy_fence();
  EXPECT_EQ(first, ferrite::detail::heavy_fence_available());
  EXPECT_EQ(first, ferrite::detail::heavy_fence());
  if (!first) std::puts("membarrier(2) is unavailable here: Mutex uses bounded sleeps");
}

TEST(MutexFence, EveryWaiterComesBackWhenTheFirstSleepersRaceTheUnlock) {
  // Hold times around the spin phase (about 12 us on two CPUs; none on one),
  // so that the waiters are sometimes still spinning, sometimes counting
  // themselves in, and sometimes asleep when the lock is released.
  for (int round = 0; round < kRounds; ++round) {
    const auto hold = std::chrono::microseconds(round % 40);
    const int waiters = 1 + round % 3;
    ASSERT_EQ(hold_while_others_wait(waiters, hold), waiters + 1) << "round " << round;
  }
}

TEST(MutexFence, FreshMutexesUnderContentionLoseNoIncrement) {
  const int per_thread = ferrite::testing::kThreadSanitizer ? 200 : 2000;
  for (int round = 0; round < kRounds / 10; ++round) {
    ASSERT_EQ(contend(4, per_thread), 4L * per_thread) << "round " << round;
  }
}

TEST(MutexFence, AWaiterSleepsRatherThanSpins) {
  // A thread blocked on a held mutex falls asleep, and while the lock stays
  // held it uses a small fraction of that wall time as CPU time.
  auto counter = std::make_unique<Mutex<long>>(0);
  std::atomic<pid_t> waiter_tid{0};
  std::atomic<double> waiter_cpu_seconds{-1};
  std::thread waiter;
  {
    auto guard = counter->lock();
    waiter = std::thread([&] {
      const double before = ferrite::testing::thread_cpu_seconds();
      waiter_tid.store(gettid());
      auto mine = counter->lock();
      waiter_cpu_seconds.store(ferrite::testing::thread_cpu_seconds() - before);
    });
    while (waiter_tid.load() == 0) std::this_thread::yield();
    ASSERT_TRUE(ferrite::testing::sleeps_within(waiter_tid.load(), std::chrono::seconds(30)))
        << "the waiter never slept";
    // The span whose CPU time is measured, not a synchronization.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  }
  waiter.join();
  // Spinning is bounded to microseconds; 300 ms of waiting spun through would
  // use most of it.
  EXPECT_LT(waiter_cpu_seconds.load(), 0.06);
}

// Exits the child: 0 when `ok`, else 1 after printing `what`.
[[noreturn]] void finish(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "failed: %s\n", what);
  std::fflush(stderr);
  std::exit(ok ? 0 : 1);
}

[[noreturn]] void without_heavy_fence() {
  ferrite::detail::disable_heavy_fence_for_testing();
  if (ferrite::detail::heavy_fence()) finish(false, "heavy_fence() still fences");
  if (ferrite::detail::heavy_fence_available()) finish(false, "still reported available");
  for (int round = 0; round < kRounds / 2; ++round) {
    const int waiters = 1 + round % 3;
    if (hold_while_others_wait(waiters, std::chrono::microseconds(round % 40)) != waiters + 1) {
      finish(false, "a waiter's increment is missing");
    }
  }
  const int per_thread = ferrite::testing::kThreadSanitizer ? 200 : 2000;
  if (contend(4, per_thread) != 4L * per_thread) finish(false, "an increment is missing");
  finish(true, "");
}

TEST(MutexFence, WithoutMembarrierEveryWaiterStillComesBack) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(without_heavy_fence(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
