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
//
// Each test runs twice: on a Mutex<long>, and on a long behind a channel's
// lock (detail::ChannelLock), whose RawMutex::lock_for_latency() spins
// differently (briefly, reading the word often) but sleeps and wakes by the
// same protocol.
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

#include "ferrite/channel/lock.h"
#include "ferrite/detail/heavy_fence.h"
#include "ferrite/detail/thread_annotations.h"
#include "ferrite/mutex.h"
#include "tests/support/sanitizer_scale.h"
#include "tests/support/thread_state.h"

namespace {

using ferrite::Mutex;

constexpr int kRounds = ferrite::testing::kThreadSanitizer ? 60 : 300;

// A count behind a lock: with_lock(f) calls f(count) with the lock held.
class MutexCounter {
 public:
  template <class F>
  void with_lock(F f) {
    auto guard = mutex_.lock();
    f(**guard);
  }

 private:
  Mutex<long> mutex_{0};
};

class ChannelLockCounter {
 public:
  template <class F>
  void with_lock(F f) {
    ferrite::detail::ChannelLock guard(lock_);
    f(count_);
  }

 private:
  ferrite::detail::RawMutex lock_;
  long count_ FERRITE_GUARDED_BY(lock_) = 0;
};

// Holds the lock for `hold` on this thread, with `waiters` threads blocked on
// it, then lets go; every waiter must get the lock once. Returns the count
// the lock ends with (waiters + 1).
template <class Counter>
long hold_while_others_wait(int waiters, std::chrono::microseconds hold) {
  auto counter = std::make_unique<Counter>();
  std::vector<std::thread> threads;
  counter->with_lock([&](long& count) {
    ++count;
    for (int i = 0; i < waiters; ++i) {
      threads.emplace_back([&counter] { counter->with_lock([](long& mine) { ++mine; }); });
    }
    std::this_thread::sleep_for(hold);
  });
  for (auto& thread : threads) thread.join();
  long count = 0;
  counter->with_lock([&](long& final_count) { count = final_count; });
  return count;
}

// Every thread increments a fresh lock's count `per_thread` times, holding
// it across a yield now and then so that others sleep; returns the final
// count.
template <class Counter>
long contend(int threads, int per_thread) {
  auto counter = std::make_unique<Counter>();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&counter, per_thread] {
      for (int i = 0; i < per_thread; ++i) {
        counter->with_lock([i](long& count) {
          ++count;
          if (i % 16 == 0) std::this_thread::yield();
        });
      }
    });
  }
  for (auto& worker : workers) worker.join();
  long count = 0;
  counter->with_lock([&](long& final_count) { count = final_count; });
  return count;
}

TEST(HeavyFence, ReportsWhatTheKernelOffersTheSameEachTime) {
  const bool first = ferrite::detail::heavy_fence();
  EXPECT_EQ(first, ferrite::detail::heavy_fence_available());
  EXPECT_EQ(first, ferrite::detail::heavy_fence());
  if (!first) std::puts("membarrier(2) is unavailable here: Mutex uses bounded sleeps");
}

template <class Counter>
class MutexFence : public ::testing::Test {};
using Counters = ::testing::Types<MutexCounter, ChannelLockCounter>;
TYPED_TEST_SUITE(MutexFence, Counters);

TYPED_TEST(MutexFence, EveryWaiterComesBackWhenTheFirstSleepersRaceTheUnlock) {
  // Hold times around the spin phases (about 12 us for Mutex and 2.5 us for
  // a channel's lock on two CPUs; none on one), so that the waiters are
  // sometimes still spinning, sometimes counting themselves in, and
  // sometimes asleep when the lock is released.
  for (int round = 0; round < kRounds; ++round) {
    const auto hold = std::chrono::microseconds(round % 40);
    const int waiters = 1 + round % 3;
    ASSERT_EQ(hold_while_others_wait<TypeParam>(waiters, hold), waiters + 1) << "round " << round;
  }
}

TYPED_TEST(MutexFence, FreshMutexesUnderContentionLoseNoIncrement) {
  const int per_thread = ferrite::testing::kThreadSanitizer ? 200 : 2000;
  for (int round = 0; round < kRounds / 10; ++round) {
    ASSERT_EQ(contend<TypeParam>(4, per_thread), 4L * per_thread) << "round " << round;
  }
}

TYPED_TEST(MutexFence, AWaiterSleepsRatherThanSpins) {
  // A thread blocked on a held lock falls asleep, and while the lock stays
  // held it uses a small fraction of that wall time as CPU time.
  auto counter = std::make_unique<TypeParam>();
  std::atomic<pid_t> waiter_tid{0};
  std::atomic<double> waiter_cpu_seconds{-1};
  std::thread waiter;
  counter->with_lock([&](long&) {
    waiter = std::thread([&] {
      const double before = ferrite::testing::thread_cpu_seconds();
      waiter_tid.store(gettid());
      counter->with_lock([](long&) {});
      waiter_cpu_seconds.store(ferrite::testing::thread_cpu_seconds() - before);
    });
    while (waiter_tid.load() == 0) std::this_thread::yield();
    ASSERT_TRUE(ferrite::testing::sleeps_within(waiter_tid.load(), std::chrono::seconds(30)))
        << "the waiter never slept";
    // The span whose CPU time is measured, not a synchronization.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
  });
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

template <class Counter>
[[noreturn]] void without_heavy_fence() {
  ferrite::detail::disable_heavy_fence_for_testing();
  if (ferrite::detail::heavy_fence()) finish(false, "heavy_fence() still fences");
  if (ferrite::detail::heavy_fence_available()) finish(false, "still reported available");
  for (int round = 0; round < kRounds / 2; ++round) {
    const int waiters = 1 + round % 3;
    if (hold_while_others_wait<Counter>(waiters, std::chrono::microseconds(round % 40)) !=
        waiters + 1) {
      finish(false, "a waiter's increment is missing");
    }
  }
  const int per_thread = ferrite::testing::kThreadSanitizer ? 200 : 2000;
  if (contend<Counter>(4, per_thread) != 4L * per_thread) finish(false, "an increment is missing");
  finish(true, "");
}

TYPED_TEST(MutexFence, WithoutMembarrierEveryWaiterStillComesBack) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(without_heavy_fence<TypeParam>(), ::testing::ExitedWithCode(0), "");
}

}  // namespace
