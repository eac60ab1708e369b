// Tests for ferrite/thread.h: spawn/join, panics returned from threads,
// detach on drop, scope and its join/panic rules, the Send checks, and the
// parallel merge sort of examples/merge_sort.h (split_at_mut + scope).
#include "ferrite/thread.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <latch>
#include <memory>
#include <numeric>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "examples/merge_sort.h"
#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/channel.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "ferrite/vec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {

// Declared, never defined: named only in unevaluated operands below.
namespace unevaluated {
Cell<int>& a_cell();
int& an_int();
const int& a_const_int();
}  // namespace unevaluated
using unevaluated::a_cell;
using unevaluated::a_const_int;
using unevaluated::an_int;

namespace {

using namespace ::ferrite::testing;
using ::testing::HasSubstr;

// --- Send checks are visible to requires-expressions ---------------------------------

// A callable that takes one A by value and returns R (default-constructed).
template <class A, class R = void>
struct TakeAndReturn {
  R operator()(A /*unused*/) const {
    if constexpr (!std::is_void_v<R>) return R();
  }
};

template <class F, class... Args>
concept CanSpawn = requires(F f, Args... args) { thread::spawn(std::move(f), std::move(args)...); };

template <class F, class... Args>
concept CanScopedSpawn = requires(const thread::Scope& s, F f, Args... args) {
  s.spawn(std::move(f), std::move(args)...);
};

struct NotSendCallable : NotSend {
  void operator()() const {}
};

static_assert(CanSpawn<TakeAndReturn<int>, int>);
static_assert(!CanSpawn<TakeAndReturn<Rc<int>>, Rc<int>>, "an Rc argument is rejected");
static_assert(CanSpawn<TakeAndReturn<Arc<int>>, Arc<int>>, "an Arc argument is fine");
static_assert(!CanSpawn<TakeAndReturn<int, Rc<int>>, int>, "an Rc result is rejected");
static_assert(!CanSpawn<NotSendCallable>, "a non-Send callable is rejected");
static_assert(!CanSpawn<TakeAndReturn<Cell<int>&>, std::reference_wrapper<Cell<int>>>,
              "std::ref(cell) counts as Cell<int>&, which is not Send (Cell is not Sync)");
static_assert(!CanSpawn<TakeAndReturn<std::atomic<int>&>, std::reference_wrapper<std::atomic<int>>>,
              "std::ref is a mutable alias: rejected even for an atomic");
static_assert(!CanSpawn<TakeAndReturn<const std::atomic<int>&>,
                        std::reference_wrapper<const std::atomic<int>>>,
              "std::cref is a borrow: thread::spawn takes only owned data");
static_assert(!CanSpawn<TakeAndReturn<SliceMut<int>>, SliceMut<int>>,
              "a SliceMut is a borrow: thread::spawn takes only owned data");
static_assert(CanSpawn<TakeAndReturn<Cell<int>>, Cell<int>>, "moving a whole Cell is fine");
static_assert(!CanSpawn<decltype(&a_cell)>, "returning Cell<int>& is rejected");
static_assert(!CanSpawn<decltype(&an_int)>, "returning int& is rejected: results own their data");
static_assert(!CanSpawn<decltype(&a_const_int)>, "so is returning const int&");
static_assert(!CanSpawn<int>, "not a callable");
static_assert(CanScopedSpawn<TakeAndReturn<int>, int>);
static_assert(!CanScopedSpawn<TakeAndReturn<Rc<int>>, Rc<int>>);
static_assert(!CanScopedSpawn<TakeAndReturn<Cell<int>&>, std::reference_wrapper<Cell<int>>>);
static_assert(CanScopedSpawn<TakeAndReturn<SliceMut<int>>, SliceMut<int>>);
static_assert(!CanScopedSpawn<decltype(&a_cell)>);
static_assert(!CanScopedSpawn<decltype(&a_const_int)>, "a scoped thread's result owns its data");
static_assert(CanScopedSpawn<TakeAndReturn<const std::atomic<int>&>,
                             std::reference_wrapper<const std::atomic<int>>>,
              "a scoped thread borrows through std::cref");
static_assert(!CanScopedSpawn<TakeAndReturn<std::atomic<int>&>,
                              std::reference_wrapper<std::atomic<int>>>,
              "but never through std::ref");
static_assert(std::is_same_v<decltype(thread::spawn([] {}).join()),
                             std::expected<void, PanicPayload>>);

// --- the header example ---------------------------------------------------------------

TEST(ThreadTest, HeaderExample) {
  ferrite::Vec<int> v{1, 2, 3, 4};
  int total = ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    auto [left, right] = *v.split_at_mut(2);
    s.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x *= 10; },
            std::move(left));
    for (int& x : right) x *= 10;
    return 4;
  });
  EXPECT_TRUE(v == (ferrite::Vec<int>{10, 20, 30, 40}));
  EXPECT_EQ(total, 4);
  auto h = ferrite::thread::spawn([](int x) -> int {
    if (x > 0) ferrite::panic("no");
    return x;
  }, 1);
  auto r = h.join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "no");
}

