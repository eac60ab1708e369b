// Tests for ferrite/thread_pool.h's shutdown: with a full queue, from
// another thread while the pool's own jobs still queue (and submit, and fan
// out), from a job, and after it.
//
// Built without the ferrite-clang plugin (tests/BUILD.bazel): its jobs queue
// on their own pool, so they borrow the pool by reference (`[&pool]`). That
// is sound, since a pool runs every job before it is destroyed, but it is a
// scope the plugin cannot see, and the pool cannot be shared through an Arc
// instead: shutdown() needs it non-const, from another thread, while the
// jobs still hold it. Every other pool test loads the plugin.
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

// Spins (not sleeps) until shutdown() has begun on another thread: an
// execute() from outside the pool panics from then on. Each execute that was
// still accepted queues a job that adds one to `ran`; returns how many.
int wait_until_shutdown_begins(const ThreadPool& pool, std::atomic<int>& ran) {
  int accepted = 0;
  while (true) {
    try {
      pool.execute([&ran] { ran += 1; });
      ++accepted;
      thread::yield_now();
    } catch (const Panic& p) {
      EXPECT_THAT(p.what(), HasSubstr("ThreadPool::execute: the pool is shut down"));
      return accepted;
    }
  }
}

// Blocks pool's only worker on a gate, queues `queued` jobs behind it, then
// shuts the pool down on another thread. Once shutdown has begun (execute
// from outside panics) and before the gate opens, `while_shut` runs. Returns how many
// queued jobs ran.
template <class F>
int shutdown_with_full_queue(int queued, F while_shut) {
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel::bounded<int>(0);
  std::atomic<int> ran{0};
  pool.execute([gate_rx] { static_cast<void>(gate_rx.recv()); });
  for (int i = 0; i < queued; ++i) pool.execute([&ran] { ran += 1; });
  auto closer = thread::spawn([&pool] { pool.shutdown(); });
  // Jobs accepted before shutdown began are counted too, since they must also run.
  const int accepted_late = wait_until_shutdown_begins(pool, ran);
  EXPECT_EQ(ran.load(), 0);  // the only worker is still blocked on the gate
  while_shut(pool);
  EXPECT_TRUE(gate_tx.send(1).has_value());
  EXPECT_TRUE(closer.join().has_value());
  EXPECT_EQ(pool.panic_count(), 0u);
  return ran.load() - accepted_late;
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
  std::atomic<int> ran{0};
  pool.execute([gate_rx] { static_cast<void>(gate_rx.recv()); });
  pool.execute([&pool, inner_tx] {
    auto inner = pool.submit([] { return 21 * 2; });
    // The pool's only worker runs this job, so the inner job is still queued.
    EXPECT_FALSE(inner.is_finished());
    static_cast<void>(inner_tx.send(std::move(inner)));
  });
  auto closer = thread::spawn([&pool] { pool.shutdown(); });
  const int late = wait_until_shutdown_begins(pool, ran);
  ASSERT_TRUE(gate_tx.send(1).has_value());
  EXPECT_TRUE(closer.join().has_value());
  // Both the submitting job and the job it submitted ran before shutdown returned.
  auto inner = inner_rx.try_recv();
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(inner->is_finished());
  EXPECT_EQ(*inner->join(), 42);
  EXPECT_EQ(ran.load(), late);
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
  ThreadPool pool(kParents);
  auto [held_tx, held_rx] = channel::unbounded<int>();
  auto [start_tx, start_rx] = channel::unbounded<int>();
  auto [gate_tx, gate_rx] = channel::unbounded<int>();
  std::atomic<int> children{0};
  std::atomic<int> grandchildren{0};
  std::atomic<int> ran{0};
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
  auto closer = thread::spawn([&pool] { pool.shutdown(); });
  const int late = wait_until_shutdown_begins(pool, ran);
  EXPECT_THAT(panic_message([&] { static_cast<void>(pool.submit([] { return 1; })); }),
              HasSubstr("ThreadPool::submit: the pool is shut down"));
  EXPECT_FALSE(closer.is_finished());  // the parents are still running
  EXPECT_EQ(children.load(), 0);
  for (int p = 0; p < kParents; ++p) ASSERT_TRUE(gate_tx.send(0).has_value());
  EXPECT_TRUE(closer.join().has_value());
  EXPECT_EQ(children.load(), kParents * kChildren);
  EXPECT_EQ(grandchildren.load(), kParents * kChildren);
  EXPECT_EQ(ran.load(), late);
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
  std::atomic<int> ran{0};
  pool.execute([&pool, gate_rx, seen_tx] {
    static_cast<void>(gate_rx.recv());
    thread::scope([&](thread::Scope& s) {
      s.spawn([&] { static_cast<void>(seen_tx.send(panic_message([&] { pool.execute([] {}); }))); });
    });
  });
  auto closer = thread::spawn([&pool] { pool.shutdown(); });
  const int late = wait_until_shutdown_begins(pool, ran);
  ASSERT_TRUE(gate_tx.send(1).has_value());
  EXPECT_TRUE(closer.join().has_value());
  EXPECT_THAT(*seen_rx.recv(), HasSubstr("ThreadPool::execute: the pool is shut down"));
  EXPECT_EQ(ran.load(), late);
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
