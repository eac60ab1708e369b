// tests/stress/timer_stress_test.cc — timer channels and timed operations
// under load: many threads at once wait on channel::after, channel::tick,
// Selects over timers, and recv_timeout / select_timeout on channels that
// never deliver. Nothing fires early: a timer's Instant is never before its
// deadline nor after the moment it was received, a tick is never sooner
// than one period after the previous one, and a timed wait never returns
// before its time. Lateness is measured and must stay bounded (generously:
// the threads outnumber the cores, and the sanitizers slow everything).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <thread>
#include <vector>

#include "ferrite/channel.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

using Instant = std::chrono::steady_clock::time_point;
using std::chrono::microseconds;

constexpr int kThreads = 6;
// Past this, a timer counts as lost rather than late.
constexpr std::chrono::seconds kLatenessBound(2);

struct Counts {
  std::atomic<std::uint64_t> waits{0};
  std::atomic<std::uint64_t> early{0};
  std::atomic<std::uint64_t> failed{0};  // a timer that never delivered, or an error
  std::atomic<std::int64_t> max_lateness_us{0};
  std::atomic<std::int64_t> total_lateness_us{0};

  // A wait for `deadline` that returned at `woke`, delivering `delivered`.
  void record(Instant deadline, Instant delivered, Instant woke) {
    waits.fetch_add(1, std::memory_order_relaxed);
    if (delivered < deadline || woke < deadline || delivered > woke) {
      early.fetch_add(1, std::memory_order_relaxed);
    }
    const auto late =
        std::chrono::duration_cast<std::chrono::microseconds>(woke - deadline).count();
    total_lateness_us.fetch_add(late, std::memory_order_relaxed);
    std::int64_t seen = max_lateness_us.load(std::memory_order_relaxed);
    while (late > seen && !max_lateness_us.compare_exchange_weak(seen, late)) {
    }
  }
};

// Records a timer's delivery `at`, received at `woke`, for `deadline`;
// false (a failure) if it delivered nothing.
template <class Result>
bool record_delivery(Counts& counts, Instant deadline, const Result& at, Instant woke) {
  if (!at) {
    counts.failed.fetch_add(1);
    return false;
  }
  counts.record(deadline, *at, woke);
  return true;
}

// One timed wait of a random kind, for a random duration under 2 ms.
void wait_once(Random& random, Counts& counts) {
  const microseconds d(random.below(2000));
  const Instant start = std::chrono::steady_clock::now();
  const Instant deadline = start + d;
  switch (random.below(5)) {
    case 0: {  // after()
      const auto timer = channel::after(d);
      auto at = timer.recv();
      record_delivery(counts, deadline, at, std::chrono::steady_clock::now());
      break;
    }
    case 1: {  // tick(): three ticks, each at least a period after the last
      const microseconds period = d + microseconds(100);
      const auto ticker = channel::tick(period);
      Instant due = start + period;
      for (int i = 0; i < 3; ++i) {
        auto at = ticker.recv();
        if (!record_delivery(counts, due, at, std::chrono::steady_clock::now())) return;
        due = *at + period;  // a slow receiver misses ticks: the next is due a period on
      }
      break;
    }
    case 2: {  // a Select of a timer against a channel that never delivers
      const auto timer = channel::after(d);
      const auto silent = channel::never<int>();
      channel::Select sel;
      sel.recv(silent);
      const std::size_t timer_index = sel.recv(timer);
      auto op = sel.select();
      const Instant woke = std::chrono::steady_clock::now();
      if (op.index() != timer_index) {
        counts.failed.fetch_add(1);
        (void)op.recv(silent);
        return;
      }
      record_delivery(counts, deadline, op.recv(timer), woke);
      break;
    }
    case 3: {  // recv_timeout on an empty, connected channel
      const auto [tx, rx] = channel::unbounded<int>();
      auto r = rx.recv_timeout(d);
      const Instant woke = std::chrono::steady_clock::now();
      if (r || r.error() != channel::RecvTimeoutError::Timeout) {
        counts.failed.fetch_add(1);
        return;
      }
      counts.record(deadline, woke, woke);
      break;
    }
    default: {  // select_timeout with nothing ready
      const auto [tx, rx] = channel::bounded<int>(0);
      channel::Select sel;
      sel.recv(rx);
      auto op = sel.select_timeout(d);
      const Instant woke = std::chrono::steady_clock::now();
      if (op) {
        counts.failed.fetch_add(1);
        (void)op->recv(rx);
        return;
      }
      counts.record(deadline, woke, woke);
      break;
    }
  }
}

TEST(TimerStress, TimersNeverFireEarlyAndAreLateByABoundedTime) {
  Counts counts;
  const Clock clock;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      Random random(static_cast<std::uint64_t>(t) + 1);
      do {
        wait_once(random, counts);
      } while (clock.running());
    });
  }
  for (auto& thread : threads) thread.join();
  const std::uint64_t waits = counts.waits.load();
  report("timers",
         {{"waits", waits},
          {"early", counts.early.load()},
          {"max_lateness_us", static_cast<std::uint64_t>(counts.max_lateness_us.load())},
          {"mean_lateness_us",
           waits == 0 ? 0 : static_cast<std::uint64_t>(counts.total_lateness_us.load()) / waits}},
         clock);
  EXPECT_GT(waits, 0u);
  EXPECT_EQ(counts.early.load(), 0u) << "a timer fired, or a timed wait returned, early";
  EXPECT_EQ(counts.failed.load(), 0u);
  EXPECT_LT(counts.max_lateness_us.load(),
            std::chrono::duration_cast<std::chrono::microseconds>(kLatenessBound).count());
}

}  // namespace
}  // namespace ferrite::stress
