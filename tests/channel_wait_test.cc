// tests/channel_wait_test.cc — a thread blocked in a channel operation parks:
// over a wait of a few hundred milliseconds it uses a small fraction of that
// time as CPU time, on every flavor, for recv, for send on a full channel,
// and in Select::select; both with the CPUs the test was given and with the
// waiting thread and its partner pinned to one CPU. And the question the
// waits ask first, spinning_can_help(), answers "no" on one CPU. And the
// Pacer's schedule: on one CPU, senders far ahead of their receivers yield
// once per block, and yields that run nobody pause it for longer each time.
//
// Speed is for the benchmarks (docs/BENCHMARKS.md); this only checks that
// no wait spins or yields where only parking can make progress.
#include <pthread.h>
#include <sched.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/channel/wait.h"
#include "ferrite/channel_select.h"
#include "ferrite/mpsc.h"
#include "ferrite/unsafe.h"
#include "tests/support/thread_state.h"

namespace {

using namespace std::chrono_literals;
using ferrite::channel::bounded;
using ferrite::channel::Select;
using ferrite::channel::unbounded;
using ferrite::testing::thread_cpu_seconds;

constexpr auto kBlockedFor = 300ms;
// A parked thread uses microseconds; spinning or yielding for the whole wait
// would use most of it. The bound leaves room for sanitizers and a busy host.
constexpr double kMaxCpuFraction = 0.15;

// Restricts the calling thread (and the threads it starts) to one CPU: the
// first one it may use now.
void pin_to_one_cpu() {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  bool found = false;
  // SAFETY(test-pin-cpu): CPU_ISSET/CPU_SET index the set's word array with
  // cpu / bits-per-word, and cpu < CPU_SETSIZE, the set's size in bits.
  FERRITE_UNSAFE_BEGIN
  for (int cpu = 0; cpu < CPU_SETSIZE && !found; ++cpu) {
    if (CPU_ISSET(cpu, &allowed)) {
      CPU_SET(cpu, &one);
      found = true;
    }
  }
  FERRITE_UNSAFE_END
  ASSERT_TRUE(found);
  ASSERT_EQ(sched_setaffinity(0, sizeof(one), &one), 0);
}

struct Measured {
  double wall_seconds = 0;
  double cpu_seconds = 0;
};

// Runs `block` (an operation that blocks until `release` runs) on a thread
// of its own, calls `release` after kBlockedFor, and returns how long the
// blocked thread waited and how much CPU time it used meanwhile. With
// `pinned`, both threads share one CPU.
Measured measure_blocked(bool pinned, const std::function<void()>& block,
                         const std::function<void()>& release) {
  Measured measured;
  std::atomic<bool> started{false};
  std::thread driver([&] {
    if (pinned) pin_to_one_cpu();
    std::thread blocked([&] {
      started = true;
      const auto start = std::chrono::steady_clock::now();
      const double cpu_start = thread_cpu_seconds();
      block();
      measured.cpu_seconds = thread_cpu_seconds() - cpu_start;
      measured.wall_seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    });
    // The measured wait: it starts once the thread runs (polled, so a slow
    // thread start on a busy machine cannot make the operation not block).
    while (!started) std::this_thread::yield();
    std::this_thread::sleep_for(kBlockedFor);
    release();
    blocked.join();
  });
  driver.join();
  return measured;
}

void expect_parked(const Measured& m) {
  EXPECT_GE(m.wall_seconds, 0.2) << "the operation did not block";
  EXPECT_LT(m.cpu_seconds, kMaxCpuFraction * m.wall_seconds)
      << "blocked for " << m.wall_seconds << " s but used " << m.cpu_seconds << " s of CPU";
}

// The flavors by capacity: 0 is the rendezvous channel, nullopt unbounded.
constexpr std::optional<std::size_t> kFlavors[] = {0, 1, 16, std::nullopt};

std::string name(std::optional<std::size_t> capacity) {
  return capacity ? "bounded(" + std::to_string(*capacity) + ")" : "unbounded";
}

class BlockedOperation : public ::testing::TestWithParam<bool> {
 protected:
  bool pinned() const { return GetParam(); }
};

INSTANTIATE_TEST_SUITE_P(Cpus, BlockedOperation, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "OneCpu" : "Unpinned"; });

TEST_P(BlockedOperation, RecvOnAnEmptyChannelParks) {
  for (const auto capacity : kFlavors) {
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = capacity ? bounded<int>(*capacity) : unbounded<int>();
    const Measured m = measure_blocked(
        pinned(), [&, &rx = rx] { EXPECT_EQ(*rx.recv(), 1); },
        [&, &tx = tx] { EXPECT_TRUE(tx.send(1)); });
    expect_parked(m);
  }
}

