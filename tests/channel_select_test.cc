// tests/channel_select_test.cc — ferrite::channel::Select: behaviours of
// crossbeam-channel's tests/select.rs and tests/ready.rs (and its
// select_macro.rs cases, written with the dynamic Select), in our own words.
#include "ferrite/channel_select.h"

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/barrier.h"
#include "ferrite/channel.h"
#include "ferrite/thread.h"
#include "tests/support/test_types.h"

namespace {

using namespace std::chrono_literals;
using namespace ferrite::channel;

// The flavor a test loops over: unbounded for a negative capacity, else
// bounded(cap) (0: rendezvous).
template <class T>
std::pair<Sender<T>, Receiver<T>> channel_of(int cap) {
  return cap < 0 ? unbounded<T>() : bounded<T>(static_cast<std::size_t>(cap));
}

// Selects on `sel`; expects the operation at `index`, a receive from `rx`,
// to be chosen and to deliver `value`.
void expect_selects(Select& sel, std::size_t index, const Receiver<int>& rx, int value) {
  auto op = sel.select();
  ASSERT_EQ(op.index(), index);
  EXPECT_EQ(*op.recv(rx), value);
}

// The same for a Select over a receive from rx1 (index 0) and from rx2 (1).
void expect_select_recv(const Receiver<int>& rx1, const Receiver<int>& rx2, std::size_t index,
                        int value) {
  Select sel;
  sel.recv(rx1);
  sel.recv(rx2);
  expect_selects(sel, index, index == 0 ? rx1 : rx2, value);
}

// Sends `value` through a Select whose one operation is a send on `tx`.
void select_send(const Sender<int>& tx, int value) {
  Select sel;
  sel.send(tx);
  auto op = sel.select();
  EXPECT_TRUE(op.send(tx, value));
}

// The header's example.
TEST(SelectDoc, HeaderExample) {
  auto [tx1, rx1] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  ASSERT_TRUE(tx2.send(7));
  Select sel;
  const std::size_t first = sel.recv(rx1);
  const std::size_t second = sel.recv(rx2);
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(second, 1u);
  SelectedOperation op = sel.select();
  EXPECT_EQ(op.index(), second);
  EXPECT_EQ(*op.recv(rx2), 7);
}

TEST(Select, PicksTheReadyReceiveOnEveryFlavor) {
  for (int cap : {-1, 1, 8}) {
    auto [tx1, rx1] = channel_of<int>(cap);
    auto [tx2, rx2] = channel_of<int>(cap);
    ASSERT_TRUE(tx1.send(1));
    expect_select_recv(rx1, rx2, 0, 1);
  }
}

TEST(Select, BlocksUntilAnotherThreadSends) {
  for (int cap : {-1, 0, 1}) {
    auto [tx1, rx1] = channel_of<int>(cap);
    auto [tx2, rx2] = channel_of<int>(cap);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { ASSERT_TRUE(tx2.send(2)); });
      expect_select_recv(rx1, rx2, 1, 2);
    });
  }
}

TEST(Select, SendOperationsOnEveryFlavor) {
  for (int cap : {-1, 0, 1}) {
    auto [tx, rx] = channel_of<int>(cap);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { EXPECT_EQ(*rx.recv(), 9); });
      select_send(tx, 9);
    });
  }
}

TEST(Select, SendAndReceiveOnOneRendezvousChannelDoNotPairWithThemselves) {
  auto [tx, rx] = bounded<int>(0);
  Select sel;
  sel.send(tx);
  sel.recv(rx);
  EXPECT_FALSE(sel.select_timeout(20ms).has_value());
  // With a partner thread, one of the two is selected and completes.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { EXPECT_EQ(*rx.recv(), 5); });
    select_send(tx, 5);  // a Select with the send alone
  });
}

// A rendezvous partner that is slow to finish its half: the waiting side
// spins briefly, then parks until the message is in (or out). Whichever side
// arrives first, the message must arrive intact and both sides must return.
// The sleeps only make the partner slow and make each arrival order likely;
// nothing depends on them (every order passes), the channel synchronizes.
TEST(Select, RendezvousPartnerSlowToWriteIsWaitedFor) {
  for (const bool sender_first : {true, false}) {
    auto [tx, rx] = bounded<std::string>(0);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] {
        if (!sender_first) std::this_thread::sleep_for(20ms);  // the receiver blocks first
        Select sel;
        sel.send(tx);
        SelectedOperation op = sel.select();
        std::this_thread::sleep_for(50ms);  // far longer than the waiting side spins
        EXPECT_TRUE(op.send(tx, std::string(100, 'z')));
      });
      if (sender_first) std::this_thread::sleep_for(20ms);  // the Select registers first
      EXPECT_EQ(*rx.recv(), std::string(100, 'z'));
    });
  }
}