// --- spawn / join ---------------------------------------------------------------------

TEST(ThreadTest, JoinReturnsTheValue) {
  auto h = thread::spawn([](int a, std::string b) { return b + std::to_string(a); }, 7,
                         std::string("x"));
  auto r = h.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(*r, "x7");
  auto unique = thread::spawn([] { return std::make_unique<int>(5); }).join();
  ASSERT_TRUE(unique.has_value());
  EXPECT_EQ(**unique, 5);
  auto v = thread::spawn([] {}).join();
  EXPECT_TRUE(v.has_value());
  // The thread owns what it writes and hands it back: plain ints, so TSan
  // checks that join synchronizes with the thread's writes.
  std::vector<int> data(64, 0);
  auto back = thread::spawn([data = std::move(data)]() mutable {
                for (int& x : data) x = 1;
                return std::move(data);
              }).join();
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(std::accumulate(back->begin(), back->end(), 0), 64)
      << "join synchronizes with the thread's writes";
}

TEST(ThreadTest, ArgumentsAreDecayCopied) {
  auto shared = make_arc<Mutex<int>>(0);
  int local = 1;
  auto h = thread::spawn(
      [](Arc<Mutex<int>> counter, int copy) {
        counter->with_lock([](int& value) { value += 10; });
        return copy + 1;
      },
      shared, local);
  EXPECT_EQ(*h.join(), 2);
  EXPECT_EQ(shared->with_lock([](int& value) { return value; }), 10);
  EXPECT_EQ(shared.strong_count(), 1u) << "the thread's copy of the Arc is gone after join";
}

TEST(ThreadTest, ScopedThreadsBorrowThroughCref) {
  const Vec<int> numbers{1, 2, 3};
  const long total = thread::scope([&](const thread::Scope& s) {
    auto h = s.spawn(
        [](const Vec<int>& v) {
          long sum = 0;
          for (int x : v) sum += x;
          return sum;
        },
        std::cref(numbers));
    return *h.join();
  });
  EXPECT_EQ(total, 6);
}

TEST(ThreadTest, JoinReturnsAFerritePanic) {
  auto r = thread::spawn([] { panic("worker failed"); }).join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "worker failed");
  try {
    std::rethrow_exception(r.error().exception());
  } catch (const Panic& p) {
    EXPECT_STREQ(p.what(), "worker failed");
  }
}

TEST(ThreadTest, JoinReturnsAnyStdException) {
  auto r = thread::spawn([]() -> int { throw std::runtime_error("io error"); }).join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "io error");
  EXPECT_THROW(r.error().resume(), std::runtime_error);
}

TEST(ThreadTest, JoinReturnsANonStdExceptionAsUnknownPanic) {
  auto r = thread::spawn([] { throw 42; }).join();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message(), "unknown panic");
  try {
    r.error().resume();
  } catch (int thrown) {
    EXPECT_EQ(thrown, 42);
  }
}

TEST(ThreadTest, SecondJoinPanics) {
  auto h = thread::spawn([] { return 1; });
  EXPECT_EQ(*h.join(), 1);
  EXPECT_THAT(panic_message([&] { (void)h.join(); }),
              HasSubstr("thread::JoinHandle::join: the thread was already joined"));
  auto moved_from = thread::spawn([] { return 2; });
  auto owner = std::move(moved_from);
  EXPECT_THAT(panic_message([&] { (void)moved_from.join(); }), HasSubstr("already joined"));
  EXPECT_EQ(*owner.join(), 2);
}

// A detached thread outlives the test's locals: it owns its ends of the
// channels it talks through (a std::latch on the test's stack could be
// destroyed while the thread is still inside count_down()).
TEST(ThreadTest, DroppedHandleDetaches) {
  auto [go_tx, go_rx] = channel::bounded<int>(1);
  auto [done_tx, done_rx] = channel::bounded<int>(1);
  {
    auto h = thread::spawn([go_rx, done_tx] {
      static_cast<void>(go_rx.recv());
      static_cast<void>(done_tx.send(1));
    });
    EXPECT_NE(h.id(), thread::current_id());
  }  // detached here, still blocked on `go`
  EXPECT_EQ(done_rx.try_recv().error(), channel::TryRecvError::Empty);
  ASSERT_TRUE(go_tx.send(1).has_value());
  EXPECT_TRUE(done_rx.recv().has_value()) << "the detached thread kept running";
}

