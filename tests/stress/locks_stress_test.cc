// tests/stress/locks_stress_test.cc — many threads, many operations, and an
// invariant checked on every step, for Mutex, RwLock, Condvar, Once/OnceLock
// and Barrier. Counts are scaled down under ThreadSanitizer (which makes
// every atomic operation ~10x slower) but keep the same shape.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <thread>
#include <vector>

#include "ferrite/barrier.h"
#include "ferrite/condvar.h"
#include "ferrite/mutex.h"
#include "ferrite/once.h"
#include "ferrite/rwlock.h"
#include "gtest/gtest.h"
#include "tests/support/sanitizer_scale.h"
#include "tests/support/test_types.h"


namespace ferrite {
namespace {

// Counts are divided by kScale under ThreadSanitizer.
constexpr int kScale = ::ferrite::testing::kThreadSanitizer ? 20 : 1;

constexpr int kThreads = 8;

// Two accounts whose total must stay constant; every increment moves one
// unit between them and counts the transfer.
struct Accounts {
  std::int64_t a = 1'000'000;
  std::int64_t b = 0;
  std::int64_t transfers = 0;
};

TEST(LocksStressTest, MutexIncrementsKeepTheInvariant) {
  constexpr int kIters = 500'000 / kScale;
  const Mutex<Accounts> ledger;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kIters; ++i) {
        if ((i + t) % 7 == 0) {
          // Some acquisitions through try_lock, retried until they succeed.
          for (;;) {
            auto attempt = ledger.try_lock();
            if (!attempt) {
              ASSERT_TRUE(attempt.error().is_would_block());
              continue;
            }
            ASSERT_EQ((*attempt)->a + (*attempt)->b, 1'000'000);
            --(*attempt)->a;
            ++(*attempt)->b;
            ++(*attempt)->transfers;
            break;
          }
        } else {
          auto guard = ledger.lock();
          ASSERT_TRUE(guard.has_value());
          ASSERT_EQ((*guard)->a + (*guard)->b, 1'000'000);
          --(*guard)->a;
          ++(*guard)->b;
          ++(*guard)->transfers;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto guard = ledger.lock();
  EXPECT_EQ((*guard)->transfers, std::int64_t{kThreads} * kIters);
  EXPECT_EQ((*guard)->b, std::int64_t{kThreads} * kIters);
  EXPECT_FALSE(ledger.is_poisoned());
}

TEST(LocksStressTest, RwLockReadersSeeConsistentSnapshots) {
  constexpr int kWriterIters = 20'000 / kScale;
  constexpr int kReaderIters = 100'000 / kScale;
  const RwLock<Accounts> ledger;
  std::atomic<std::int64_t> reads{0};
  std::vector<std::thread> threads;
  for (int w = 0; w < 2; ++w) {
    threads.emplace_back([&] {
      for (int i = 0; i < kWriterIters; ++i) {
        using WriteResult = TryLockResult<RwLockWriteGuard<Accounts>>;
        auto guard = (i % 5 == 0) ? ledger.try_write()
                                  : WriteResult(std::in_place, std::move(*ledger.write()));
        if (!guard) {
          ASSERT_TRUE(guard.error().is_would_block());
          --i;
          continue;
        }
        (*guard)->a -= 3;
        (*guard)->b += 3;
        ++(*guard)->transfers;
      }
    });
  }
  for (int r = 0; r < kThreads - 2; ++r) {
    threads.emplace_back([&] {
      for (int i = 0; i < kReaderIters; ++i) {
        auto guard = ledger.read();
        ASSERT_TRUE(guard.has_value());
        ASSERT_EQ((*guard)->a + (*guard)->b, 1'000'000);
        ASSERT_EQ((*guard)->b, 3 * (*guard)->transfers);
        reads.fetch_add(1, std::memory_order_relaxed);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  auto settled = ledger.read();
  EXPECT_EQ((*settled)->transfers, 2 * kWriterIters);
  EXPECT_EQ(reads.load(), std::int64_t{kThreads - 2} * kReaderIters);
}

TEST(LocksStressTest, CondvarQueueLosesNothing) {
  // A bounded queue on Mutex + two Condvars: producers push distinct values,
  // consumers pop until every producer is done; sums and counts must match.
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  constexpr int kPerProducer = 50'000 / kScale;
  constexpr std::size_t kCapacity = 16;
  struct Queue {
    std::deque<std::int64_t> items;
    int producers_left = kProducers;
  };
  const Mutex<Queue> queue;
  const Condvar not_empty;
  const Condvar not_full;
  std::atomic<std::int64_t> consumed_sum{0};
  std::atomic<std::int64_t> consumed_count{0};
  std::vector<std::thread> threads;
  for (int p = 0; p < kProducers; ++p) {
    threads.emplace_back([&, p] {
      for (int i = 0; i < kPerProducer; ++i) {
        auto guard = not_full.wait_while(*queue.lock(),
                                         [](Queue& q) { return q.items.size() >= kCapacity; });
        ASSERT_TRUE(guard.has_value());
        (*guard)->items.push_back(std::int64_t{p} * kPerProducer + i);
        not_empty.notify_one();
      }
      auto guard = queue.lock();
      if (--(*guard)->producers_left == 0) not_empty.notify_all();
    });
  }
  for (int c = 0; c < kConsumers; ++c) {
    threads.emplace_back([&] {
      for (;;) {
        auto guard = not_empty.wait_while(*queue.lock(), [](Queue& q) {
          return q.items.empty() && q.producers_left > 0;
        });
        ASSERT_TRUE(guard.has_value());
        if ((*guard)->items.empty()) return;  // all producers done, queue drained
        consumed_sum.fetch_add((*guard)->items.front(), std::memory_order_relaxed);
        consumed_count.fetch_add(1, std::memory_order_relaxed);
        (*guard)->items.pop_front();
        not_full.notify_one();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  const std::int64_t n = std::int64_t{kProducers} * kPerProducer;
  EXPECT_EQ(consumed_count.load(), n);
  EXPECT_EQ(consumed_sum.load(), n * (n - 1) / 2);
}

TEST(LocksStressTest, OnceLockStampedesInitializeOnce) {
  constexpr int kRounds = 400 / kScale;
  ferrite::testing::NoLeaks no_leaks;
  for (int round = 0; round < kRounds; ++round) {
    const OnceLock<ferrite::testing::Counted> cell;
    const Once once;
    std::atomic<int> inits{0};
    std::atomic<int> once_runs{0};
    const Barrier start(4);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        start.wait();
        const auto& value = cell.get_or_init([&] {
          inits.fetch_add(1);
          return ferrite::testing::Counted(round);
        });
        EXPECT_EQ(value.value(), round);
        once.call_once([&] { once_runs.fetch_add(1); });
        if (t == 0) (void)cell.set(ferrite::testing::Counted(-1));
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(inits.load(), 1);
    EXPECT_EQ(once_runs.load(), 1);
  }
}

TEST(LocksStressTest, BarrierGenerationsStayInStep) {
  constexpr int kGenerations = 5'000 / kScale;
  constexpr std::size_t kParties = 4;
  const Barrier barrier(kParties);
  std::atomic<int> arrived{0};
  std::atomic<int> leaders{0};
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < kParties; ++t) {
    threads.emplace_back([&] {
      for (int g = 0; g < kGenerations; ++g) {
        arrived.fetch_add(1);
        const bool leader = barrier.wait().is_leader();
        // Everyone of this generation has arrived; nobody of the next yet
        // (they are all still here, before the second wait).
        EXPECT_EQ(arrived.load(), static_cast<int>(kParties) * (g + 1));
        if (leader) leaders.fetch_add(1);
        (void)barrier.wait();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(leaders.load(), kGenerations);
}

}  // namespace
}  // namespace ferrite