// The same for a Select receiver whose partner's message is taken late: a
// blocked send() waits until the receiver has moved the message out.
TEST(Select, RendezvousSenderWaitsForASlowSelectReceiver) {
  auto [tx, rx] = bounded<std::string>(0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      std::this_thread::sleep_for(20ms);  // the sender blocks first
      Select sel;
      sel.recv(rx);
      SelectedOperation op = sel.select();
      std::this_thread::sleep_for(50ms);
      EXPECT_EQ(*op.recv(rx), "late");
    });
    EXPECT_TRUE(tx.send("late"));
  });
}

TEST(Select, DisconnectedOperationsAreReady) {
  auto [tx, rx] = unbounded<int>();
  { auto gone = std::move(tx); }
  Select sel;
  sel.recv(rx);
  auto op = sel.select();
  EXPECT_EQ(op.recv(rx).error(), RecvError{});

  auto [tx2, rx2] = bounded<std::string>(0);
  { auto gone = std::move(rx2); }
  Select send_sel;
  send_sel.send(tx2);
  auto send_op = send_sel.select();
  auto r = send_op.send(tx2, std::string("back"));
  ASSERT_FALSE(r);
  EXPECT_EQ(std::move(r.error()).into_inner(), "back");
}

TEST(Select, DisconnectionWakesABlockedSelect) {
  auto [tx, rx] = bounded<int>(0);
  ferrite::thread::scope([&, tx = std::move(tx)](ferrite::thread::Scope& s) mutable {
    s.spawn([tx = std::move(tx)] {});  // drops the last sender
    Select sel;
    sel.recv(rx);
    auto op = sel.select();
    EXPECT_EQ(op.recv(rx).error(), RecvError{});
  });
}

