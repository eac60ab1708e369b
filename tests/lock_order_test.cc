// tests/lock_order_test.cc — the deadlock detector of checked builds
// (ferrite/deadlock_detection.h): lock-order cycles and blocking while
// holding a lock are reported before any thread waits, even when no thread
// would ever have been stuck; try_lock adds no order; a destroyed lock
// leaves the graph; the setting changes at run time.
#include "ferrite/detail/lock_order.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <memory>
#include <optional>
#include <source_location>
#include <string>
#include <utility>
#include <vector>

#include "ferrite/barrier.h"
#include "ferrite/channel.h"
#include "ferrite/condvar.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "tests/support/panics_on_thread.h"

namespace {

using ferrite::DeadlockDetection;

// Every test starts and ends with the default, kPanic.
class LockOrder : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!ferrite::detail::kLockOrderChecks) GTEST_SKIP() << "a release build: no detector";
    ferrite::set_deadlock_detection(DeadlockDetection::kPanic);
  }
  void TearDown() override { ferrite::set_deadlock_detection(DeadlockDetection::kPanic); }
};

using ferrite::testing::panic_of;

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

std::string at_line(const std::source_location& site) {
  return "lock_order_test.cc:" + std::to_string(site.line());
}

TEST_F(LockOrder, OppositeOrdersOnOneThreadPanic) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  std::source_location first_a;
  std::source_location first_b;
  {
    first_a = std::source_location::current();
    auto ga = a.lock(first_a);
    first_b = std::source_location::current();
    auto gb = b.lock(first_b);
  }
  std::source_location second_a;
  const std::string message = panic_of([&] {
    auto gb = b.lock();
    second_a = std::source_location::current();
    auto ga = a.lock(second_a);
  });
  EXPECT_TRUE(mentions(message, "potential deadlock")) << message;
  EXPECT_TRUE(mentions(message, "closes a cycle in the lock order")) << message;
  EXPECT_TRUE(mentions(message, at_line(first_a))) << message;
  EXPECT_TRUE(mentions(message, at_line(first_b))) << message;
  EXPECT_TRUE(mentions(message, at_line(second_a))) << message;
  EXPECT_TRUE(mentions(message, "(now)")) << message;
  b.clear_poison();  // the panic unwound through b's guard
  // The refused order was not recorded: the first order still goes through.
  auto ga = a.lock();
  auto gb = b.lock();
  EXPECT_TRUE(ga && gb);
}

TEST_F(LockOrder, OppositeOrdersOnTwoThreadsThatNeverContendPanic) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  // One thread takes a then b, and is joined before the other starts: the
  // program can never hang, but the orders are a deadlock waiting to happen.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
       auto ga = a.lock();
       auto gb = b.lock();
     }).join();
  });
  std::string message;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    message = *s.spawn([&] {
                  return panic_of([&] {
                    auto gb = b.lock();
                    auto ga = a.lock();
                  });
                }).join();
  });
  EXPECT_TRUE(mentions(message, "potential deadlock")) << message;
  // Both threads are named: the one that took a then b, and this one.
  EXPECT_EQ(std::count(message.begin(), message.end(), '\n') >= 4, true) << message;
  EXPECT_TRUE(mentions(message, "by thread ")) << message;
}

TEST_F(LockOrder, ThreeLockCyclePanicsNamingEveryLock) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  ferrite::Mutex<int> c(0);
  {
    auto ga = a.lock();
    auto gb = b.lock();
  }
  {
    auto gb = b.lock();
    auto gc = c.lock();
  }
  const std::string message = panic_of([&] {
    auto gc = c.lock();
    auto ga = a.lock();
  });
  EXPECT_TRUE(mentions(message, "potential deadlock")) << message;
  for (const void* lock :
       {static_cast<const void*>(&a), static_cast<const void*>(&b), static_cast<const void*>(&c)}) {
    std::array<char, 32> address{};
    std::snprintf(address.data(), address.size(), "%p", lock);
    EXPECT_TRUE(mentions(message, address.data())) << message;
  }
  c.clear_poison();
}

