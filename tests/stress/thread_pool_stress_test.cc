// tests/stress/thread_pool_stress_test.cc — a ThreadPool fed as fast as it
// drains, with jobs that panic, jobs that queue follow-up jobs (from a
// worker, some of them then panicking), and submitted jobs whose results or
// panics come back through join(). At the end every job queued ran exactly
// once, panic_count() counted exactly the panics injected, and every
// handle returned its own job's value or its own job's panic.
//
// The jobs borrow their own pool to queue follow-up jobs, and the test's
// counters, declared before the pool (`[&pool, &counts]`): a local
// ThreadPool runs every job before its destructor returns, so both outlive
// the jobs (the ferrite-clang plugin checks exactly that).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ferrite/panic.h"
#include "ferrite/thread_pool.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

constexpr std::size_t kWorkers = 4;
constexpr std::size_t kBatch = 64;  // jobs queued between joins

struct Counts {
  std::atomic<std::uint64_t> queued{0};
  std::atomic<std::uint64_t> ran{0};
  std::atomic<std::uint64_t> panics{0};
  std::atomic<std::uint64_t> requeued{0};
};

// Runs once, panicking if `panics`.
void run_job(Counts& counts, bool panics) {
  counts.ran.fetch_add(1, std::memory_order_relaxed);
  if (panics) {
    counts.panics.fetch_add(1, std::memory_order_relaxed);
    panic("injected panic in a pool job");
  }
}

TEST(ThreadPoolStress, EveryJobRunsOnceAndEveryPanicIsCountedOnce) {
  Counts counts;
  std::uint64_t submitted = 0;
  std::uint64_t submitted_panics = 0;
  std::uint64_t wrong_results = 0;
  const Clock clock;
  {
    ThreadPool pool(kWorkers);
    // Queues a job that re-queues itself `depth` more times from its worker,
    // and panics after queueing when `seed` says so.
    const auto queue_chain = [&pool, &counts](this const auto& self, int depth,
                                              std::uint64_t seed) -> void {
      counts.queued.fetch_add(1, std::memory_order_relaxed);
      pool.execute([self, &counts, depth, seed] {
        Random random(seed);
        if (depth > 0) {
          counts.requeued.fetch_add(1, std::memory_order_relaxed);
          self(depth - 1, random.next());
        }
        run_job(counts, random.one_in(8));
      });
    };
    Random random(1);
    while (clock.running() || submitted_panics == 0) {  // at least one handle's panic
      std::vector<TaskHandle<std::uint64_t>> handles;
      std::vector<std::optional<std::uint64_t>> expected;  // per handle; nullopt: its panic
      for (std::size_t i = 0; i < kBatch; ++i) {
        switch (random.below(3)) {
          case 0: {
            const bool panics = random.one_in(8);
            counts.queued.fetch_add(1, std::memory_order_relaxed);
            pool.execute([&counts, panics] { run_job(counts, panics); });
            break;
          }
          case 1:
            queue_chain(static_cast<int>(random.below(4)), random.next());
            break;
          default: {
            const bool panics = random.one_in(8);
            const std::uint64_t value = random.next();
            counts.queued.fetch_add(1, std::memory_order_relaxed);
            handles.push_back(pool.submit([&counts, panics, value] {
              run_job(counts, panics);
              return value;
            }));
            expected.push_back(panics ? std::nullopt : std::optional(value));
            break;
          }
        }
      }
      for (std::size_t i = 0; i < handles.size(); ++i) {
        auto result = handles.at(i).join();
        ++submitted;
        if (!expected.at(i)) {
          ++submitted_panics;
          if (result || result.error().message() != "injected panic in a pool job") {
            ++wrong_results;
          }
        } else if (!result || *result != *expected.at(i)) {
          ++wrong_results;
        }
      }
    }
    pool.shutdown();  // drains: every chain has finished
    report("thread pool",
           {{"jobs", counts.ran.load()},
            {"requeued", counts.requeued.load()},
            {"panics", counts.panics.load()},
            {"submitted", submitted}},
           clock);
    EXPECT_EQ(pool.panic_count(), counts.panics.load());
  }
  EXPECT_GT(counts.ran.load(), 0u);
  EXPECT_EQ(counts.ran.load(), counts.queued.load()) << "a job was lost or ran twice";
  EXPECT_GT(submitted_panics, 0u);
  EXPECT_EQ(wrong_results, 0u) << "a handle returned another job's outcome";
}

}  // namespace
}  // namespace ferrite::stress