TEST_P(BlockedOperation, RecvWithADeadlineParks) {
  auto [tx, rx] = bounded<int>(1);
  const Measured m = measure_blocked(
      pinned(), [&, &rx = rx] { EXPECT_EQ(*rx.recv_timeout(60s), 2); },
      [&, &tx = tx] { EXPECT_TRUE(tx.send(2)); });
  expect_parked(m);
}

TEST_P(BlockedOperation, SendOnAFullChannelParks) {
  for (const std::size_t capacity : {std::size_t{0}, std::size_t{1}, std::size_t{16}}) {
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = bounded<int>(capacity);
    for (std::size_t i = 0; i < capacity; ++i) ASSERT_TRUE(tx.try_send(0));
    const Measured m = measure_blocked(
        pinned(), [&, &tx = tx] { EXPECT_TRUE(tx.send(3)); },
        [&, &rx = rx] { EXPECT_TRUE(rx.recv()); });
    expect_parked(m);
  }
}

TEST_P(BlockedOperation, SelectParks) {
  auto [tx1, rx1] = bounded<int>(0);
  auto [tx2, rx2] = unbounded<int>();
  const Measured m = measure_blocked(
      pinned(),
      [&, &rx1 = rx1, &rx2 = rx2] {
        Select sel;
        sel.recv(rx1);
        const std::size_t second = sel.recv(rx2);
        auto op = sel.select();
        EXPECT_EQ(op.index(), second);
        EXPECT_EQ(*op.recv(rx2), 4);
      },
      [&, &tx2 = tx2] { EXPECT_TRUE(tx2.send(4)); });
  expect_parked(m);
}

TEST_P(BlockedOperation, MpscRecvParks) {
  auto [tx, rx] = ferrite::mpsc::channel<int>();
  const Measured m = measure_blocked(
      pinned(), [&, &rx = rx] { EXPECT_EQ(*rx.recv(), 5); },
      [&, &tx = tx] { EXPECT_TRUE(tx.send(5)); });
  expect_parked(m);
}

TEST(SpinningCanHelp, NotOnOneCpu) {
  bool answer = true;
  std::thread pinned([&] {
    pin_to_one_cpu();
    answer = ferrite::detail::spinning_can_help();
  });
  pinned.join();
  EXPECT_FALSE(answer);
}

TEST(SpinningCanHelp, FollowsTheAffinity) {
  cpu_set_t allowed;
  CPU_ZERO(&allowed);
  ASSERT_EQ(sched_getaffinity(0, sizeof(allowed), &allowed), 0);
  if (CPU_COUNT(&allowed) < 2) GTEST_SKIP() << "this process may use one CPU only";
  // A new thread asks afresh; a thread later pinned notices within the
  // refresh interval (a few thousand questions).
  std::thread moved([&] {
    const bool before = ferrite::detail::spinning_can_help();
    pin_to_one_cpu();
    bool after = before;
    for (int i = 0; i < 10000 && after; ++i) after = ferrite::detail::spinning_can_help();
    EXPECT_FALSE(after);
  });
  moved.join();
}

// How many times `poll` says to wait again before it says to block.
int waits_before_blocking(ferrite::detail::PollWait poll) {
  int waits = 0;
  while (poll.wait()) {
    ++waits;
    if (waits == 1000) break;  // never gives up: the caller's check fails
  }
  return waits;
}

// A waiter that others of its side wait ahead of parks at once where
// spinning cannot help (it would only yield to them); a lone waiter yields
// first. On several CPUs both spin alike.
TEST(PollWaitOthersWaitToo, OnOneCpuParksWithoutYielding) {
  int lone = -1;
  int behind_others = -1;
  std::thread pinned([&] {
    pin_to_one_cpu();
    lone = waits_before_blocking(ferrite::detail::PollWait::for_completion());
    ferrite::detail::PollWait poll = ferrite::detail::PollWait::for_completion();
    poll.others_wait_too();
    behind_others = waits_before_blocking(poll);
  });
  pinned.join();
  EXPECT_GT(lone, 0);
  EXPECT_LT(lone, 1000);
  EXPECT_EQ(behind_others, 0);
}

TEST(PollWaitOthersWaitToo, OnSeveralCpusSpinsAsALoneWaiter) {
  if (!ferrite::detail::spinning_can_help()) GTEST_SKIP() << "this process may use one CPU only";
  ferrite::detail::PollWait poll = ferrite::detail::PollWait::for_completion();
  poll.others_wait_too();
  const int behind_others = waits_before_blocking(poll);
  EXPECT_GE(behind_others, 32);  // the spin's polls, and the yields if none ran another thread
  EXPECT_LT(behind_others, 1000);
}

