// tests/mpsc_test.cc — ferrite::mpsc: the behaviours of Rust's
// std::sync::mpsc tests (library/std/src/sync/mpsc/tests.rs and
// sync_tests.rs), in our own words.
#include "ferrite/mpsc.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/mutex.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"
#include "tests/support/test_types.h"

namespace {

using namespace std::chrono_literals;
using namespace ferrite::mpsc;
using namespace ferrite::testing;

template <class T>
concept CanMakeChannel = requires {
  channel<T>();
};

TEST(MpscDoc, HeaderExample) {
  auto [tx, rx] = channel<int>();
  auto worker = ferrite::thread::spawn([tx = tx.clone()] { ASSERT_TRUE(tx.send(42)); });
  EXPECT_EQ(*rx.recv(), 42);
  ASSERT_TRUE(worker.join());
}

TEST(Mpsc, Types) {
  static_assert(ferrite::Send<ferrite::mpsc::Receiver<int>>);
  static_assert(!ferrite::Sync<ferrite::mpsc::Receiver<int>>);
  static_assert(ferrite::Sync<ferrite::mpsc::Sender<int>>);
  static_assert(ferrite::Sync<ferrite::mpsc::SyncSender<int>>);
  static_assert(!std::is_copy_constructible_v<ferrite::mpsc::Receiver<int>>);
  static_assert(std::is_copy_constructible_v<ferrite::mpsc::SyncSender<int>>);
  static_assert(!CanMakeChannel<ferrite::Rc<int>>);
  static_assert(CanMakeChannel<ferrite::Arc<int>>);
}

TEST(Mpsc, Smoke) {
  auto [tx, rx] = channel<int>();
  ASSERT_TRUE(tx.send(1));
  EXPECT_EQ(*rx.recv(), 1);
}

TEST(Mpsc, DropFullAndShared) {
  NoLeaks no_leaks;
  auto [tx, rx] = channel<std::unique_ptr<Counted>>();
  ASSERT_TRUE(tx.send(std::make_unique<Counted>(1)));
  auto tx2 = tx.clone();
  ASSERT_TRUE(tx2.send(std::make_unique<Counted>(2)));
}

TEST(Mpsc, SmokeThreadsAndPortGone) {
  auto [tx, rx] = channel<int>();
  auto t = ferrite::thread::spawn([tx = tx] {
    for (int i = 0; i < 10; ++i) ASSERT_TRUE(tx.send(i));
  });
  for (int i = 0; i < 10; ++i) EXPECT_EQ(*rx.recv(), i);
  ASSERT_TRUE(t.join());
  { auto gone = std::move(rx); }
  EXPECT_FALSE(tx.send(1));
}

TEST(Mpsc, ChanGoneAndShared) {
  auto [tx, rx] = channel<int>();
  auto tx2 = tx.clone();
  { auto a = std::move(tx); }
  { auto b = std::move(tx2); }
  EXPECT_EQ(rx.recv().error(), RecvError{});
}

TEST(Mpsc, Stress) {
  auto [tx, rx] = channel<int>();
  constexpr int kThreads = 4;
  constexpr int kAmt = 10'000;
  ferrite::thread::scope([&, tx = std::move(tx)](ferrite::thread::Scope& s) mutable {
    for (int t = 0; t < kThreads; ++t) {
      s.spawn([tx = tx.clone()] {
        for (int i = 0; i < kAmt; ++i) ASSERT_TRUE(tx.send(1));
      });
    }
    { auto gone = std::move(tx); }
    int total = 0;
    for (int& v : rx) total += v;
    EXPECT_EQ(total, kThreads * kAmt);
  });
}

TEST(Mpsc, RecvTimeout) {
  auto [tx, rx] = channel<int>();
  EXPECT_EQ(rx.recv_timeout(1ms).error(), RecvTimeoutError::Timeout);
  ASSERT_TRUE(tx.send(1));
  EXPECT_EQ(*rx.recv_timeout(1ms), 1);
  EXPECT_EQ(rx.recv_deadline(std::chrono::steady_clock::now()).error(), RecvTimeoutError::Timeout);
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.recv_timeout(1ms).error(), RecvTimeoutError::Disconnected);
}