TEST(Select, TrySelectAndTimeout) {
  auto [tx, rx] = unbounded<int>();
  Select sel;
  sel.recv(rx);
  EXPECT_FALSE(sel.try_select().has_value());
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(sel.select_timeout(20ms).has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  ASSERT_TRUE(tx.send(3));
  auto op = sel.try_select();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(*op->recv(rx), 3);
  ASSERT_TRUE(tx.send(4));
  auto timed = sel.select_deadline(std::chrono::steady_clock::now() + 1h);
  ASSERT_TRUE(timed.has_value());
  EXPECT_EQ(*timed->recv(rx), 4);
}

TEST(Select, EmptySelect) {
  Select sel;
  EXPECT_FALSE(sel.try_select().has_value());
  EXPECT_FALSE(sel.select_timeout(5ms).has_value());
  EXPECT_FALSE(sel.try_ready().has_value());
  EXPECT_FALSE(sel.ready_timeout(5ms).has_value());
  EXPECT_THROW(static_cast<void>(sel.select()), ferrite::Panic);
  EXPECT_THROW(static_cast<void>(sel.ready()), ferrite::Panic);
}

TEST(Select, RemoveKeepsIndices) {
  auto [tx1, rx1] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  ASSERT_TRUE(tx1.send(1));
  ASSERT_TRUE(tx2.send(2));
  Select sel;
  const std::size_t a = sel.recv(rx1);
  const std::size_t b = sel.recv(rx2);
  sel.remove(a);
  EXPECT_THROW(sel.remove(a), ferrite::Panic);
  expect_selects(sel, b, rx2, 2);
}

// More operations than Select keeps in place (8): they move to the heap, and
// select, ready and remove behave the same on either side of that line.
TEST(Select, ManyOperationsSpillToTheHeap) {
  constexpr std::size_t kCount = 13;
  std::vector<ferrite::channel::Sender<int>> txs;
  std::vector<ferrite::channel::Receiver<int>> rxs;
  for (std::size_t i = 0; i < kCount; ++i) {
    auto [tx, rx] = bounded<int>(1);
    txs.push_back(std::move(tx));
    rxs.push_back(std::move(rx));
  }
  Select sel;
  for (std::size_t i = 0; i < kCount; ++i) EXPECT_EQ(sel.recv(rxs[i]), i);
  EXPECT_FALSE(sel.try_select().has_value());
  ASSERT_TRUE(txs[11].send(11));
  EXPECT_EQ(sel.ready(), 11u);
  {
    expect_selects(sel, 11u, rxs[11], 11);
  }
  // Remove one in the first eight and one after them; the rest keep their indices.
  sel.remove(2);
  sel.remove(12);
  EXPECT_THROW(sel.remove(12), ferrite::Panic);
  ASSERT_TRUE(txs[2].send(2));
  ASSERT_TRUE(txs[12].send(12));
  EXPECT_FALSE(sel.try_select().has_value());  // only removed operations are ready
  ASSERT_TRUE(txs[9].send(9));
  auto op = sel.select_timeout(1s);
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(op->index(), 9u);
  EXPECT_EQ(*op->recv(rxs[9]), 9);
  // Down to a few operations again: still correct.
  for (std::size_t i = 0; i < kCount; ++i) {
    if (i != 2 && i != 12 && i != 0) sel.remove(i);
  }
  ASSERT_TRUE(txs[0].send(0));
  expect_selects(sel, 0u, rxs[0], 0);
}

// Removing from an in-place Select keeps the other operations in order.
TEST(Select, RemoveInPlaceKeepsTheOthers) {
  auto [tx1, rx1] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  auto [tx3, rx3] = unbounded<int>();
  Select sel;
  sel.recv(rx1);
  const std::size_t b = sel.recv(rx2);
  sel.recv(rx3);
  sel.remove(0);
  sel.remove(2);
  ASSERT_TRUE(tx1.send(1));
  ASSERT_TRUE(tx3.send(3));
  EXPECT_FALSE(sel.try_ready().has_value());
  ASSERT_TRUE(tx2.send(2));
  expect_selects(sel, b, rx2, 2);
}

TEST(Select, WrongEndPanicsAndLeavesTheOperationPending) {
  auto [tx1, rx1] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  ASSERT_TRUE(tx1.send(1));
  Select sel;
  sel.recv(rx1);
  sel.recv(rx2);
  auto op = sel.select();
  ASSERT_EQ(op.index(), 0u);
  EXPECT_THROW(static_cast<void>(op.recv(rx2)), ferrite::Panic);
  EXPECT_THROW(static_cast<void>(op.send(tx1, 0)), ferrite::Panic);
  EXPECT_EQ(*op.recv(rx1), 1);
  EXPECT_THROW(static_cast<void>(op.recv(rx1)), ferrite::Panic);  // completed already
}

void drop_uncompleted_operation() {
  auto [tx, rx] = unbounded<int>();
  static_cast<void>(tx.send(1));
  Select sel;
  sel.recv(rx);
  auto op = sel.select();
}

TEST(SelectDeathTest, DroppingAnUncompletedOperationAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(drop_uncompleted_operation(), "destroyed without completing");
}

TEST(Select, AfterAndNeverArms) {
  auto [tx, rx] = unbounded<int>();
  auto timeout = ferrite::channel::after(20ms);
  auto never = ferrite::channel::never<int>();
  Select sel;
  sel.recv(rx);
  const std::size_t t = sel.recv(timeout);
  sel.recv(never);
  auto op = sel.select();
  ASSERT_EQ(op.index(), t);
  auto when = op.recv(timeout);
  ASSERT_TRUE(when);
  EXPECT_LE(*when, std::chrono::steady_clock::now());
  auto tick = ferrite::channel::tick(5ms);
  Select tick_sel;
  tick_sel.recv(never);
  tick_sel.recv(tick);
  for (int i = 0; i < 3; ++i) {
    auto tick_op = tick_sel.select();
    ASSERT_EQ(tick_op.index(), 1u);
    EXPECT_TRUE(tick_op.recv(tick));
  }
}

TEST(Select, FairnessBetweenReadyOperations) {
  auto [tx1, rx1] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  for (int i = 0; i < 1000; ++i) {
    ASSERT_TRUE(tx1.send(i));
    ASSERT_TRUE(tx2.send(i));
  }
  std::array<int, 2> hits = {0, 0};
  for (int i = 0; i < 1000; ++i) {
    Select sel;
    sel.recv(rx1);
    sel.recv(rx2);
    auto op = sel.select();
    ++hits.at(op.index());
    EXPECT_TRUE(op.index() == 0 ? op.recv(rx1) : op.recv(rx2));
  }
  EXPECT_GT(hits[0], 300);
  EXPECT_GT(hits[1], 300);
}

// With some operations ready and others not, each ready one is chosen with
// the same chance wherever it sits: the order is a uniform shuffle, drawn as
// the operations are tried. (Starting at a random place and going round
// would choose the first ready operation after a run of not-ready ones three
// times in five here.)
TEST(Select, FairnessWhenOnlySomeOperationsAreReady) {
  constexpr int kSelects = 3000;
  std::vector<Sender<int>> senders;
  std::vector<Receiver<int>> receivers;
  for (int i = 0; i < 5; ++i) {
    auto [tx, rx] = unbounded<int>();
    senders.push_back(std::move(tx));
    receivers.push_back(std::move(rx));
  }
  const std::array<std::size_t, 3> ready = {0, 3, 4};
  for (const std::size_t i : ready) {
    for (int m = 0; m < kSelects; ++m) ASSERT_TRUE(senders[i].send(m));
  }
  std::array<int, 5> hits = {};
  for (int round = 0; round < kSelects; ++round) {
    Select sel;
    for (const Receiver<int>& rx : receivers) sel.recv(rx);
    auto op = sel.select();
    const std::size_t index = op.index();
    ++hits.at(index);
    ASSERT_TRUE(op.recv(receivers.at(index)));
  }
  EXPECT_EQ(hits[1], 0);
  EXPECT_EQ(hits[2], 0);
  // A third each: 1,000 with a standard deviation of about 26.
  for (const std::size_t i : ready) {
    EXPECT_GT(hits.at(i), 850) << "operation " << i;
    EXPECT_LT(hits.at(i), 1150) << "operation " << i;
  }
}

TEST(Ready, ReportsWithoutStarting) {
  auto [tx, rx] = bounded<int>(1);
  Select sel;
  sel.recv(rx);
  EXPECT_FALSE(sel.try_ready().has_value());
  EXPECT_FALSE(sel.ready_timeout(10ms).has_value());
  ASSERT_TRUE(tx.send(1));
  EXPECT_EQ(sel.ready(), 0u);
  EXPECT_EQ(sel.ready(), 0u);  // nothing was taken
  EXPECT_EQ(*rx.try_recv(), 1);
  Select send_sel;
  send_sel.send(tx);
  EXPECT_EQ(send_sel.try_ready(), 0u);
  ASSERT_TRUE(tx.send(2));
  EXPECT_FALSE(send_sel.try_ready().has_value());  // full
}

TEST(Ready, WakesWhenAnotherThreadSends) {
  for (int cap : {-1, 0, 1}) {
    auto [tx, rx] = channel_of<int>(cap);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { ASSERT_TRUE(tx.send(1)); });
      Select sel;
      sel.recv(rx);
      EXPECT_EQ(sel.ready(), 0u);
      EXPECT_EQ(*rx.recv(), 1);
    });
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { EXPECT_EQ(*rx.recv(), 2); });
      Select sel;
      sel.send(tx);
      EXPECT_EQ(sel.ready(), 0u);
      ASSERT_TRUE(tx.send(2));
    });
  }
}