TEST_F(LockOrder, ConsistentOrderIsNeverReported) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  ferrite::Mutex<int> c(0);
  for (int round = 0; round < 3; ++round) {
    auto ga = a.lock();
    auto gb = b.lock();
    auto gc = c.lock();
  }
  auto ga = a.lock();
  auto gc = c.lock();  // a before c: also the order above
  SUCCEED();
}

TEST_F(LockOrder, RwLockReadThenWriteCyclePanics) {
  ferrite::RwLock<int> a(0);
  ferrite::RwLock<int> b(0);
  {
    auto ra = a.read();
    auto wb = b.write();
  }
  const std::string message = panic_of([&] {
    auto rb = b.read();
    auto wa = a.write();
  });
  EXPECT_TRUE(mentions(message, "ferrite::RwLock")) << message;
  EXPECT_TRUE(mentions(message, "closes a cycle")) << message;
}

// A reader waits behind a waiting writer, so even two read locks in
// opposite orders can deadlock (with writers on both locks).
TEST_F(LockOrder, RwLockReadsInOppositeOrdersPanic) {
  ferrite::RwLock<int> a(0);
  ferrite::RwLock<int> b(0);
  {
    auto ra = a.read();
    auto rb = b.read();
  }
  const std::string message = panic_of([&] {
    auto rb = b.read();
    auto ra = a.read();
  });
  EXPECT_TRUE(mentions(message, "closes a cycle")) << message;
}

TEST_F(LockOrder, MutexAndRwLockMixPanics) {
  ferrite::Mutex<int> m(0);
  ferrite::RwLock<int> r(0);
  {
    auto wr = r.write();
    auto gm = m.lock();
  }
  const std::string message = panic_of([&] {
    auto gm = m.lock();
    auto rr = r.read();
  });
  EXPECT_TRUE(mentions(message, "ferrite::Mutex")) << message;
  EXPECT_TRUE(mentions(message, "ferrite::RwLock")) << message;
  m.clear_poison();
}

TEST_F(LockOrder, TryLockAddsNoOrder) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  ferrite::RwLock<int> r(0);
  {
    auto ga = a.lock();
    auto gb = b.try_lock();  // cannot block: no a -> b
    ASSERT_TRUE(gb);
    auto rr = r.try_read();
    ASSERT_TRUE(rr);
  }
  auto gb = b.lock();
  auto ga = a.lock();  // b -> a: the first order in the graph
  auto wr = r.try_write();
  EXPECT_TRUE(wr);
}

TEST_F(LockOrder, TryLockedLockCountsAsHeld) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  {
    auto ga = a.try_lock();
    ASSERT_TRUE(ga);
    auto gb = b.lock();  // a -> b: recorded
  }
  const std::string message = panic_of([&] {
    auto gb = b.lock();
    auto ga = a.lock();
  });
  EXPECT_TRUE(mentions(message, "closes a cycle")) << message;
  b.clear_poison();
}

TEST_F(LockOrder, RelockStillPanics) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  {
    auto gb = b.lock();
    auto ga = a.lock();
  }
  auto ga = a.lock();
  auto gb = b.try_lock();  // held a, then b: no edge (try)
  const std::string message = panic_of([&] { auto again = a.lock(); });
  EXPECT_TRUE(mentions(message, "this thread already holds the lock")) << message;
}

TEST_F(LockOrder, DestroyedLockLeavesTheGraph) {
  ferrite::Mutex<int> a(0);
  std::optional<ferrite::Mutex<int>> b(std::in_place, 0);
  const void* first_address = &*b;
  {
    auto ga = a.lock();
    auto gb = b->lock();  // a -> b
  }
  b.reset();
  b.emplace(0);  // very likely the same storage: the optional's
  ASSERT_EQ(static_cast<const void*>(&*b), first_address);
  auto gb = b->lock();
  auto ga = a.lock();  // new b -> a: no cycle, the old b is gone
  EXPECT_TRUE(ga && gb);
}

