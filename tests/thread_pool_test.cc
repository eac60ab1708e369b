// Tests for ferrite/thread_pool.h: completion, results, panics (counted,
// returned, workers survive), shutdown with a full queue, jobs that queue
// jobs, destruction while jobs are blocked, use after shutdown, the Send
// checks, and a stress run. No sleeps: every wait is on a channel or a join.
#include "ferrite/thread_pool.h"

#include <atomic>
#include <cstddef>
#include <functional>
#include <memory>
#include <numeric>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/channel.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/sanitizer_scale.h"
#include "tests/support/test_types.h"

namespace ferrite {

// Declared, never defined: named only in unevaluated operands below.
namespace pool_unevaluated {
Cell<int>& a_cell();
}  // namespace pool_unevaluated

namespace {

using namespace ::ferrite::testing;
using ::testing::HasSubstr;

// --- Send checks are visible to requires-expressions --------------------------------

struct NotSendCallable : NotSend {
  void operator()() const {}
};

template <class F>
concept Executable = requires(const ThreadPool& pool, F f) {
  pool.execute(std::move(f));
};
template <class F>
concept Submittable = requires(const ThreadPool& pool, F f) {
  pool.submit(std::move(f));
};

using ReturnsInt = decltype([] { return 1; });
using ReturnsRc = decltype([] { return make_rc<int>(1); });
using ReturnsCellRef = decltype([]() -> Cell<int>& { return pool_unevaluated::a_cell(); });
using ReturnsArc = decltype([] { return make_arc<int>(1); });

static_assert(Executable<ReturnsInt> && Submittable<ReturnsInt>);
static_assert(Executable<ReturnsArc> && Submittable<ReturnsArc>);
static_assert(!Executable<ReturnsRc> && !Submittable<ReturnsRc>);
static_assert(!Executable<ReturnsCellRef> && !Submittable<ReturnsCellRef>);
static_assert(!Executable<NotSendCallable> && !Submittable<NotSendCallable>);
// Not callable with no arguments: neither overload applies.
static_assert(!Executable<std::function<void(int)>>);

static_assert(Send<ThreadPool> && Sync<ThreadPool>);
static_assert(Send<TaskHandle<int>>);
static_assert(!std::is_copy_constructible_v<TaskHandle<int>>);
static_assert(!std::is_copy_constructible_v<ThreadPool> &&
              !std::is_move_constructible_v<ThreadPool>);

// --- basics ---------------------------------------------------------------------------

TEST(ThreadPoolTest, HeaderExample) {
  ThreadPool pool(4);
  std::atomic<int> done{0};
  for (int i = 0; i < 8; ++i) pool.execute([&done] { done += 1; });
  auto square = pool.submit([] { return 7 * 7; });
  auto boom = pool.submit([]() -> int { panic("no"); });
  EXPECT_EQ(*square.join(), 49);
  auto failed = boom.join();
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message(), "no");
  pool.shutdown();
  EXPECT_EQ(done.load(), 8);
  EXPECT_EQ(pool.panic_count(), 1u);
}

TEST(ThreadPoolTest, DefaultSizeIsAvailableParallelism) {
  ThreadPool pool;
  EXPECT_EQ(pool.thread_count(), thread::available_parallelism());
}

TEST(ThreadPoolTest, ZeroThreadsPanics) {
  EXPECT_THAT(panic_message([] { ThreadPool pool(0); }), HasSubstr("at least 1"));
}

TEST(ThreadPoolTest, ExecuteRunsEveryJobOnce) {
  constexpr int kJobs = 2000;
  std::vector<std::atomic<int>> runs(kJobs);
  {
    ThreadPool pool(3);
    for (int i = 0; i < kJobs; ++i) pool.execute([&runs, i] { runs[i] += 1; });
  }  // the destructor runs everything queued
  for (int i = 0; i < kJobs; ++i) EXPECT_EQ(runs[i].load(), 1) << i;
}

TEST(ThreadPoolTest, SubmitReturnsEachResult) {
  ThreadPool pool(3);
  std::vector<TaskHandle<long>> handles;
  for (long i = 0; i < 500; ++i) handles.push_back(pool.submit([i] { return i * i; }));
  long sum = 0;
  for (auto& h : handles) sum += *h.join();
  long expected = 0;
  for (long i = 0; i < 500; ++i) expected += i * i;
  EXPECT_EQ(sum, expected);
  EXPECT_EQ(pool.panic_count(), 0u);
}

TEST(ThreadPoolTest, SubmitVoidResults) {
  ThreadPool pool(2);
  auto unit = pool.submit([] {});
  EXPECT_TRUE(unit.join().has_value());
}

// Jobs and results own their data: a reference result would point into a
// job that is gone by the time join() returns (tests/compile_fail has the
// program that tries).
template <class F>
concept CanSubmit = requires(const ThreadPool& pool, F f) { pool.submit(std::move(f)); };
template <class F>
concept CanExecute = requires(const ThreadPool& pool, F f) { pool.execute(std::move(f)); };
using JobReturningConstRef = const int& (*)();
using JobReturningStringView = std::string_view (*)();
using JobReturningInt = int (*)();
static_assert(!CanSubmit<JobReturningConstRef>);
static_assert(!CanSubmit<JobReturningStringView>);
static_assert(CanSubmit<JobReturningInt>);
static_assert(!CanExecute<JobReturningConstRef>);
static_assert(CanExecute<JobReturningInt>);

// A result whose move may throw travels boxed; it still arrives intact.
struct ThrowingMove {
  std::string text;
  explicit ThrowingMove(std::string t) : text(std::move(t)) {}
  ThrowingMove(ThrowingMove&& other) : text(std::move(other.text)) {}  // not noexcept
};
static_assert(!detail::ChannelMessage<detail::JoinResult<ThrowingMove>>);

TEST(ThreadPoolTest, ResultWithThrowingMoveIsBoxed) {
  ThreadPool pool(1);
  auto h = pool.submit([] { return ThrowingMove("boxed"); });
  auto r = h.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->text, "boxed");
}