// Many threads selecting over shared channels: every message arrives once.
TEST(Select, StressSelectBoth) {
  for (int cap : {-1, 0, 1, 4}) {
    const int per_thread = 2'000;
    constexpr int kThreads = 3;
    std::vector<std::pair<ferrite::channel::Sender<int>, ferrite::channel::Receiver<int>>> chans;
    for (int i = 0; i < 3; ++i) chans.push_back(channel_of<int>(cap));
    std::atomic<long> sum{0};
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (int t = 0; t < kThreads; ++t) {
        s.spawn([&] {
          for (int i = 0; i < per_thread; ++i) {
            Select sel;
            for (const auto& c : chans) sel.send(c.first);
            auto op = sel.select();
            ASSERT_TRUE(op.send(chans[op.index()].first, i));
          }
        });
        s.spawn([&] {
          for (int i = 0; i < per_thread; ++i) {
            Select sel;
            for (const auto& c : chans) sel.recv(c.second);
            auto op = sel.select();
            sum += *op.recv(chans[op.index()].second);
          }
        });
      }
    });
    EXPECT_EQ(sum.load(), long{kThreads} * per_thread * (per_thread - 1) / 2) << cap;
  }
}

// --- ends destroyed while registered ------------------------------------------
//
// Select keeps its own copy of each end (a counted handle of the channel),
// never the end's address: an end destroyed or moved from while registered
// is never touched, and the operation is finished with another end of the
// same channel. Under ASan these would be stack-use-after-scope if Select
// kept addresses.
// audit: select-copy-construct
// audit: select-copy-destroy

TEST(SelectDestroyedEnd, SelectWorksOnTheCopyOnEveryFlavor) {
  for (int cap : {-1, 0, 1, 8}) {
    auto [tx, rx] = channel_of<int>(cap);
    auto [other_tx, other_rx] = unbounded<int>();
    Select sel;
    sel.recv(other_rx);
    std::size_t index = 0;
    {
      auto registered = rx.clone();
      index = sel.recv(registered);
    }  // `registered` is destroyed while registered
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { EXPECT_TRUE(tx.send(5)); });  // a rendezvous send waits for the select
      auto op = sel.select();
      ASSERT_EQ(op.index(), index) << cap;
      EXPECT_THROW(static_cast<void>(op.recv(other_rx)), ferrite::Panic);  // another channel
      EXPECT_EQ(*op.recv(rx), 5) << cap;  // another end of the selected channel
    });
  }
}

TEST(SelectDestroyedEnd, TrySelectAndReadyWorkOnTheCopy) {
  auto [tx, rx] = bounded<int>(4);
  Select sel;
  {
    auto registered = rx.clone();
    sel.recv(registered);
    auto also_registered = tx.clone();
    sel.send(also_registered);
  }
  // The receive is not ready, the send is.
  EXPECT_EQ(sel.ready(), 1u);
  EXPECT_EQ(sel.try_ready(), std::optional<std::size_t>(1));
  {
    auto op = sel.try_select();
    ASSERT_TRUE(op.has_value());
    ASSERT_EQ(op->index(), 1u);
    EXPECT_TRUE(op->send(tx, 3));
  }
  sel.remove(1);
  EXPECT_EQ(sel.ready(), 0u);
  auto op = sel.try_select();
  ASSERT_TRUE(op.has_value());
  EXPECT_EQ(*op->recv(rx), 3);
}

