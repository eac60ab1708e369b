// tests/barrier_test.cc — ferrite/barrier.h.
//
// The behaviours of Rust's std::sync::Barrier tests (library/std/src/sync/
// barrier/tests.rs): nobody passes before all arrive, exactly one leader per
// generation, and the barrier is reusable across generations.
#include "ferrite/barrier.h"

#include <atomic>
#include <cstddef>
#include <thread>
#include <type_traits>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/marker.h"
#include "gtest/gtest.h"

namespace ferrite {
namespace {

static_assert(Send<Barrier> && Sync<Barrier>);
static_assert(Send<BarrierWaitResult> && Sync<BarrierWaitResult>);
static_assert(!std::is_copy_constructible_v<Barrier> && !std::is_move_constructible_v<Barrier>);
static_assert(std::is_copy_constructible_v<BarrierWaitResult>);
static_assert(!std::is_constructible_v<BarrierWaitResult, bool>, "only a Barrier makes one");

TEST(BarrierTest, HeaderExample) {
  const ferrite::Barrier barrier(3);
  std::atomic<int> leaders{0};
  auto body = [&] {
    if (barrier.wait().is_leader()) leaders.fetch_add(1);
  };
  std::thread a(body);
  std::thread b(body);
  body();
  a.join();
  b.join();
  EXPECT_EQ(leaders.load(), 1);
}

TEST(BarrierTest, NobodyPassesUntilAllArriveAndOneLeads) {
  // Rust's test_barrier: N-1 threads wait; none passes before the N-th
  // (this thread) arrives; exactly one of the N is the leader.
  constexpr std::size_t kThreads = 10;
  auto barrier = make_arc<Barrier>(kThreads);
  std::atomic<int> passed{0};
  std::atomic<int> leaders{0};
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i + 1 < kThreads; ++i) {
    threads.emplace_back([barrier, &passed, &leaders] {
      const BarrierWaitResult result = barrier->wait();
      passed.fetch_add(1);
      if (result.is_leader()) leaders.fetch_add(1);
    });
  }
  // Whatever the other threads have reached, they cannot be past the
  // barrier: this thread has not arrived.
  EXPECT_EQ(passed.load(), 0);
  if (barrier->wait().is_leader()) leaders.fetch_add(1);
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(passed.load(), static_cast<int>(kThreads - 1));
  EXPECT_EQ(leaders.load(), 1);
}

TEST(BarrierTest, ReusableAcrossGenerations) {
  // Each generation: every thread writes its slot, waits, then checks that
  // all slots hold this generation's value (no one ran ahead), and waits
  // again before the next round overwrites them. One leader per wait.
  constexpr std::size_t kThreads = 4;
  constexpr int kGenerations = 200;
  const Barrier barrier(kThreads);
  std::vector<std::atomic<int>> slots(kThreads);
  std::vector<std::atomic<int>> leaders_per_wait(2 * kGenerations);
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int g = 0; g < kGenerations; ++g) {
        slots[t].store(g);
        if (barrier.wait().is_leader()) leaders_per_wait[static_cast<std::size_t>(2 * g)]++;
        for (const auto& slot : slots) EXPECT_EQ(slot.load(), g);
        if (barrier.wait().is_leader()) leaders_per_wait[static_cast<std::size_t>(2 * g + 1)]++;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& leaders : leaders_per_wait) EXPECT_EQ(leaders.load(), 1);
}

TEST(BarrierTest, ZeroAndOneNeverBlock) {
  const Barrier zero(0);
  const Barrier one(1);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(zero.wait().is_leader());
    EXPECT_TRUE(one.wait().is_leader());
  }
}

}  // namespace
}  // namespace ferrite
