// Tests for ferrite/arc.h: Arc<T>, arc::Weak<T>, make_arc.
//
// The single-threaded contract Arc shares with Rc is one typed suite
// (tests/shared_pointer_contract.h), instantiated here for Arc. The
// multi-threaded tests race clones, drops, downgrades, upgrades, get_mut,
// make_mut and into_inner, and are meant to run under ThreadSanitizer, where a
// too-weak memory ordering shows up as a data race on the value or the block.
#include "ferrite/arc.h"

#include <atomic>
#include <cassert>
#include <cstddef>
#include <expected>
#include <latch>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "gtest/gtest.h"
#include "tests/shared_pointer_contract.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- Send/Sync and const access (compile-time contract) ---------------------

static_assert(Send<Arc<int>> && Sync<Arc<int>>);
static_assert(Send<Arc<std::string>> && Sync<Arc<std::string>>);
static_assert(!Send<Arc<Rc<int>>> && !Sync<Arc<Rc<int>>>, "Arc<T> needs T: Send + Sync");
static_assert(!Send<Arc<int*>> && !Sync<Arc<int*>>);
static_assert(Send<arc::Weak<int>> && Sync<arc::Weak<int>>);
static_assert(!Send<arc::Weak<Rc<int>>> && !Sync<arc::Weak<Rc<int>>>);
// Shared access is const and unique access needs the only handle, as for Rc
// (tests/shared_pointer_contract.h). Copying panics while the source lends
// mutable access, in checked builds only.
static_assert(has_shared_pointer_types<ArcPointer>());
static_assert(std::is_nothrow_copy_constructible_v<Arc<int>> == !detail::kCheckedBorrows);

TEST(ArcTest, HeaderExample) {
  ferrite::Arc<std::vector<int>> data = ferrite::make_arc<std::vector<int>>(1000, 1);
  std::vector<std::thread> readers;
  std::atomic<long> total{0};
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([data, &total] {  // each thread owns a clone
      total += std::accumulate(data->begin(), data->end(), 0L);
    });
  }
  for (std::thread& t : readers) t.join();
  assert(total == 4000 && data.strong_count() == 1);
  EXPECT_EQ(total.load(), 4000);
  EXPECT_EQ(data.strong_count(), 1u);
}

// --- the contract shared with Rc ---------------------------------------------------

INSTANTIATE_TYPED_TEST_SUITE_P(Arc, SharedPointerContract, ArcPointer);
INSTANTIATE_TYPED_TEST_SUITE_P(Arc, SharedPointerMutBorrow, ArcPointer);

// --- get_mut / make_mut lend a borrow of the handle (checked builds) ------------

// The class comment's example.
TEST(ArcMutBorrow, ClassExample) {
  auto a = ferrite::make_arc<std::vector<int>>();
  a.make_mut().push_back(1);  // the borrow starts
  if constexpr (detail::kCheckedBorrows) {
    EXPECT_FALSE(panic_message([&] { auto b = a; }).empty());  // the borrow is alive
  }
  std::size_t n = a->size();  // shared access ends it
  auto b = a;                 // fine: b and a share {1}
  EXPECT_EQ(n, 1u);
  EXPECT_EQ(b->at(0), 1);
}

// Ending the borrow is a write, done by const shared access: threads that
// read one `const Arc&` at once after a make_mut() must not race on it.
TEST(ArcMutBorrow, ConcurrentSharedAccessAfterMakeMut) {
  Arc<long> a = make_arc<long>(0);
  a.make_mut() = 42;
  const Arc<long>& shared = a;
  std::atomic<long> total{0};
  std::latch start(4);
  std::vector<std::thread> readers;
  for (int i = 0; i < 4; ++i) {
    readers.emplace_back([&] {
      start.arrive_and_wait();
      total += *shared;
      Arc<long> mine = shared.clone();
      total += *mine.get();
    });
  }
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(total.load(), 8 * 42);
}

// --- threads -----------------------------------------------------------------

constexpr int kThreads = 8;

// Runs body(i) on kThreads threads that start together.
template <class Body>
void run_threads(Body body) {
  std::latch start(kThreads);
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&start, &body, i] {
      start.arrive_and_wait();
      body(i);
    });
  }
  for (std::thread& t : threads) t.join();
}

