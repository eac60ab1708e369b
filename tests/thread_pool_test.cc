// Tests for ferrite/thread_pool.h: completion, results, panics (counted,
// returned, workers survive), destruction while jobs are blocked, the Send
// checks, and a stress run (shutdown: thread_pool_shutdown_test.cc). No
// sleeps: every wait is on a channel or a join.
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
#include "ferrite/mutex.h"
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

// A count that the test and its jobs share. Nothing joins a pool's job
// before the test's locals die, as far as the compiler can tell, so a job
// owns what it captures (the rule Rust's 'static bound states): here a
// handle, an Arc, whose value is const to its holders, around a Mutex, which
// locks through const. Copies share the count.
class SharedCount {
 public:
  void add(long n = 1) const {
    count_->with_lock([n](long& count) { count += n; });
  }
  long load() const {
    return count_->with_lock([](long& count) { return count; });
  }

 private:
  Arc<Mutex<long>> count_ = make_arc<Mutex<long>>(0);
};

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
  SharedCount done;
  for (int i = 0; i < 8; ++i) pool.execute([done] { done.add(); });
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
  std::vector<SharedCount> runs(kJobs);
  {
    ThreadPool pool(3);
    for (int i = 0; i < kJobs; ++i) pool.execute([run = runs[i]] { run.add(); });
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

TEST(ThreadPoolTest, DestructionWhileJobsAreBlocked) {
  auto [gate_tx, gate_rx] = channel::unbounded<int>();
  auto [started_tx, started_rx] = channel::unbounded<int>();
  auto [dying_tx, dying_rx] = channel::bounded<int>(0);
  SharedCount ran;
  auto pool = std::make_unique<ThreadPool>(2);
  for (int i = 0; i < 2; ++i) {
    pool->execute([gate_rx, started_tx, ran] {
      static_cast<void>(started_tx.send(1));
      ran.add(*gate_rx.recv());
    });
  }
  for (int i = 0; i < 20; ++i) pool->execute([ran] { ran.add(); });
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
  SharedCount sum;
  std::vector<thread::JoinHandle<long>> submitters;
  for (int t = 0; t < kSubmitters; ++t) {
    submitters.push_back(thread::spawn([pool, sum, t] {
      std::vector<TaskHandle<long>> handles;
      for (int i = 0; i < per_thread; ++i) {
        const long value = static_cast<long>(t) * per_thread + i;
        if (i % 2 == 0) {
          pool->execute([sum, value] { sum.add(value); });
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
  SharedCount ran;
  std::size_t panics = 0;
  {
    ThreadPool pool(8);
    for (int i = 0; i < jobs; ++i) {
      pool.execute([ran, i] {
        ran.add();
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