TEST_F(LockOrder, IgnoreRecordsNothing) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  ferrite::set_deadlock_detection(DeadlockDetection::kIgnore);
  EXPECT_EQ(ferrite::deadlock_detection(), DeadlockDetection::kIgnore);
  {
    auto ga = a.lock();
    auto gb = b.lock();
  }
  {
    auto gb = b.lock();
    auto ga = a.lock();
  }
  ferrite::set_deadlock_detection(DeadlockDetection::kPanic);
  // Nothing was recorded while ignoring, so this order is the first.
  auto gb = b.lock();
  auto ga = a.lock();
  EXPECT_TRUE(ga && gb);
}

TEST_F(LockOrder, ReportPrintsOnceAndCarriesOn) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  {
    auto ga = a.lock();
    auto gb = b.lock();
  }
  ferrite::set_deadlock_detection(DeadlockDetection::kReport);
  ::testing::internal::CaptureStderr();
  for (int round = 0; round < 3; ++round) {
    auto gb = b.lock();
    auto ga = a.lock();  // reported, and taken
    EXPECT_TRUE(ga && gb);
  }
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(mentions(printed, "potential deadlock")) << printed;
  EXPECT_EQ(printed.find("potential deadlock"), printed.rfind("potential deadlock")) << printed;
}

TEST_F(LockOrder, SettingChangedWhileLocksAreHeld) {
  ferrite::Mutex<int> a(0);
  ferrite::Mutex<int> b(0);
  ferrite::set_deadlock_detection(DeadlockDetection::kIgnore);
  auto ga = a.lock();  // unknown to the detector
  ferrite::set_deadlock_detection(DeadlockDetection::kPanic);
  {
    auto gb = b.lock();  // no edge from a, which the detector did not see
  }
  { auto released = std::move(ga); }
  auto gb = b.lock();
  auto again = a.lock();  // b -> a is the first order recorded
  EXPECT_TRUE(again && gb);
}

// --- blocking while holding a lock -----------------------------------------

// Runs `op` with a lock held (reported) and `free_op` without (not reported).
template <class Op>
std::string blocking_report_under_lock(Op op) {
  ferrite::Mutex<int> held(0);
  return panic_of([&] {
    auto guard = held.lock();
    op();
  });
}

TEST_F(LockOrder, RecvWhileHoldingIsReported) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  const std::string message = blocking_report_under_lock([&] { static_cast<void>(rx.recv()); });
  EXPECT_TRUE(mentions(message, "ferrite::channel::Receiver::recv may wait without end"))
      << message;
  EXPECT_TRUE(mentions(message, "lock_order_test.cc")) << message;
  // Without a lock: received.
  EXPECT_EQ(rx.recv(), 1);
  // recv_timeout ends by itself: not reported.
  ferrite::Mutex<int> held(0);
  auto guard = held.lock();
  EXPECT_FALSE(rx.recv_timeout(std::chrono::milliseconds(1)));
}

TEST_F(LockOrder, SendOnFullBoundedChannelWhileHoldingIsReported) {
  auto [tx, rx] = ferrite::channel::bounded<int>(1);
  {
    ferrite::Mutex<int> held(0);
    auto guard = held.lock();
    ASSERT_TRUE(tx.send(1));  // not full: cannot wait, not reported
  }
  const std::string message = blocking_report_under_lock([&] { static_cast<void>(tx.send(2)); });
  EXPECT_TRUE(mentions(message, "Sender::send on a full channel")) << message;
  // Without a lock: waits for the receiver.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      EXPECT_EQ(rx.recv(), 1);
      EXPECT_EQ(rx.recv(), 2);
    });
    EXPECT_TRUE(tx.send(2));
  });
}

TEST_F(LockOrder, UnboundedSendWhileHoldingIsNotReported) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ferrite::Mutex<int> held(0);
  auto guard = held.lock();
  EXPECT_TRUE(tx.send(1));
}

TEST_F(LockOrder, SelectWhileHoldingIsReported) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  ferrite::channel::Select sel;
  sel.recv(rx);
  const std::string message = blocking_report_under_lock([&] { static_cast<void>(sel.select()); });
  EXPECT_TRUE(mentions(message, "Select::select")) << message;
  auto op = sel.select();  // without a lock
  EXPECT_EQ(op.recv(rx), 1);
}

