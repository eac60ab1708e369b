// tests/stress/arc_stress_test.cc — storms of Arc and arc::Weak count
// changes: round after round, threads clone, drop, downgrade and upgrade
// handles of one value at random, and whichever thread drops the last Arc
// destroys it. Each value is destroyed exactly once, by then every Weak fails
// to upgrade and never resurrects it, and a thread holding an Arc always
// sees a live value and a successful upgrade (the _asan twin also catches a
// use after free or a leaked allocation).
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <latch>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

constexpr int kThreads = 4;
constexpr int kOperationsPerRound = 400;  // per thread
constexpr std::size_t kMaxHeld = 8;       // handles of each kind a thread keeps

std::atomic<std::uint64_t> destroyed{0};

// The shared value: knows its round, and counts its destruction.
struct Tracked {
  explicit Tracked(std::uint64_t r) : round(r) {}
  Tracked(const Tracked&) = delete;
  Tracked& operator=(const Tracked&) = delete;
  ~Tracked() { destroyed.fetch_add(1); }
  std::uint64_t round;
};

struct Counts {
  std::atomic<std::uint64_t> operations{0};
  std::atomic<std::uint64_t> upgrades{0};
  std::atomic<std::uint64_t> failed_upgrades{0};
  std::atomic<bool> broken{false};  // a held Arc saw a wrong value or count, or an upgrade failed
};

// One thread's part of a round: starts with a clone of `origin`, then
// changes counts at random; drops its last Arc at a random point.
void storm(const Arc<Tracked>& origin, std::latch& cloned, std::uint64_t round, Random& random,
           Counts& counts) {
  std::vector<Arc<Tracked>> strong{origin};  // copying from a shared handle is allowed
  std::vector<arc::Weak<Tracked>> weak{origin.downgrade()};
  cloned.count_down();
  const int give_up_at = static_cast<int>(random.below(kOperationsPerRound));
  for (int i = 0; i < kOperationsPerRound; ++i) {
    if (i == give_up_at) strong.clear();  // perhaps the last one anywhere
    const bool holding = !strong.empty();
    if (holding && (strong.front()->round != round || strong.front().strong_count() == 0)) {
      counts.broken = true;
    }
    switch (random.below(5)) {
      case 0:
        if (holding && strong.size() < kMaxHeld)
          strong.push_back(strong.at(random.below(strong.size())));
        break;
      case 1:
        if (strong.size() > 1)
          strong.erase(strong.begin() + static_cast<std::ptrdiff_t>(random.below(strong.size())));
        break;
      case 2:
        if (holding && weak.size() < kMaxHeld) weak.push_back(strong.back().downgrade());
        break;
      case 3: {
        std::optional<Arc<Tracked>> upgraded = weak.at(random.below(weak.size())).upgrade();
        if (upgraded) {
          counts.upgrades.fetch_add(1, std::memory_order_relaxed);
          if ((*upgraded)->round != round) counts.broken = true;
          if (holding && strong.size() < kMaxHeld) strong.push_back(std::move(*upgraded));
        } else {
          counts.failed_upgrades.fetch_add(1, std::memory_order_relaxed);
          if (holding) counts.broken = true;  // an Arc is alive right here
        }
        break;
      }
      default:
        if (weak.size() > 1) weak.pop_back();
        break;
    }
  }
  counts.operations.fetch_add(kOperationsPerRound, std::memory_order_relaxed);
}

TEST(ArcStress, CountStormsDestroyEachValueExactlyOnce) {
  Counts counts;
  std::uint64_t rounds = 0;
  bool resurrected = false;
  const std::uint64_t destroyed_before = destroyed.load();
  const Clock clock;
  while (clock.running() || rounds == 0) {
    arc::Weak<Tracked> watcher;
    {
      std::optional<Arc<Tracked>> origin = make_arc<Tracked>(rounds);
      watcher = origin->downgrade();
      std::latch cloned(kThreads);
      std::vector<std::thread> threads;
      for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
          Random random(rounds * kThreads + static_cast<std::uint64_t>(t));
          storm(*origin, cloned, rounds, random, counts);
        });
      }
      cloned.wait();
      origin.reset();  // from now on only the threads hold Arcs
      for (auto& thread : threads) thread.join();
    }
    ++rounds;
    if (watcher.upgrade().has_value() || watcher.strong_count() != 0) resurrected = true;
    if (destroyed.load() != destroyed_before + rounds) break;  // reported below
  }
  report("arc",
         {{"operations", counts.operations.load()},
          {"rounds", rounds},
          {"upgrades", counts.upgrades.load()},
          {"failed_upgrades", counts.failed_upgrades.load()}},
         clock);
  EXPECT_GT(rounds, 0u);
  EXPECT_EQ(destroyed.load() - destroyed_before, rounds) << "a value destroyed twice or never";
  EXPECT_FALSE(resurrected) << "a Weak upgraded after the last Arc was gone";
  EXPECT_FALSE(counts.broken.load()) << "a thread holding an Arc saw a dead value";
}

}  // namespace
}  // namespace ferrite::stress