// Every thread clones, drops, downgrades, upgrades and copies Weaks of one
// shared handle, and reads the value through each new strong handle.
TEST(ArcStressTest, ConcurrentCloneDropDowngradeUpgrade) {
  NoLeaks no_leaks;
  constexpr int kIterations = 50000;
  {
    const Arc<Counted> shared = make_arc<Counted>(42);
    const arc::Weak<Counted> shared_weak = shared.downgrade();
    std::atomic<long> reads{0};
    run_threads([&](int) {
      long local_reads = 0;
      for (int i = 0; i < kIterations; ++i) {
        Arc<Counted> mine = shared;  // concurrent copies of one const handle
        arc::Weak<Counted> weak = mine.downgrade();
        arc::Weak<Counted> weak_copy = shared_weak;
        std::optional<Arc<Counted>> up = weak.upgrade();
        if (!up.has_value() || (*up)->value() != 42) break;  // must not happen
        local_reads += (*up)->value() == 42;
        Arc<Counted> moved = std::move(*up);
        EXPECT_EQ(moved.get_mut(), nullptr);  // never unique: `shared` lives
        EXPECT_GE(shared.strong_count(), 2u);
        EXPECT_GE(shared.weak_count(), 2u);
        EXPECT_GE(weak_copy.weak_count(), 2u);
      }
      reads += local_reads;
    });
    EXPECT_EQ(reads.load(), long{kThreads} * kIterations);
    EXPECT_EQ(shared.strong_count(), 1u);
    EXPECT_EQ(shared.weak_count(), 1u);
  }
}

// The value records, per thread, a plain (non-atomic) write made just before
// that thread drops its handle; the destructor, run by whichever thread drops
// last, reads them all. Without release decrements and the acquire on the
// last one, ThreadSanitizer reports these as races (and the check may fail).
class DropWitness {
 public:
  DropWitness(std::atomic<int>* destructions, std::atomic<bool>* all_seen)
      : slots_(kThreads, 0), destructions_(destructions), all_seen_(all_seen) {}
  DropWitness(const DropWitness&) = delete;
  DropWitness& operator=(const DropWitness&) = delete;
  ~DropWitness() {
    bool all = true;
    for (int i = 0; i < kThreads; ++i) all = all && slots_.at(static_cast<std::size_t>(i)) == i + 1;
    all_seen_->store(all);
    destructions_->fetch_add(1);
  }
  // Each thread writes only its own slot, so the writers never race.
  void mark(int thread) const { slots_.at(static_cast<std::size_t>(thread)) = thread + 1; }

 private:
  mutable std::vector<int> slots_;
  std::atomic<int>* destructions_;
  std::atomic<bool>* all_seen_;
};

TEST(ArcStressTest, ValueIsDestroyedExactlyOnceWhenThreadsDropTheLastHandlesTogether) {
  constexpr int kRounds = 300;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> destructions{0};
    std::atomic<bool> all_seen{false};
    std::atomic<int> fresh_destructions{0};
    std::atomic<bool> fresh_all_seen{false};
    std::vector<Arc<DropWitness>> handles;
    std::vector<arc::Weak<DropWitness>> weaks;
    {
      Arc<DropWitness> origin = make_arc<DropWitness>(&destructions, &all_seen);
      for (int i = 0; i < kThreads; ++i) {
        handles.push_back(origin);
        weaks.push_back(origin.downgrade());
      }
    }
    run_threads([&](int i) {
      Arc<DropWitness> mine = std::move(handles.at(static_cast<std::size_t>(i)));
      arc::Weak<DropWitness> weak = std::move(weaks.at(static_cast<std::size_t>(i)));
      mine->mark(i);
      // Drops our handle (perhaps the last) by assigning a fresh value.
      mine = make_arc<DropWitness>(&fresh_destructions, &fresh_all_seen);
      // Upgrading races with the other threads' drops: it either fails or
      // yields a handle that keeps the value alive while we use it.
      if (std::optional<Arc<DropWitness>> up = weak.upgrade()) (*up)->mark(i);
    });
    ASSERT_EQ(destructions.load(), 1) << "round " << round;
    ASSERT_TRUE(all_seen.load()) << "round " << round;
    ASSERT_EQ(fresh_destructions.load(), kThreads) << "round " << round;
  }
}

// Exactly one of the threads racing into_inner() on the last handles wins.
TEST(ArcStressTest, IntoInnerGivesTheValueToExactlyOneThread) {
  NoLeaks no_leaks;
  constexpr int kRounds = 300;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Arc<Counted>> handles;
    handles.assign(kThreads, make_arc<Counted>(round));
    std::atomic<int> winners{0};
    run_threads([&](int i) {
      std::optional<Counted> value =
          std::move(handles.at(static_cast<std::size_t>(i))).into_inner();
      if (value.has_value()) {
        EXPECT_EQ(value->value(), round);
        winners.fetch_add(1);
      }
    });
    ASSERT_EQ(winners.load(), 1) << "round " << round;
  }
}