TEST(ThreadPoolTest, ResultsAreDestroyedExactlyOnce) {
  NoLeaks no_leaks;
  ThreadPool pool(2);
  auto kept = pool.submit([] { return Counted(3); });
  auto dropped = pool.submit([] { return Counted(4); });
  { auto gone = std::move(dropped); }  // its job still runs; the result is destroyed
  auto r = kept.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 3);
  pool.shutdown();
}

TEST(ThreadPoolTest, JoinTwicePanics) {
  ThreadPool pool(1);
  auto h = pool.submit([] { return 1; });
  EXPECT_EQ(*h.join(), 1);
  EXPECT_THAT(panic_message([&] { static_cast<void>(h.join()); }), HasSubstr("TaskHandle"));
  auto moved_from = pool.submit([] { return 2; });
  auto taker = std::move(moved_from);
  EXPECT_THAT(panic_message([&] { static_cast<void>(moved_from.join()); }),
              HasSubstr("TaskHandle"));
  EXPECT_EQ(*taker.join(), 2);
}

TEST(ThreadPoolTest, IsFinishedOnceTheJobHasRun) {
  ThreadPool pool(1);
  auto [gate_tx, gate_rx] = channel::bounded<int>(0);
  auto h = pool.submit([gate_rx] { return *gate_rx.recv(); });
  EXPECT_FALSE(h.is_finished());  // blocked on the gate
  ASSERT_TRUE(gate_tx.send(9).has_value());
  while (!h.is_finished()) thread::yield_now();
  EXPECT_EQ(*h.join(), 9);
  EXPECT_FALSE(h.is_finished());
}

// --- panics ---------------------------------------------------------------------------