TEST_F(LockOrder, JoinWhileHoldingIsReported) {
  auto handle = ferrite::thread::spawn([] { return 7; });
  const std::string message = blocking_report_under_lock([&] { static_cast<void>(handle.join()); });
  EXPECT_TRUE(mentions(message, "JoinHandle::join")) << message;
  EXPECT_EQ(handle.join().value(), 7);  // the refused join took nothing

  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    auto scoped = s.spawn([] { return 8; });
    const std::string scoped_message =
        blocking_report_under_lock([&] { static_cast<void>(scoped.join()); });
    EXPECT_TRUE(mentions(scoped_message, "ScopedJoinHandle::join")) << scoped_message;
    EXPECT_EQ(scoped.join().value(), 8);  // without a lock
  });
}

TEST_F(LockOrder, TaskHandleJoinWhileHoldingIsReported) {
  const ferrite::ThreadPool pool(1);
  auto handle = pool.submit([] { return 9; });
  const std::string message = blocking_report_under_lock([&] { static_cast<void>(handle.join()); });
  EXPECT_TRUE(mentions(message, "ferrite::TaskHandle::join may wait without end")) << message;
  EXPECT_TRUE(mentions(message, "lock_order_test.cc")) << message;
  EXPECT_EQ(handle.join().value(), 9);  // without a lock; the refused join took nothing
}

TEST_F(LockOrder, BarrierWaitWhileHoldingIsReported) {
  const ferrite::Barrier single(1);
  const std::string message = blocking_report_under_lock([&] { single.wait(); });
  EXPECT_TRUE(mentions(message, "ferrite::Barrier::wait")) << message;
  EXPECT_TRUE(single.wait().is_leader());  // without a lock
}

TEST_F(LockOrder, CondvarWaitOnAnotherMutexWhileHoldingIsReported) {
  ferrite::Mutex<bool> ready(false);
  const ferrite::Condvar changed;
  const std::string message = blocking_report_under_lock([&] {
    auto guard = ready.lock();
    static_cast<void>(changed.wait(std::move(*guard)));
  });
  EXPECT_TRUE(mentions(message, "ferrite::Condvar::wait")) << message;
  ready.clear_poison();
  // Its own mutex only: waits normally.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      ready.with_lock([](bool& r) { r = true; });
      changed.notify_all();
    });
    auto guard = changed.wait_while(*ready.lock(), [](bool& r) { return !r; });
    EXPECT_TRUE(guard);
  });
  // A wait with a timeout ends by itself: not reported.
  ferrite::Mutex<int> other(0);
  auto held = other.lock();
  auto timed = changed.wait_timeout(*ready.lock(), std::chrono::milliseconds(1));
  EXPECT_TRUE(timed);
}

// More locks held at once than the detector's stack keeps, released first
// to last: afterwards the thread holds nothing (a stale entry would make the
// barrier's wait a wait under a lock).
TEST_F(LockOrder, MoreLocksThanTrackedReleasedOutOfOrderLeaveNothingHeld) {
  constexpr std::size_t kLocks = 40;
  std::vector<std::unique_ptr<ferrite::Mutex<int>>> locks;
  for (std::size_t i = 0; i < kLocks; ++i) locks.push_back(std::make_unique<ferrite::Mutex<int>>(0));
  {
    std::vector<ferrite::LockResult<ferrite::MutexGuard<int>>> guards;
    for (const auto& lock : locks) guards.push_back(lock->lock());
    for (auto& guard : guards) {
      auto released = std::move(guard);
    }
  }
  const ferrite::Barrier single(1);
  EXPECT_TRUE(single.wait().is_leader());
}

TEST_F(LockOrder, BlockingUnderLockAllowedSilencesTheBlockingReport) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  ferrite::Mutex<int> held(0);
  auto guard = held.lock();
  const ferrite::BlockingUnderLockAllowed allowed;
  EXPECT_EQ(rx.recv(), 1);
}

TEST_F(LockOrder, BlockingReportGoesToStderrInReportMode) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  ferrite::set_deadlock_detection(DeadlockDetection::kReport);
  ferrite::Mutex<int> held(0);
  auto guard = held.lock();
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(rx.recv(), 1);
  const std::string printed = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(mentions(printed, "Receiver::recv may wait without end")) << printed;
}

}  // namespace