TEST(ThreadTest, MoveAssignmentDetachesTheOverwrittenThread) {
  auto [done_tx, done_rx] = channel::bounded<int>(1);
  auto h = thread::spawn([done_tx] { static_cast<void>(done_tx.send(1)); });
  h = thread::spawn([] {});
  EXPECT_TRUE(done_rx.recv().has_value());
  EXPECT_TRUE(h.join().has_value());
}

TEST(ThreadTest, IsFinishedAndId) {
  auto [go_tx, go_rx] = channel::bounded<int>(1);
  auto h = thread::spawn([go_rx] {
    static_cast<void>(go_rx.recv());
    return thread::current_id();
  });
  EXPECT_FALSE(h.is_finished());
  const thread::ThreadId id = h.id();
  ASSERT_TRUE(go_tx.send(1).has_value());
  while (!h.is_finished()) thread::yield_now();
  auto inner = h.join();
  ASSERT_TRUE(inner.has_value());
  EXPECT_EQ(*inner, id);
  EXPECT_NE(*inner, thread::current_id());
  EXPECT_FALSE(h.is_finished()) << "false after join";
}

TEST(ThreadTest, ValuesCrossThreadsExactlyOnce) {
  NoLeaks no_leaks;
  auto h = thread::spawn([](Counted c) { return Counted(c.value() * 2); }, Counted(21));
  auto r = h.join();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 42);
}

TEST(ThreadTest, PanickingAndUtilities) {
  EXPECT_FALSE(thread::panicking());
  struct Probe {
    bool* seen;
    ~Probe() { *seen = thread::panicking(); }
  };
  bool during_unwind = false;
  try {
    Probe probe{&during_unwind};
    panic("unwind");
  } catch (const Panic&) {
  }
  EXPECT_TRUE(during_unwind);
  EXPECT_GE(thread::available_parallelism(), 1u);
  const auto start = std::chrono::steady_clock::now();
  thread::sleep(std::chrono::milliseconds(2));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(2));
  thread::sleep(std::chrono::seconds(-1));  // returns at once
  thread::yield_now();
}

// --- scope ---------------------------------------------------------------------------

TEST(ScopeTest, JoinsEveryThreadBeforeReturning) {
  Vec<int> slots;  // plain ints: TSan checks the joins
  for (int i = 0; i < 16; ++i) slots.push(0);
  thread::scope([&](thread::Scope& s) {
    std::size_t i = 0;
    // Each thread owns its slot (a SliceMut moved in): a shared borrow of
    // the whole Vec could not write it.
    for (SliceMut<int> slot : slots.chunks_mut(1)) {
      s.spawn([slot = std::move(slot), i]() mutable {
        slot[0] = static_cast<int>(i) + 1;
      });  // handles dropped
      ++i;
    }
  });
  for (std::size_t i = 0; i < slots.len(); ++i) EXPECT_EQ(slots[i], static_cast<int>(i) + 1);
}

TEST(ScopeTest, ThreadsBorrowLocalsAndScopeReturnsTheValue) {
  const std::vector<int> numbers(1000, 3);
  const int total = thread::scope([&](thread::Scope& s) {
    auto h = s.spawn([&] { return std::accumulate(numbers.begin(), numbers.begin() + 500, 0); });
    const int right_sum = std::accumulate(numbers.begin() + 500, numbers.end(), 0);
    auto left_sum = h.join();
    EXPECT_TRUE(left_sum.has_value());
    return *left_sum + right_sum;
  });
  EXPECT_EQ(total, 3000);
  int target = 0;
  int& same = thread::scope([&](thread::Scope&) -> int& { return target; });
  EXPECT_EQ(&same, &target);
}

TEST(ScopeTest, ScopedHandleJoinReturnsValuesAndPanics) {
  thread::scope([](thread::Scope& s) {
    auto ok = s.spawn([](int x) { return x * 2; }, 21);
    auto bad = s.spawn([]() -> int { panic("scoped boom"); });
    EXPECT_EQ(*ok.join(), 42);
    auto r = bad.join();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().message(), "scoped boom");
    EXPECT_THAT(panic_message([&] { (void)bad.join(); }),
                HasSubstr("thread::ScopedJoinHandle::join: the thread was already joined"));
  });  // the panic was observed by join(): scope does not panic
}

TEST(ScopeTest, PanicsAfterJoiningEveryoneWhenAPanicWasNotJoined) {
  std::atomic<int> slow_result{0};  // written by the slow thread, read after scope
  std::latch release(1);
  EXPECT_EQ(panic_message([&] {
              thread::scope([&](thread::Scope& s) {
                s.spawn([] { panic("boom"); });
                s.spawn([&] {
                  release.wait();
                  slow_result = 7;
                });
                release.count_down();
              });
            }),
            "thread::scope: a scoped thread panicked: boom");
  EXPECT_EQ(slow_result.load(), 7) << "scope joined the slow thread before panicking";
}

