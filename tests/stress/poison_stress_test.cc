// tests/stress/poison_stress_test.cc — lock poisoning under contention, with
// panics injected while a transfer is half done.
//
// Every operation moves k units from `a` to `b` in two steps, with the k in
// `in_flight` between them; at random the holder panics between the steps
// (a ferrite::panic or another exception), which poisons the lock. Whoever
// takes the lock next sees the poison (through lock(), try_lock(), write()
// or try_write()), finds the half-done transfer, rolls it back and clears the
// poison. Readers of an RwLock see the poison too and never an unbalanced
// ledger. At the end: every panic poisoned the lock once and was repaired
// once, every other operation committed, and no unit was created or lost.
#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

constexpr std::int64_t kTotal = std::int64_t{1} << 40;
constexpr std::uint64_t kPanicOneIn = 16;

struct Ledger {
  std::int64_t a = kTotal;
  std::int64_t b = 0;
  std::int64_t in_flight = 0;  // taken from a, not yet added to b
  std::uint64_t transfers = 0;
  std::uint64_t repairs = 0;
};

// What the threads counted.
struct Counts {
  std::atomic<std::uint64_t> operations{0};
  std::atomic<std::uint64_t> panics{0};
  std::atomic<std::uint64_t> poisoned_acquisitions{0};
  std::atomic<std::uint64_t> reads{0};
  std::atomic<std::uint64_t> poisoned_reads{0};
  std::atomic<bool> unbalanced{false};
};

// The guard of a lock(), poisoned or not; `poisoned` says which.
template <class Result>
auto guard_of(Result result, bool& poisoned) {
  poisoned = !result.has_value();
  return poisoned ? std::move(result.error()).into_inner() : std::move(*result);
}

// The guard of a try_lock()/try_write(), retried until it is not WouldBlock.
template <class TryLock>
auto try_guard_of(TryLock try_lock, bool& poisoned) {
  for (;;) {
    auto result = try_lock();
    if (!result && result.error().is_would_block()) {
      std::this_thread::yield();
      continue;
    }
    return guard_of(std::move(result), poisoned);
  }
}

// One transfer on a locked ledger: repairs a poisoned one first, and panics
// halfway at random. `clear_poison` clears the lock's poison.
template <class ClearPoison>
void transfer(Ledger& ledger, bool poisoned, ClearPoison clear_poison, Random& random,
              Counts& counts) {
  if (ledger.a + ledger.b + ledger.in_flight != kTotal) counts.unbalanced = true;
  if (poisoned) {
    counts.poisoned_acquisitions.fetch_add(1, std::memory_order_relaxed);
    if (ledger.in_flight == 0) counts.unbalanced = true;  // a poisoned lock holds a half transfer
    ledger.a += std::exchange(ledger.in_flight, 0);
    ++ledger.repairs;
    clear_poison();
  } else if (ledger.in_flight != 0) {
    counts.unbalanced = true;  // a half transfer left without poisoning the lock
  }
  const auto k = static_cast<std::int64_t>(1 + random.below(5));
  ledger.a -= k;
  ledger.in_flight = k;
  if (random.one_in(kPanicOneIn)) {
    counts.panics.fetch_add(1, std::memory_order_relaxed);
    if (random.one_in(2)) panic("injected panic in the middle of a transfer");
    throw std::runtime_error("injected exception in the middle of a transfer");
  }
  ledger.b += std::exchange(ledger.in_flight, 0);
  ++ledger.transfers;
}

// Exclusive access to either lock.
auto exclusive(const Mutex<Ledger>& lock) { return lock.lock(); }
auto exclusive(const RwLock<Ledger>& lock) { return lock.write(); }
auto try_exclusive(const Mutex<Ledger>& lock) { return lock.try_lock(); }
auto try_exclusive(const RwLock<Ledger>& lock) { return lock.try_write(); }