TEST(SelectDestroyedEnd, MovedFromEndAndTimerArm) {
  auto [tx, rx] = unbounded<int>();
  Select sel;
  sel.recv(rx);
  std::optional<ferrite::channel::Receiver<ferrite::channel::Instant>> timeout(
      ferrite::channel::after(1ms));
  const std::size_t t = sel.recv(*timeout);
  const auto keep = timeout->clone();
  timeout.reset();  // the registered timer end is gone; `keep` finishes the operation
  {
    auto op = sel.select();
    ASSERT_EQ(op.index(), t);
    EXPECT_TRUE(op.recv(keep));
  }
  sel.remove(t);
  auto moved = std::move(rx);  // the registered end is moved from
  ASSERT_TRUE(tx.send(8));
  auto op = sel.select();
  ASSERT_EQ(op.index(), 0u);
  EXPECT_THROW(static_cast<void>(op.recv(rx)), ferrite::Panic);  // moved from: not that channel
  EXPECT_EQ(*op.recv(moved), 8);
}

// The copy is a handle: the last sender, destroyed while registered, still
// counts until the Select lets go of it.
TEST(SelectDestroyedEnd, RegisteredSenderCountsUntilTheSelectGoes) {
  auto [tx, rx] = unbounded<int>();
  {
    Select sel;
    {
      auto last = std::move(tx);
      sel.send(last);
    }
    EXPECT_EQ(rx.try_recv().error(), ferrite::channel::TryRecvError::Empty);
  }
  EXPECT_EQ(rx.try_recv().error(), ferrite::channel::TryRecvError::Disconnected);
}

// Past the in-place storage the copies live on the heap; removing and adding
// again reuses the in-place storage. Every end is gone before select().
TEST(SelectDestroyedEnd, ManyDestroyedEndsSpillAndRemove) {
  constexpr std::size_t kCount = 11;
  std::vector<ferrite::channel::Sender<int>> txs;
  std::vector<ferrite::channel::Receiver<int>> keep;
  Select sel;
  for (std::size_t i = 0; i < kCount; ++i) {
    auto [tx, rx] = bounded<int>(1);
    EXPECT_EQ(sel.recv(rx), i);
    txs.push_back(std::move(tx));
    keep.push_back(rx.clone());
  }  // each registered `rx` is destroyed
  sel.remove(3);
  sel.remove(9);
  std::size_t again = 0;
  {
    auto [tx, rx] = bounded<int>(1);
    again = sel.recv(rx);
    txs.push_back(std::move(tx));
    keep.push_back(rx.clone());
  }
  EXPECT_EQ(again, kCount);
  ASSERT_TRUE(txs[kCount].send(42));
  expect_selects(sel, kCount, keep[kCount], 42);
  ASSERT_TRUE(txs[10].send(10));
  expect_selects(sel, 10u, keep[10], 10);
}

TEST(SelectDestroyedEnd, CopiesAndMovesOfASelect) {
  auto [tx, rx] = unbounded<int>();
  auto [tx2, rx2] = unbounded<int>();
  std::optional<Select> original(std::in_place);
  {
    auto a = rx.clone();
    auto b = rx2.clone();
    original->recv(a);
    original->recv(b);
  }
  Select copy = *original;
  Select moved = std::move(*original);
  original.reset();
  EXPECT_FALSE(copy.try_select().has_value());
  ASSERT_TRUE(tx2.send(2));
  {
    auto op = copy.select();
    ASSERT_EQ(op.index(), 1u);
    EXPECT_EQ(*op.recv(rx2), 2);
  }
  ASSERT_TRUE(tx.send(1));
  {
    auto op = moved.select();
    ASSERT_EQ(op.index(), 0u);
    EXPECT_EQ(*op.recv(rx), 1);
  }
  copy = moved;
  moved = Select();
  EXPECT_FALSE(moved.try_ready().has_value());
  ASSERT_TRUE(tx2.send(3));
  auto op = copy.select();
  ASSERT_EQ(op.index(), 1u);
  EXPECT_EQ(*op.recv(rx2), 3);
}

// Finishing with the wrong direction of the right channel panics.
TEST(SelectDestroyedEnd, WrongDirectionOfTheSelectedChannelPanics) {
  auto [tx, rx] = bounded<int>(1);
  Select sel;
  sel.recv(rx);
  sel.send(tx);
  auto op = sel.select();  // only the send is ready
  ASSERT_EQ(op.index(), 1u);
  EXPECT_THROW(static_cast<void>(op.recv(rx)), ferrite::Panic);
  EXPECT_TRUE(op.send(tx.clone(), 1));  // a temporary clone of the selected end is fine
}

// --- loans: every way a lent end can go while registered -----------------------
//
// Select lends the ends it is given (an uncounted copy, recorded in the
// adding thread's table of loans) and reads the end itself only when the
// operation is added. When the last count of a lent side is released while
// the loan is live (the end destroyed; moved from and the new owner
// destroyed; assigned to; in this thread or another), the loan takes the
// count over: the side stays connected until the Select lets go, as if the
// Select had counted its own copy.
// audit: select-loan-construct
// audit: select-loan-destroy

