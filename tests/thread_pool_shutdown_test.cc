// Tests for ferrite/thread_pool.h's shutdown: with a full queue, from
// another thread while the pool's own jobs still queue (and submit, and fan
// out), from a job, and after it.
//
// Jobs queue on their own pool by borrowing it (`[&pool]`), and count into
// locals declared before the pool: a local ThreadPool runs every job before
// its destructor returns, so both outlive the jobs (the ferrite-clang plugin
// checks exactly that). The thread that shuts the pool down while its jobs
// still queue borrows it inside thread::scope.
#include <atomic>
#include <string>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;
using ::testing::HasSubstr;

// --- shutdown -------------------------------------------------------------------------

// The jobs wait_until_shutdown_begins got accepted: how many, and a message
// from each one that has run.
struct LateJobs {
  int accepted = 0;
  channel::Receiver<int> ran;

  // How many of them have run so far.
  int run_count() const {
    int n = 0;
    while (ran.try_recv().has_value()) ++n;
    return n;
  }
};

// Spins (not sleeps) until shutdown() has begun on another thread: an
// execute() from outside the pool panics from then on. Each execute that was
// still accepted queues a job that reports to the result's receiver.
LateJobs wait_until_shutdown_begins(const ThreadPool& pool) {
  auto [ran_tx, ran_rx] = channel::unbounded<int>();
  int accepted = 0;
  while (true) {
    try {
      pool.execute([tx = ran_tx] { static_cast<void>(tx.send(1)); });
      ++accepted;
      thread::yield_now();
    } catch (const Panic& p) {
      EXPECT_THAT(p.what(), HasSubstr("ThreadPool::execute: the pool is shut down"));
      return LateJobs{accepted, std::move(ran_rx)};
    }
  }
}

// Blocks pool's only worker on a gate, queues `queued` jobs behind it, then
// shuts the pool down on another thread. Once shutdown has begun (execute
// from outside panics) and before the gate opens, `while_shut` runs. Returns how many
// queued jobs ran.
template <class F>
int shutdown_with_full_queue(int queued, F while_shut) {
  std::atomic<int> ran{0};
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel::bounded<int>(0);
  pool.execute([gate_rx] { static_cast<void>(gate_rx.recv()); });
  for (int i = 0; i < queued; ++i) pool.execute([&ran] { ran += 1; });
  thread::scope([&](thread::Scope& s) {
    auto closer = s.spawn([&pool] { pool.shutdown(); });
    // Jobs accepted after shutdown began must run too.
    const LateJobs late = wait_until_shutdown_begins(pool);
    EXPECT_EQ(ran.load(), 0);  // the only worker is still blocked on the gate
    EXPECT_EQ(late.run_count(), 0);
    while_shut(pool);
    EXPECT_TRUE(gate_tx.send(1).has_value());
    EXPECT_TRUE(closer.join().has_value());
    EXPECT_EQ(late.run_count(), late.accepted);
  });
  EXPECT_EQ(pool.panic_count(), 0u);
  return ran.load();
}

TEST(ThreadPoolTest, ShutdownRunsEveryQueuedJob) {
  EXPECT_EQ(shutdown_with_full_queue(100, [](const ThreadPool&) {}), 100);
}

TEST(ThreadPoolTest, ExecuteAndSubmitAfterShutdownPanic) {
  ThreadPool pool(2);
  pool.shutdown();
  pool.shutdown();  // idempotent
  EXPECT_THAT(panic_message([&] { pool.execute([] {}); }),
              HasSubstr("ThreadPool::execute: the pool is shut down"));
  EXPECT_THAT(panic_message([&] { static_cast<void>(pool.submit([] { return 1; })); }),
              HasSubstr("ThreadPool::submit: the pool is shut down"));
  EXPECT_EQ(pool.panic_count(), 0u);  // the caller panicked, not a job
}

TEST(ThreadPoolTest, QueuedJobMayQueueDuringShutdown) {
  // A job that was still queued when shutdown began runs during the drain,
  // and what it submits then runs too.
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel::bounded<int>(0);
  auto [inner_tx, inner_rx] = channel::unbounded<TaskHandle<int>>();
  pool.execute([gate_rx] { static_cast<void>(gate_rx.recv()); });
  pool.execute([&pool, inner_tx] {
    auto inner = pool.submit([] { return 21 * 2; });
    // The pool's only worker runs this job, so the inner job is still queued.
    EXPECT_FALSE(inner.is_finished());
    static_cast<void>(inner_tx.send(std::move(inner)));
  });
  const LateJobs late = thread::scope([&](thread::Scope& s) {
    auto closer = s.spawn([&pool] { pool.shutdown(); });
    LateJobs accepted = wait_until_shutdown_begins(pool);
    EXPECT_TRUE(gate_tx.send(1).has_value());
    EXPECT_TRUE(closer.join().has_value());
    return accepted;
  });
  // Both the submitting job and the job it submitted ran before shutdown returned.
  auto inner = inner_rx.try_recv();
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(inner->is_finished());
  EXPECT_EQ(*inner->join(), 42);
  EXPECT_EQ(late.run_count(), late.accepted);
  EXPECT_EQ(pool.panic_count(), 0u);
}