// get_mut() must never vouch for uniqueness while another thread holds a
// strong handle that it keeps downgrading and upgrading (the weak-count lock),
// and must succeed once that thread has let go; the write through it must not
// race with the other thread's earlier reads.
TEST(ArcStressTest, GetMutRacesWithDowngradeAndUpgrade) {
  constexpr int kIterations = 20000;
  constexpr int kRounds = 20;
  for (int round = 0; round < kRounds; ++round) {
    Arc<std::vector<int>> mine = make_arc<std::vector<int>>(16, 7);
    Arc<std::vector<int>> theirs = mine;
    std::atomic<bool> released{false};
    std::thread other([moved = std::move(theirs), &released]() mutable {
      long sum = 0;
      for (int i = 0; i < kIterations; ++i) {
        arc::Weak<std::vector<int>> weak = moved.downgrade();
        if (std::optional<Arc<std::vector<int>>> up = weak.upgrade()) sum += (*up)->front();
      }
      // A last read through the strong handle: only the release decrement
      // of `moved` (and get_mut's acquire load of the strong count) orders
      // it before the main thread's write.
      sum += moved->back();
      EXPECT_EQ(sum, 7L * (kIterations + 1));
      released.store(true);
      Arc<std::vector<int>> drop_now = std::move(moved);
    });
    // Spinning on get_mut() is the synchronization under test: it may only
    // succeed after the other thread dropped its last handle of either kind.
    std::vector<int>* exclusive = nullptr;
    while (exclusive == nullptr) exclusive = mine.get_mut();
    // TSan: the write must happen-after the other thread's reads. (Checked
    // before `released` is loaded, which would add synchronization.)
    exclusive->back() = 8;
    EXPECT_TRUE(released.load()) << "get_mut() succeeded while another handle was alive";
    other.join();
    EXPECT_EQ(mine->back(), 8);
    EXPECT_EQ(mine.strong_count(), 1u);
    EXPECT_EQ(mine.weak_count(), 0u);
  }
}

// Another thread reads the value and drops its handle; this thread waits for
// the strong count to fall to 1 (a relaxed read, which synchronizes nothing)
// and then claims the value with make_mut() (moving it out: a Weak exists) or
// try_unwrap(), destroying the original. Only the claim's acquire orders the
// other thread's read before that destruction.
TEST(ArcStressTest, ClaimAfterOtherThreadsDropSynchronizesWithThem) {
  NoLeaks no_leaks;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    Arc<Counted> mine = make_arc<Counted>(round);
    arc::Weak<Counted> weak = mine.downgrade();
    std::thread other([theirs = mine.clone(), round]() mutable {
      EXPECT_EQ(theirs->value(), round);
      Arc<Counted> drop_now = std::move(theirs);
    });
    while (mine.strong_count() != 1) {
    }
    if (round % 2 == 0) {
      mine.make_mut() = Counted(-round);
      EXPECT_EQ(mine->value(), -round);
    } else {
      std::expected<Counted, Arc<Counted>> value = std::move(mine).try_unwrap();
      ASSERT_TRUE(value.has_value());
      EXPECT_EQ(value->value(), round);
    }
    EXPECT_FALSE(weak.upgrade().has_value());
    other.join();
  }
}

// Threads make_mut() their own clones of one value concurrently: each gets a
// private copy (or, for the last one, possibly the original), and the readers
// of the original never see a write.
TEST(ArcStressTest, ConcurrentMakeMutGivesEachThreadItsOwnValue) {
  NoLeaks no_leaks;
  constexpr int kRounds = 200;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<Arc<Counted>> handles;
    handles.assign(kThreads, make_arc<Counted>(-1));
    arc::Weak<Counted> watcher = handles.front().downgrade();
    run_threads([&](int i) {
      Arc<Counted>& mine = handles.at(static_cast<std::size_t>(i));
      mine.make_mut() = Counted(i);
      EXPECT_EQ(mine->value(), i);
      EXPECT_EQ(mine.strong_count(), 1u);
    });
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ(handles.at(static_cast<std::size_t>(i))->value(), i);
    }
    // The last thread to call make_mut was alone with the Weak, so it moved
    // the value out: the original is gone either way.
    EXPECT_FALSE(watcher.upgrade().has_value());
  }
}

}  // namespace
}  // namespace ferrite