// The receivers' side is held while `sel` lives: sends succeed; once it is
// gone they fail, and the buffered message is destroyed (ASan: no leak).
void expect_receivers_held_by(std::optional<Select>& sel, const Sender<std::string>& tx) {
  EXPECT_TRUE(tx.send(std::string(64, 'x')));  // on the heap: leaked if never destroyed
  sel.reset();
  EXPECT_FALSE(tx.send(std::string(64, 'y')));
}

TEST(SelectLentEnd, LastReceiverDestroyedWhileRegistered) {
  for (int cap : {-1, 1, 8}) {
    auto [tx, rx] = channel_of<std::string>(cap);
    std::optional<Select> sel(std::in_place);
    {
      auto last = std::move(rx);
      sel->recv(last);
    }  // the last receiver is destroyed: the loan takes its count over
    EXPECT_FALSE(sel->try_ready().has_value()) << cap;
    expect_receivers_held_by(sel, tx);
  }
}

TEST(SelectLentEnd, MovedFromThenTheNewOwnerDestroyed) {
  auto [tx, rx] = unbounded<std::string>();
  std::optional<Select> sel(std::in_place);
  sel->recv(rx);
  { auto moved = std::move(rx); }  // the registered end is moved from; the count released
  EXPECT_THROW(static_cast<void>(rx.try_recv()), ferrite::Panic);  // moved from
  expect_receivers_held_by(sel, tx);
}

TEST(SelectLentEnd, AssignedToWhileRegistered) {
  auto [tx, rx] = unbounded<std::string>();
  auto [tx2, rx2] = unbounded<std::string>();
  std::optional<Select> sel(std::in_place);
  const std::size_t first = sel->recv(rx);
  rx = std::move(rx2);  // the registered end now holds the other channel
  ASSERT_TRUE(tx2.send("other"));
  EXPECT_EQ(sel->try_ready(), std::nullopt);  // the loan is of the first channel
  ASSERT_TRUE(tx.send("first"));
  EXPECT_EQ(sel->ready(), first);
  EXPECT_EQ(*rx.try_recv(), "other");
  expect_receivers_held_by(sel, tx);
}

TEST(SelectLentEnd, SwappedWhileRegistered) {
  for (int cap : {-1, 0, 1, 8}) {
    auto [tx1, rx1] = channel_of<int>(cap);
    auto [tx2, rx2] = channel_of<int>(cap);
    Select sel;
    const std::size_t one = sel.recv(rx1);
    const std::size_t two = sel.recv(rx2);
    std::swap(rx1, rx2);  // each registered end now holds the other's channel
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { EXPECT_TRUE(tx2.send(2)); });
      auto op = sel.select();
      ASSERT_EQ(op.index(), two) << cap;
      EXPECT_THROW(static_cast<void>(op.recv(rx2)), ferrite::Panic);  // now the first channel
      EXPECT_EQ(*op.recv(rx1), 2) << cap;
    });
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([&] { EXPECT_TRUE(tx1.send(1)); });
      auto op = sel.select();
      ASSERT_EQ(op.index(), one) << cap;
      EXPECT_EQ(*op.recv(rx2), 1) << cap;
    });
  }
}

// The last sender goes in another thread while this thread's Select lends
// it: the release there finds the loan here.
TEST(SelectLentEnd, LastSenderDestroyedInAnotherThread) {
  for (int cap : {-1, 0, 1, 8}) {
    auto [tx, rx] = channel_of<int>(cap);
    std::optional<Select> sel(std::in_place);
    sel->send(tx);
    ferrite::thread::spawn([last = std::move(tx)] {}).join();
    EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty) << cap;  // still connected
    sel.reset();
    EXPECT_EQ(rx.try_recv().error(), TryRecvError::Disconnected) << cap;
  }
}

// One end shared by const& between two scoped threads, each with its own
// Selects over it, while a third thread sends; the ends outlive the scope.
TEST(SelectLentEnd, SharedByConstRefBetweenScopedThreads) {
  for (int cap : {-1, 0, 1, 8}) {
    auto [tx, rx] = channel_of<int>(cap);
    auto [tx2, rx2] = channel_of<int>(cap);
    constexpr int kPerThread = 200;
    std::atomic<long> sum{0};
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (int t = 0; t < 2; ++t) {
        s.spawn([&] {
          for (int i = 0; i < kPerThread; ++i) {
            Select sel;
            sel.recv(rx);
            sel.recv(rx2);
            auto op = sel.select();
            sum += *op.recv(op.index() == 0 ? rx : rx2);
          }
        });
      }
      s.spawn([&] {
        for (int i = 0; i < kPerThread; ++i) {
          EXPECT_TRUE(tx.send(1));
          EXPECT_TRUE(tx2.send(2));
        }
      });
    });
    EXPECT_EQ(sum.load(), 3L * kPerThread) << cap;
  }
}