TEST(ScopeTest, ScopeBodyExceptionWinsAfterJoining) {
  std::atomic<int> finished{0};
  std::latch release(1);
  EXPECT_THROW(thread::scope([&](thread::Scope& s) {
                 s.spawn([] { panic("thread panic"); });
                 s.spawn([&] {
                   release.wait();
                   finished = 1;
                 });
                 release.count_down();
                 throw std::runtime_error("body failed");
               }),
               std::runtime_error);
  EXPECT_EQ(finished.load(), 1);
}

TEST(ScopeTest, ScopedThreadsMaySpawnMoreThreads) {
  std::atomic<int> count{0};
  thread::scope([&](thread::Scope& s) {
    for (int i = 0; i < 4; ++i) {
      s.spawn([&] {
        for (int j = 0; j < 4; ++j) s.spawn([&] { ++count; });
        ++count;
      });
    }
  });
  EXPECT_EQ(count.load(), 20);
}

TEST(ScopeTest, HandleMayBeJoinedByAnotherScopedThread) {
  thread::scope([](thread::Scope& s) {
    auto worker = s.spawn([] { return 5; });
    auto joiner = s.spawn([w = std::move(worker)]() mutable { return *w.join() + 1; });
    EXPECT_EQ(*joiner.join(), 6);
  });
}

TEST(ScopeTest, TwoThreadsMutateTheHalvesOfOneVec) {
  Vec<int> v;
  v.resize(1 << 20, 1);
  const std::size_t mid = v.len() / 3;
  thread::scope([&](thread::Scope& s) {
    auto [left, right] = *v.split_at_mut(mid);
    s.spawn([](SliceMut<int> half) { for (int& x : half) x += 1; }, std::move(left));
    s.spawn([](SliceMut<int> half) { for (int& x : half) x *= 10; }, std::move(right));
  });
  for (std::size_t i = 0; i < v.len(); ++i) {
    ASSERT_EQ(std::as_const(v)[i], i < mid ? 2 : 10) << i;
  }
  v.push(0);  // every borrow ended when the threads did
}

TEST(ScopeTest, ChunksMutFanOut) {
  Vec<long> v;
  v.resize(10000, 0);
  thread::scope([&](thread::Scope& s) {
    long base = 0;
    for (SliceMut<long> chunk : v.chunks_mut(1024)) {
      s.spawn([base](SliceMut<long> mine) {
        long i = base;
        for (long& x : mine) x = i++;
      }, std::move(chunk));
      base += 1024;
    }
  });
  for (std::size_t i = 0; i < v.len(); ++i) ASSERT_EQ(std::as_const(v)[i], static_cast<long>(i));
}

// --- the parallel merge sort of examples/merge_sort.h ---------------------------------

TEST(MergeSortTest, SortsLikeStdSortAtEveryThreadCount) {
  std::mt19937 rng(12345);
  for (std::size_t n : {0u, 1u, 2u, 3u, 100u, 5000u, 100000u}) {
    std::vector<int> input(n);
    for (int& x : input) x = static_cast<int>(rng() % 1000);  // many duplicates
    std::vector<int> expected = input;
    std::sort(expected.begin(), expected.end());
    for (std::size_t threads : {1u, 2u, 3u, 4u, 8u}) {
      Vec<int> v;
      v.extend(input);
      examples::parallel_merge_sort(v.as_mut_slice(), threads, /*sequential_cutoff=*/64);
      ASSERT_TRUE(std::ranges::equal(std::as_const(v), expected)) << n << " " << threads;
    }
  }
}

TEST(MergeSortTest, MovesEveryElementExactlyOnceWithACustomOrder) {
  NoLeaks no_leaks;
  std::mt19937 rng(7);
  Vec<std::pair<int, Counted>> v;
  for (int i = 0; i < 20000; ++i) v.emplace(static_cast<int>(rng() % 100), Counted(i));
  examples::parallel_merge_sort(v.as_mut_slice(), 4, 128,
                                [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<int> ids;
  for (std::size_t i = 0; i < v.len(); ++i) {
    const auto& element = std::as_const(v)[i];
    if (i > 0) {
      ASSERT_GE(std::as_const(v)[i - 1].first, element.first) << "descending at " << i;
    }
    ids.push_back(element.second.value());
  }
  std::sort(ids.begin(), ids.end());
  std::vector<int> expected(20000);
  std::iota(expected.begin(), expected.end(), 0);
  EXPECT_EQ(ids, expected) << "each element exactly once";
}

}  // namespace
}  // namespace ferrite