// Starts `n` threads that transfer until the clock runs out, acquiring
// through try_lock/try_write one time in four.
template <class Lock>
void start_transfers(std::vector<std::thread>& threads, int n, std::uint64_t seed, const Lock& lock,
                     const Clock& clock, Counts& counts) {
  for (int t = 0; t < n; ++t) {
    // By value what lives only as long as this call.
    threads.emplace_back([&lock, &clock, &counts, seed, t] {
      Random random(seed + static_cast<std::uint64_t>(t));
      // Until the time is up and at least one panic has been injected (a
      // loaded machine may give the scenario few operations).
      while (clock.running() || counts.panics.load() == 0) {
        counts.operations.fetch_add(1, std::memory_order_relaxed);
        try {
          bool poisoned = false;
          auto guard = random.one_in(4)
                           ? try_guard_of([&] { return try_exclusive(lock); }, poisoned)
                           : guard_of(exclusive(lock), poisoned);
          transfer(
              *guard, poisoned, [&] { lock.clear_poison(); }, random, counts);
        } catch (...) {
          // the injected panic, after the guard poisoned the lock
        }
      }
    });
  }
}

// The ledger's last state, repaired if the last operation panicked.
template <class Lock>
Ledger settle(const Lock& lock, Counts& counts) {
  bool poisoned = false;
  auto guard = guard_of(exclusive(lock), poisoned);
  if (poisoned) {
    counts.poisoned_acquisitions.fetch_add(1, std::memory_order_relaxed);
    guard->a += std::exchange(guard->in_flight, 0);
    ++guard->repairs;
    lock.clear_poison();
  }
  return *guard;
}

void check(const char* name, const Ledger& ledger, const Counts& counts, const Clock& clock) {
  report(name,
         {{"operations", counts.operations.load()},
          {"panics", counts.panics.load()},
          {"poisoned_acquisitions", counts.poisoned_acquisitions.load()},
          {"reads", counts.reads.load()},
          {"poisoned_reads", counts.poisoned_reads.load()}},
         clock);
  EXPECT_FALSE(counts.unbalanced.load()) << "a thread saw an unbalanced ledger";
  EXPECT_GT(counts.panics.load(), 0u);
  EXPECT_EQ(ledger.transfers + counts.panics.load(), counts.operations.load());
  EXPECT_EQ(ledger.repairs, counts.panics.load()) << "each panic poisons once, repaired once";
  EXPECT_EQ(counts.poisoned_acquisitions.load(), counts.panics.load());
  EXPECT_EQ(ledger.a + ledger.b, kTotal);
  EXPECT_EQ(ledger.in_flight, 0);
}

// Half the scenario time: `writers` threads transfer, `readers` threads
// (RwLock only) check the ledger through read(); then the invariants.
template <class Lock>
void run_scenario(const char* name, int writers, int readers, std::uint64_t seed) {
  const Lock ledger;
  Counts counts;
  const Clock clock(0.5);
  std::vector<std::thread> threads;
  start_transfers(threads, writers, seed, ledger, clock, counts);
  if constexpr (requires { ledger.read(); }) {
    for (int t = 0; t < readers; ++t) {
      threads.emplace_back([&] {
        while (clock.running()) {
          bool poisoned = false;
          auto guard = guard_of(ledger.read(), poisoned);
          if (guard->a + guard->b + guard->in_flight != kTotal) counts.unbalanced = true;
          counts.reads.fetch_add(1, std::memory_order_relaxed);
          if (poisoned) counts.poisoned_reads.fetch_add(1, std::memory_order_relaxed);
        }
      });
    }
  }
  for (auto& thread : threads) thread.join();
  check(name, settle(ledger, counts), counts, clock);
  EXPECT_FALSE(ledger.is_poisoned());
}

TEST(PoisonStress, MutexPanicsMidTransferArePoisonedAndRepairedOnce) {
  run_scenario<Mutex<Ledger>>("poison Mutex", /*writers=*/4, /*readers=*/0, 1);
}

TEST(PoisonStress, RwLockWritersPanicReadersSeeThePoisonNeverAnUnbalancedLedger) {
  run_scenario<RwLock<Ledger>>("poison RwLock", /*writers=*/2, /*readers=*/2, 11);
}

}  // namespace
}  // namespace ferrite::stress