// An end shared through an Arc: each scoped thread lends it and drops its
// own Arc while its Select lives; the last Arc goes wherever it goes, and the
// side stays connected until every Select has let go.
TEST(SelectLentEnd, SharedEndsLastArcGoesWhileLent) {
  for (int round = 0; round < 20; ++round) {
    auto [tx, rx] = unbounded<int>();
    std::optional<ferrite::Arc<Sender<int>>> shared(ferrite::make_arc<Sender<int>>(std::move(tx)));
    ferrite::Barrier lent(3);
    ferrite::Barrier released(3);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (int t = 0; t < 2; ++t) {
        s.spawn([&, mine = std::optional(*shared)]() mutable {
          Select sel;
          sel.send(**mine);
          mine.reset();
          lent.wait();
          released.wait();  // every Arc is gone now
          EXPECT_EQ(sel.ready(), 0u);  // the loan still reaches the channel
          EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);  // and holds its senders
        });
      }
      lent.wait();
      shared.reset();
      released.wait();
    });
    EXPECT_EQ(rx.try_recv().error(), TryRecvError::Disconnected);
  }
}

// The last release racing with the end of the loan it finds, many times:
// exactly one of them disconnects (ASan: the buffered message is destroyed
// once; TSan: the handshake is race-free).
TEST(SelectLentEnd, LastReleaseRacesTheEndOfTheLoan) {
  constexpr int kRounds = 300;
  for (int i = 0; i < kRounds; ++i) {
    auto [tx, rx] = unbounded<std::string>();
    ASSERT_TRUE(tx.send(std::string(64, 'm')));
    std::optional<Select> sel(std::in_place);
    sel->recv(rx);
    auto dropper = ferrite::thread::spawn([last = std::move(rx)] {});
    sel.reset();
    dropper.join();
    EXPECT_FALSE(tx.send(std::string(64, 'n')));
  }
}

// A copy of a Select whose loan holds a side that has no end left, made
// when the thread has no free slot: the copy counts the side, and the side
// goes only when both have let go.
TEST(SelectLentEnd, CountedCopyOfALoanThatHoldsTheSide) {
  auto [tx, rx] = unbounded<std::string>();
  std::optional<Select> sel(std::in_place);
  {
    auto last = std::move(rx);
    sel->recv(last);
  }  // the loan holds the receivers' side
  Select full;  // takes this thread's free slots
  std::vector<Receiver<int>> fillers;
  for (int i = 0; i < 70; ++i) {
    auto [filler_tx, filler_rx] = unbounded<int>();
    full.recv(filler_rx);
    fillers.push_back(std::move(filler_rx));
  }
  std::optional<Select> copy(std::in_place, *sel);
  sel.reset();
  EXPECT_TRUE(tx.send(std::string(64, 'h')));  // held by the copy
  copy.reset();
  EXPECT_FALSE(tx.send(std::string(64, 'g')));
}

// More loans than a thread's table holds: the rest are counted copies, and a
// copy of a Select lends again.
TEST(SelectLentEnd, MoreOperationsThanLoanSlots) {
  constexpr std::size_t kCount = 100;
  std::vector<Sender<int>> txs;
  std::vector<Receiver<int>> keep;
  Select sel;
  for (std::size_t i = 0; i < kCount; ++i) {
    auto [tx, rx] = bounded<int>(1);
    EXPECT_EQ(sel.recv(rx), i);
    txs.push_back(std::move(tx));
    if (i % 2 == 0) keep.push_back(rx.clone());
  }  // each registered `rx` is destroyed; every other one was the last receiver
  Select copy = sel;
  ASSERT_TRUE(txs[98].send(98));
  expect_selects(copy, 98u, keep[49], 98);
  EXPECT_TRUE(txs[97].send(97));  // lent, its last receiver gone: held by the Selects
  sel.remove(97);
  copy.remove(97);
  EXPECT_FALSE(txs[97].send(97));  // let go by both
  ASSERT_TRUE(txs[4].send(4));
  expect_selects(sel, 4u, keep[2], 4);
}

}  // namespace

// --- operations whose channel is locked by another thread ---------------------
//
// run_select (internal) puts off an operation whose channel another thread
// holds locked (SelectHandle::try_select_unless_busy) until every other
// operation was found not ready, then waits for that lock. A handle that
// scripts both answers and counts the calls checks the policy; which order
// the shuffle picks does not matter to any of the checks.

namespace {

using ferrite::detail::Context;
using ferrite::detail::Deadline;
using ferrite::detail::kNoDeadline;
using ferrite::detail::Operation;
using ferrite::detail::SelectEntry;
using ferrite::detail::SelectHandle;
using ferrite::detail::SelectResult;
using ferrite::detail::Token;

class ScriptedHandle final : public SelectHandle {
 public:
  ScriptedHandle(bool busy, bool ready_when_waited) : busy_(busy), ready_(ready_when_waited) {}