// The Pacer (channel/wait.h): a stand-in for its yield that counts the calls
// and says whether "another thread ran" as the test sets it.
std::atomic<bool> others_ran{true};
std::atomic<int> yields{0};
bool counting_yield() noexcept {
  ++yields;
  return others_ran.load();
}

// Calls `pacer.block_filled(backlog)` `calls` times with counting_yield;
// returns the indices of the calls that yielded.
std::vector<int> yields_at(ferrite::detail::Pacer& pacer, std::size_t backlog, int calls) {
  std::vector<int> at;
  for (int i = 0; i < calls; ++i) {
    const int before = yields.load();
    pacer.block_filled([backlog] { return backlog; }, counting_yield);
    if (yields.load() != before) at.push_back(i);
  }
  return at;
}

using ferrite::detail::Pacer;

TEST(Pacer, OnOneCpuYieldsOncePerBlockFromFarAhead) {
  std::thread pinned([] {
    pin_to_one_cpu();
    Pacer pacer;
    others_ran = true;
    EXPECT_TRUE(yields_at(pacer, Pacer::kFarAheadBlocks - 1, 100).empty());
    EXPECT_TRUE(yields_at(pacer, 0, 100).empty());
    EXPECT_EQ(yields_at(pacer, Pacer::kFarAheadBlocks, 100).size(), 100u);
    EXPECT_EQ(yields_at(pacer, 100 * Pacer::kFarAheadBlocks, 100).size(), 100u);
  });
  pinned.join();
}

// Yields that ran nobody pause the pacing for 64, 128, ... 4096 blocks; one
// that ran another thread resumes it at once, and the pauses start over.
TEST(Pacer, YieldsThatRunNobodyPauseItLongerEachTime) {
  std::thread pinned([] {
    pin_to_one_cpu();
    Pacer pacer;
    others_ran = false;
    EXPECT_EQ(yields_at(pacer, Pacer::kFarAheadBlocks, 13000),
              (std::vector<int>{0, 65, 194, 451, 964, 1989, 4038, 8135, 12232}));
    // The pause in progress (4096 blocks from call 12232) runs out; the
    // yield after it runs another thread, and so does every next one.
    others_ran = true;
    const std::vector<int> resumed = yields_at(pacer, Pacer::kFarAheadBlocks, 4000);
    ASSERT_FALSE(resumed.empty());
    // 767 calls of the pause passed above (12233 to 12999): 3329 remain.
    EXPECT_EQ(resumed.front(), 3329);
    EXPECT_EQ(resumed.size(), 4000u - 3329u);
    // Nobody to run again: the pauses start from 64 blocks.
    others_ran = false;
    EXPECT_EQ(yields_at(pacer, Pacer::kFarAheadBlocks, 200), (std::vector<int>{0, 65, 194}));
  });
  pinned.join();
}

TEST(Pacer, OnSeveralCpusNeverYields) {
  if (!ferrite::detail::spinning_can_help()) GTEST_SKIP() << "this process may use one CPU only";
  Pacer pacer;
  others_ran = true;
  EXPECT_TRUE(yields_at(pacer, 1000 * Pacer::kFarAheadBlocks, 100).empty());
}

// On one CPU, senders far ahead of the receiver (the pacing's case) still
// deliver every message once, each sender's in its order.
TEST(Pacer, PacedUnboundedChannelDeliversEverythingInOrder) {
  constexpr int kSenders = 4;
  constexpr int kEach = 50'000;
  std::thread pinned([] {
    pin_to_one_cpu();
    auto [tx, rx] = unbounded<std::pair<int, int>>();
    std::vector<std::thread> senders;
    for (int s = 0; s < kSenders; ++s) {
      senders.emplace_back([s, tx = tx] {
        for (int i = 0; i < kEach; ++i) ASSERT_TRUE(tx.send({s, i}));
      });
    }
    { auto gone = std::move(tx); }
    std::vector<int> next(kSenders, 0);
    int received = 0;
    while (auto m = rx.recv()) {
      auto [s, i] = *m;
      ASSERT_EQ(i, next.at(static_cast<std::size_t>(s)));
      ++next.at(static_cast<std::size_t>(s));
      ++received;
    }
    EXPECT_EQ(received, kSenders * kEach);
    for (auto& t : senders) t.join();
  });
  pinned.join();
}

}  // namespace