TEST(ThreadPoolTest, RunningJobFansOutWhileShutdownDrains) {
  // Each parent queues half its children, then stops on a gate in the middle
  // of its fan-out while another thread shuts the pool down. Both halves of
  // the rule are checked while the parents are held: an execute or submit
  // from outside the pool panics, and shutdown() has not returned. Then the
  // parents queue the rest, the children queue grandchildren, and all of it
  // has run when shutdown() returns.
  constexpr int kParents = 2;  // one per worker, so both are running at once
  constexpr int kChildren = 10;
  std::atomic<int> children{0};
  std::atomic<int> grandchildren{0};
  ThreadPool pool(kParents);
  auto [held_tx, held_rx] = channel::unbounded<int>();
  auto [start_tx, start_rx] = channel::unbounded<int>();
  auto [gate_tx, gate_rx] = channel::unbounded<int>();
  for (int p = 0; p < kParents; ++p) {
    pool.execute([&pool, held_tx, start_rx, gate_rx, &children, &grandchildren] {
      // Every parent occupies its worker before any child is queued, so a
      // child cannot run until a parent returns.
      static_cast<void>(held_tx.send(0));
      static_cast<void>(start_rx.recv());
      auto child = [&pool, &children, &grandchildren] {
        children += 1;
        pool.execute([&grandchildren] { grandchildren += 1; });
      };
      for (int c = 0; c < kChildren / 2; ++c) pool.execute(child);
      static_cast<void>(held_tx.send(1));
      static_cast<void>(gate_rx.recv());  // held mid-fan-out
      for (int c = kChildren / 2; c < kChildren; ++c) pool.execute(child);
    });
  }
  for (int p = 0; p < kParents; ++p) ASSERT_TRUE(held_rx.recv().has_value());
  // Both workers now run a parent: let them queue their first halves.
  for (int p = 0; p < kParents; ++p) ASSERT_TRUE(start_tx.send(0).has_value());
  for (int p = 0; p < kParents; ++p) ASSERT_TRUE(held_rx.recv().has_value());
  thread::scope([&](thread::Scope& s) {
    auto closer = s.spawn([&pool] { pool.shutdown(); });
    const LateJobs late = wait_until_shutdown_begins(pool);
    EXPECT_THAT(panic_message([&] { static_cast<void>(pool.submit([] { return 1; })); }),
                HasSubstr("ThreadPool::submit: the pool is shut down"));
    EXPECT_FALSE(closer.is_finished());  // the parents are still running
    EXPECT_EQ(children.load(), 0);
    for (int p = 0; p < kParents; ++p) EXPECT_TRUE(gate_tx.send(0).has_value());
    EXPECT_TRUE(closer.join().has_value());
    EXPECT_EQ(late.run_count(), late.accepted);
  });
  EXPECT_EQ(children.load(), kParents * kChildren);
  EXPECT_EQ(grandchildren.load(), kParents * kChildren);
  EXPECT_EQ(pool.panic_count(), 0u);
  // Once shutdown() has returned nothing may queue, from anywhere.
  EXPECT_THAT(panic_message([&] { pool.execute([] {}); }), HasSubstr("the pool is shut down"));
}

TEST(ThreadPoolTest, OtherThreadOfAJobCannotQueueDuringShutdown) {
  // Only the pool's own jobs, on its workers, may queue while it drains: a
  // thread that a job starts is outside the pool.
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel::bounded<int>(0);
  auto [seen_tx, seen_rx] = channel::unbounded<std::string>();
  pool.execute([&pool, gate_rx, seen_tx] {
    static_cast<void>(gate_rx.recv());
    thread::scope([&](thread::Scope& s) {
      s.spawn([&] {
        std::string seen = panic_message([&] { pool.execute([] {}); });
        static_cast<void>(seen_tx.send(std::move(seen)));
      });
    });
  });
  thread::scope([&](thread::Scope& s) {
    auto closer = s.spawn([&pool] { pool.shutdown(); });
    const LateJobs late = wait_until_shutdown_begins(pool);
    EXPECT_TRUE(gate_tx.send(1).has_value());
    EXPECT_TRUE(closer.join().has_value());
    EXPECT_EQ(late.run_count(), late.accepted);
  });
  EXPECT_THAT(*seen_rx.recv(), HasSubstr("ThreadPool::execute: the pool is shut down"));
  EXPECT_EQ(pool.panic_count(), 0u);
}

TEST(ThreadPoolTest, ShutdownFromOwnJobPanics) {
  ThreadPool pool(1);
  auto h = pool.submit([&pool] { pool.shutdown(); });
  auto r = h.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_THAT(r.error().message(), HasSubstr("called from one of the pool's own jobs"));
  EXPECT_EQ(*pool.submit([] { return 3; }).join(), 3);  // still open
}

TEST(ThreadPoolTest, SubmitFromInsideAJob) {
  ThreadPool pool(1);
  auto outer = pool.submit([&pool] { return pool.submit([] { return 21 * 2; }); });
  auto inner = outer.join();
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(*inner->join(), 42);
  // Jobs fanning out jobs, all finished by the destructor: shutdown drains,
  // so parents still queueing when it begins queue the rest.
  std::atomic<int> leaves{0};
  {
    ThreadPool fan(2);
    for (int i = 0; i < 10; ++i) {
      fan.execute([&fan, &leaves] {
        for (int j = 0; j < 10; ++j) fan.execute([&leaves] { leaves += 1; });
      });
    }
  }
  EXPECT_EQ(leaves.load(), 100);
}

}  // namespace
}  // namespace ferrite