TEST(ThreadPoolTest, PanicsAreCountedReturnedAndWorkersSurvive) {
  ThreadPool pool(1);  // one worker: every job below runs on the same thread
  const auto worker = *pool.submit([] { return thread::current_id(); }).join();
  pool.execute([] { panic("execute 1"); });
  pool.execute([] { throw std::runtime_error("not a ferrite panic"); });
  pool.execute([] { throw 42; });
  auto by_submit = pool.submit([]() -> int { panic("submitted"); });
  auto odd = pool.submit([]() -> int { throw 7; });
  auto r = by_submit.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "submitted");
  EXPECT_THROW(r.error().resume(), Panic);
  auto o = odd.join();
  ASSERT_FALSE(o.has_value());
  EXPECT_EQ(o.error().message(), "unknown panic");
  // The same worker is still alive and running jobs.
  EXPECT_EQ(*pool.submit([] { return thread::current_id(); }).join(), worker);
  EXPECT_EQ(pool.panic_count(), 5u);
  pool.shutdown();
  EXPECT_EQ(pool.panic_count(), 5u);
}

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

TEST(ThreadPoolTest, DestructionWhileJobsAreBlocked) {
  auto [gate_tx, gate_rx] = channel::unbounded<int>();
  auto [started_tx, started_rx] = channel::unbounded<int>();
  auto [dying_tx, dying_rx] = channel::bounded<int>(0);
  std::atomic<int> ran{0};
  auto pool = std::make_unique<ThreadPool>(2);
  for (int i = 0; i < 2; ++i) {
    pool->execute([gate_rx, started_tx, &ran] {
      static_cast<void>(started_tx.send(1));
      ran += *gate_rx.recv();
    });
  }
  for (int i = 0; i < 20; ++i) pool->execute([&ran] { ran += 1; });
  // Both workers are inside their blocking jobs.
  EXPECT_EQ(*started_rx.recv() + *started_rx.recv(), 2);
  auto releaser = thread::spawn([dying_rx, gate_tx] {
    static_cast<void>(dying_rx.recv());  // the pool's destruction is starting
    for (int i = 0; i < 2; ++i) static_cast<void>(gate_tx.send(100));
  });
  ASSERT_TRUE(dying_tx.send(0).has_value());
  pool.reset();  // blocks until the releaser opens the gate and the queue drains
  EXPECT_EQ(ran.load(), 220);
  EXPECT_TRUE(releaser.join().has_value());
}

// --- sharing and stress ---------------------------------------------------------------

TEST(ThreadPoolTest, SharedThroughArcFromManyThreads) {
  const int per_thread = 20000 / kScale;
  constexpr int kSubmitters = 4;
  Arc<ThreadPool> pool = make_arc<ThreadPool>(3);
  std::atomic<long> sum{0};
  std::vector<thread::JoinHandle<long>> submitters;
  for (int t = 0; t < kSubmitters; ++t) {
    submitters.push_back(thread::spawn([pool, &sum, t] {
      std::vector<TaskHandle<long>> handles;
      for (int i = 0; i < per_thread; ++i) {
        const long value = static_cast<long>(t) * per_thread + i;
        if (i % 2 == 0) {
          pool->execute([&sum, value] { sum += value; });
        } else {
          handles.push_back(pool->submit([value] { return value; }));
        }
      }
      long joined = 0;
      for (auto& h : handles) joined += *h.join();
      return joined;
    }));
  }
  long joined_total = 0;
  for (auto& s : submitters) joined_total += *s.join();
  ThreadPool* unique = pool.get_mut();  // every submitter's clone is gone
  ASSERT_NE(unique, nullptr);
  unique->shutdown();
  const long n = static_cast<long>(per_thread) * kSubmitters;
  EXPECT_EQ(sum.load() + joined_total, n * (n - 1) / 2);
  EXPECT_EQ(pool->panic_count(), 0u);
}

TEST(ThreadPoolTest, StressWithPanicsAndManyWorkers) {
  const int jobs = 50000 / kScale;
  std::atomic<int> ran{0};
  std::size_t panics = 0;
  {
    ThreadPool pool(8);
    for (int i = 0; i < jobs; ++i) {
      pool.execute([&ran, i] {
        ran += 1;
        if (i % 97 == 0) panic("every 97th");
      });
    }
    pool.shutdown();
    panics = pool.panic_count();
  }
  EXPECT_EQ(ran.load(), jobs);
  EXPECT_EQ(panics, static_cast<std::size_t>((jobs + 96) / 97));
}

}  // namespace
}  // namespace ferrite
