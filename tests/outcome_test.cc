// tests/outcome_test.cc — no outcome is lost on its way back from a thread.
// A result's move constructor is user code and may throw; wherever in the
// hand-over it throws (on the worker while the result is stored or boxed, or
// on the joining side while it is moved out), join() returns that exception
// as the thread's panic, and ThreadPool::panic_count() counts a panic that
// happened on a worker exactly once. Through thread::spawn, Scope::spawn and
// ThreadPool::submit.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>

#include "ferrite/panic.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"

namespace {

// Counts moves of every Fragile across threads; the move that brings the
// count to `throw_at` throws "move <n> threw".
std::atomic<int> moves{0};
std::atomic<int> throw_at{0};

struct Fragile {
  int value = 0;
  explicit Fragile(int v) : value(v) {}
  Fragile(const Fragile&) = delete;
  Fragile& operator=(const Fragile&) = delete;
  Fragile& operator=(Fragile&&) = delete;
  Fragile(Fragile&& other) : value(other.value) {  // NOLINT: may throw, on purpose
    const int n = moves.fetch_add(1) + 1;
    if (n == throw_at.load()) throw std::runtime_error("move " + std::to_string(n) + " threw");
  }
  ~Fragile() = default;
};

void arm(int n) {
  moves = 0;
  throw_at = n;
}

// The outcome of one join: the value, or the panic's message.
template <class Result>
std::string outcome(Result result) {
  if (result) return "value " + std::to_string(result->value);
  return "panic: " + std::string(result.error().message());
}

// How many moves a result makes on its way out when none throws; every
// position up to that one is then made to throw in turn.
template <class Run>
int moves_when_none_throws(Run run) {
  arm(0);
  EXPECT_EQ(run(), "value 7");
  return moves.load();
}

// Makes each move of the result throw in turn, and expects that move's
// exception back from join() as the panic.
template <class Run>
void expect_every_move_comes_back(Run run) {
  const int total = moves_when_none_throws(run);
  ASSERT_GE(total, 1);
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE(n);
    arm(n);
    EXPECT_EQ(run(), "panic: move " + std::to_string(n) + " threw");
  }
}

TEST(NoLostOutcome, ThreadSpawn) {
  expect_every_move_comes_back(
      [] { return outcome(ferrite::thread::spawn([] { return Fragile(7); }).join()); });
}

TEST(NoLostOutcome, ScopedSpawn) {
  expect_every_move_comes_back([] {
    std::string seen;
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      seen = outcome(s.spawn([] { return Fragile(7); }).join());
    });
    return seen;
  });
}

// Each run on a pool of its own, shut down before its panic count is read
// (the worker counts a panic after the job has sent its outcome).
struct PoolRun {
  std::string seen;
  std::size_t panic_count = 0;
};

PoolRun run_on_pool() {
  ferrite::ThreadPool pool(1);
  PoolRun run;
  run.seen = outcome(pool.submit([] { return Fragile(7); }).join());
  pool.shutdown();
  run.panic_count = pool.panic_count();
  return run;
}

TEST(NoLostOutcome, PoolSubmit) {
  const int total = moves_when_none_throws([] {
    const PoolRun run = run_on_pool();
    EXPECT_EQ(run.panic_count, 0u);
    return run.seen;
  });
  ASSERT_GE(total, 3);  // stored on the worker, boxed for the channel, moved out
  for (int n = 1; n <= total; ++n) {
    SCOPED_TRACE(n);
    arm(n);
    const PoolRun run = run_on_pool();
    EXPECT_EQ(run.seen, "panic: move " + std::to_string(n) + " threw");
    // A move on the worker (every one but the last, made by join()) is a
    // panic of the job, counted once; the joining side's is join()'s alone.
    EXPECT_EQ(run.panic_count, n < total ? 1u : 0u);
  }
}

// The job's own panic still comes back unchanged.
TEST(NoLostOutcome, PoolJobPanicUnchanged) {
  ferrite::ThreadPool pool(1);
  arm(0);
  auto handle = pool.submit([]() -> Fragile { ferrite::panic("the job failed"); });
  EXPECT_EQ(outcome(handle.join()), "panic: the job failed");
  pool.shutdown();
  EXPECT_EQ(pool.panic_count(), 1u);
}

}  // namespace