  bool try_select(Token&) const override {
    ++waited;
    return ready_;
  }
  bool try_select_unless_busy(Token& token, bool& busy) const override {
    ++tried;
    if (busy_) {
      busy = true;
      return false;
    }
    return try_select(token);
  }
  Deadline deadline() const noexcept override { return kNoDeadline; }
  bool register_op(Operation, const Context&) const override { return false; }
  void unregister(Operation) const noexcept override {}
  bool accept(Token&, const Context&) const override { return false; }
  bool is_ready() const override { return ready_; }
  bool watch(Operation, const Context&) const override { return false; }
  void unwatch(Operation) const noexcept override {}
  SelectHandle* copy_into(void*) const override { return nullptr; }
  void destroy_copy() noexcept override {}
  SelectHandle* loan_into(void*, const void*&) const override { return nullptr; }
  void release_handed() const noexcept override {}
  const void* channel_id() const noexcept override { return this; }

  mutable int tried = 0;   // try_select_unless_busy calls
  mutable int waited = 0;  // try_select calls (with the lock, for a busy one)

 private:
  bool busy_;
  bool ready_;
};

std::vector<SelectEntry> entries_of(std::vector<ScriptedHandle>& handles) {
  std::vector<SelectEntry> entries;
  for (std::size_t i = 0; i < handles.size(); ++i) {
    entries.push_back(SelectEntry{&handles[i], nullptr, nullptr, nullptr, i, false});
  }
  return entries;
}

// A ready operation is taken before a busy one is waited for, whichever
// comes first after the shuffle.
TEST(SelectBusyChannel, AReadyOperationGoesBeforeWaitingForALock) {
  for (int round = 0; round < 40; ++round) {
    std::vector<ScriptedHandle> handles{ScriptedHandle(/*busy=*/true, /*ready=*/true),
                                        ScriptedHandle(/*busy=*/false, /*ready=*/true)};
    std::vector<SelectEntry> entries = entries_of(handles);
    SelectResult out{};
    ASSERT_TRUE(ferrite::detail::run_select(entries, /*now_only=*/true, kNoDeadline, out));
    EXPECT_EQ(out.index, 1u);
    EXPECT_EQ(handles[0].waited, 0) << "waited for the busy channel's lock";
  }
}

// When nothing else is ready, the busy operation is tried once more, with
// its lock: busy is not "not ready".
TEST(SelectBusyChannel, ABusyOperationIsWaitedForWhenNothingElseIsReady) {
  for (int round = 0; round < 40; ++round) {
    std::vector<ScriptedHandle> handles{ScriptedHandle(/*busy=*/false, /*ready=*/false),
                                        ScriptedHandle(/*busy=*/true, /*ready=*/true),
                                        ScriptedHandle(/*busy=*/false, /*ready=*/false)};
    std::vector<SelectEntry> entries = entries_of(handles);
    SelectResult out{};
    ASSERT_TRUE(ferrite::detail::run_select(entries, /*now_only=*/true, kNoDeadline, out));
    EXPECT_EQ(out.index, 1u);
    EXPECT_EQ(handles[1].tried, 1);
    EXPECT_EQ(handles[1].waited, 1);
    EXPECT_EQ(handles[0].tried + handles[2].tried, 2) << "every other operation was tried first";
  }
}

// try_select() with nothing ready: every operation is tried exactly once,
// a busy one with its lock, and nothing is selected.
TEST(SelectBusyChannel, NothingReadyTriesEachOperationOnce) {
  std::vector<ScriptedHandle> handles{ScriptedHandle(/*busy=*/true, /*ready=*/false),
                                      ScriptedHandle(/*busy=*/false, /*ready=*/false)};
  std::vector<SelectEntry> entries = entries_of(handles);
  SelectResult out{};
  EXPECT_FALSE(ferrite::detail::run_select(entries, /*now_only=*/true, kNoDeadline, out));
  EXPECT_EQ(handles[0].tried, 1);
  EXPECT_EQ(handles[0].waited, 1);
  EXPECT_EQ(handles[1].tried, 1);
  EXPECT_EQ(handles[1].waited, 1);
}

// More operations than can be put off (64): the first 64 after the shuffle
// are tried without waiting and the busy ones among them retried with their
// lock; the rest are tried with their lock at once. Each is waited for
// exactly once, none is skipped.
TEST(SelectBusyChannel, BeyondSixtyFourOperationsTheRestWaitAtOnce) {
  std::vector<ScriptedHandle> handles;
  for (int i = 0; i < 70; ++i) handles.emplace_back(/*busy=*/true, /*ready=*/false);
  std::vector<SelectEntry> entries = entries_of(handles);
  SelectResult out{};
  EXPECT_FALSE(ferrite::detail::run_select(entries, /*now_only=*/true, kNoDeadline, out));
  int tried = 0;
  for (const ScriptedHandle& h : handles) {
    EXPECT_EQ(h.waited, 1);
    tried += h.tried;
  }
  EXPECT_EQ(tried, 64);
}

}  // namespace