TEST(Mpsc, TryRecvStates) {
  auto [tx, rx] = channel<int>();
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
  ASSERT_TRUE(tx.send(10));
  EXPECT_EQ(*rx.try_recv(), 10);
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Disconnected);
}

TEST(Mpsc, IterAndTryIter) {
  auto [tx, rx] = channel<int>();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(tx.send(i));
  int count = 0;
  for (int& v : rx.try_iter()) count += v;
  EXPECT_EQ(count, 3);
  ASSERT_TRUE(tx.send(5));
  { auto gone = std::move(tx); }
  int sum = 0;
  for (int& v : rx.iter()) sum += v;
  EXPECT_EQ(sum, 5);
}

TEST(Mpsc, SharedReceiverBehindAMutex) {
  // The Rust book's pool: Arc<Mutex<Receiver>> shared by workers.
  auto [tx, rx] = channel<int>();
  auto shared = ferrite::make_arc<ferrite::Mutex<ferrite::mpsc::Receiver<int>>>(std::move(rx));
  for (int i = 1; i <= 100; ++i) ASSERT_TRUE(tx.send(i));
  { auto gone = std::move(tx); }
  std::atomic<int> sum{0};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int w = 0; w < 3; ++w) {
      s.spawn([&, shared = shared] {
        for (;;) {
          // The mutex lets one worker at a time wait in recv(): intended.
          auto msg = shared->with_lock([](ferrite::mpsc::Receiver<int>& rx) {
            const ferrite::BlockingUnderLockAllowed serialized_wait;
            return rx.recv();
          });
          if (!msg) return;
          sum += *msg;
        }
      });
    }
  });
  EXPECT_EQ(sum.load(), 5050);
}

TEST(SyncChannel, TrySendFullAndDisconnected) {
  auto [tx, rx] = sync_channel<int>(1);
  ASSERT_TRUE(tx.try_send(1));
  auto full = tx.try_send(2);
  ASSERT_FALSE(full);
  EXPECT_TRUE(full.error().is_full());
  EXPECT_EQ(*rx.recv(), 1);
  { auto gone = std::move(rx); }
  auto disc = tx.try_send(3);
  ASSERT_FALSE(disc);
  EXPECT_TRUE(disc.error().is_disconnected());
  EXPECT_EQ(std::move(disc.error()).into_inner(), 3);
}

TEST(SyncChannel, RendezvousBlocksUntilReceived) {
  auto [tx, rx] = sync_channel<int>(0);
  EXPECT_TRUE(tx.try_send(1).error().is_full());
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([tx = tx.clone()] { ASSERT_TRUE(tx.send(7)); });
    EXPECT_EQ(*rx.recv(), 7);
  });
}

TEST(SyncChannel, SendBlocksWhileFullThenDrains) {
  auto [tx, rx] = sync_channel<std::string>(2);
  ferrite::thread::scope([&, tx = std::move(tx)](ferrite::thread::Scope& s) mutable {
    s.spawn([tx = std::move(tx)] {
      for (int i = 0; i < 10; ++i) ASSERT_TRUE(tx.send(std::to_string(i)));
    });
    std::vector<std::string> got;
    for (std::string& v : rx) got.push_back(std::move(v));
    ASSERT_EQ(got.size(), 10u);
    EXPECT_EQ(got.back(), "9");
  });
}

TEST(SyncChannel, LeftoversDestroyedWithTheReceiver) {
  NoLeaks no_leaks;
  const long before = Counted::live();
  auto [tx, rx] = sync_channel<Counted>(4);
  ASSERT_TRUE(tx.send(Counted(1)));
  ASSERT_TRUE(tx.send(Counted(2)));
  EXPECT_EQ(Counted::live(), before + 2);
  { auto gone = std::move(rx); }
  EXPECT_EQ(Counted::live(), before);  // the sender is still alive
  EXPECT_FALSE(tx.send(Counted(3)));
}

TEST(MpscHandles, MovedFromReceiverPanics) {
  auto [tx, rx] = channel<int>();
  auto moved = std::move(rx);
  EXPECT_THROW(static_cast<void>(rx.try_recv()),
               ferrite::Panic);  // NOLINT(bugprone-use-after-move)
  ASSERT_TRUE(tx.send(1));
  EXPECT_EQ(*moved.recv(), 1);
}

}  // namespace
