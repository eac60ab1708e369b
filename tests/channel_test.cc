// tests/channel_test.cc — ferrite::channel: the three flavors, timers,
// disconnection, instance counting, iterators, and MPMC stress. Behaviours
// ported (in our own words) from crossbeam-channel's tests/{array,list,zero,
// after,tick,never}.rs. Select: channel_select_test.cc; Go's tests:
// channel_golang_test.cc.
#include "ferrite/channel.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <new>
#include <numeric>
#include <optional>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/barrier.h"
#include "ferrite/channel/list.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"
#include "tests/support/sanitizer_scale.h"
#include "tests/support/test_types.h"

namespace {

using namespace std::chrono_literals;
using namespace ferrite::channel;
using namespace ferrite::testing;

// Scales stress counts down under sanitizers.
constexpr int scaled(int n) { return kSanitized ? n / 20 : n; }

// The three flavors: zero (rendezvous), array (bounded; capacity 1, and 16
// so that a send can find free room while others wait), list (unbounded).
enum class Flavor { kRendezvous, kBounded1, kBounded16, kUnbounded };

std::string flavor_name(Flavor flavor) {
  switch (flavor) {
    case Flavor::kRendezvous:
      return "Rendezvous";
    case Flavor::kBounded1:
      return "Bounded1";
    case Flavor::kBounded16:
      return "Bounded16";
    case Flavor::kUnbounded:
      return "Unbounded";
  }
  return "Unknown";
}

class Flavors : public ::testing::TestWithParam<Flavor> {
 protected:
  template <class T>
  std::pair<Sender<T>, Receiver<T>> make() const {
    return is_unbounded() ? unbounded<T>() : bounded<T>(capacity());
  }
  bool rendezvous() const { return GetParam() == Flavor::kRendezvous; }
  bool is_unbounded() const { return GetParam() == Flavor::kUnbounded; }
  // The capacity of a bounded flavor (0 for the rendezvous channel).
  std::size_t capacity() const {
    switch (GetParam()) {
      case Flavor::kBounded1:
        return 1;
      case Flavor::kBounded16:
        return 16;
      case Flavor::kRendezvous:
      case Flavor::kUnbounded:
        break;
    }
    return 0;
  }
  // How many sends fit before a send blocks (bounded flavors).
  int room() const { return static_cast<int>(capacity()); }
};

INSTANTIATE_TEST_SUITE_P(Channel, Flavors,
                         ::testing::Values(Flavor::kRendezvous, Flavor::kBounded1,
                                           Flavor::kBounded16, Flavor::kUnbounded),
                         [](const auto& info) { return flavor_name(info.param); });

template <class T>
concept CanMakeUnbounded = requires {
  unbounded<T>();
};
template <class T>
concept CanMakeBounded = requires {
  bounded<T>(1);
};

// The header's examples.
TEST(ChannelDoc, HeaderExample) {
  auto [tx, rx] = unbounded<int>();
  auto worker = ferrite::thread::spawn([tx = tx] {
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(tx.send(i));
  });
  ASSERT_TRUE(worker.join());
  EXPECT_EQ(*rx.recv(), 0);
  EXPECT_EQ(*rx.recv(), 1);
  EXPECT_EQ(*rx.recv(), 2);
}

TEST(ChannelDoc, SenderExample) {
  auto [tx, rx] = bounded<int>(1);
  ASSERT_TRUE(tx.send(1));
  auto r = tx.send_timeout(2, 1ms);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_timeout());
  EXPECT_EQ(std::move(r.error()).into_inner(), 2);
}

TEST(ChannelDoc, ReceiverExample) {
  auto [tx, rx] = unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  ASSERT_TRUE(tx.send(2));
  { auto gone = std::move(tx); }
  int sum = 0;
  for (int& v : rx) sum += v;
  EXPECT_EQ(sum, 3);
  EXPECT_EQ(rx.recv().error(), RecvError{});
}

TEST(ChannelDoc, ErrorExample) {
  auto [tx, rx] = bounded<int>(1);
  ASSERT_TRUE(tx.send(1));
  auto full = tx.try_send(2);
  ASSERT_FALSE(full);
  EXPECT_TRUE(full.error().is_full());
  EXPECT_EQ(full.error().kind(), TrySendErrorKind::Full);
  EXPECT_EQ(std::move(full.error()).into_inner(), 2);
  EXPECT_EQ(full.error().message(), "sending on a full channel");
}

TEST(ChannelErrors, Messages) {
  EXPECT_EQ(RecvError::message(), "receiving on a closed channel");
  EXPECT_EQ(ferrite::message(TryRecvError::Empty), "receiving on an empty channel");
  EXPECT_EQ(ferrite::message(TryRecvError::Disconnected),
            "receiving on an empty and disconnected channel");
  EXPECT_EQ(ferrite::message(RecvTimeoutError::Timeout), "timed out waiting on channel");
  EXPECT_EQ(ferrite::message(RecvTimeoutError::Disconnected),
            "channel is empty and sending half is closed");
  ferrite::SendError<int> send(1);
  EXPECT_EQ(send.message(), "sending on a closed channel");
  EXPECT_EQ(send.get_ref(), 1);
  ferrite::TrySendError<int> disc(TrySendErrorKind::Disconnected, 2);
  EXPECT_TRUE(disc.is_disconnected());
  EXPECT_EQ(disc.message(), "sending on a closed channel");
  ferrite::SendTimeoutError<int> timeout(ferrite::SendTimeoutErrorKind::Timeout, 3);
  EXPECT_EQ(timeout.message(), "timed out waiting on send operation");
  EXPECT_EQ(timeout.get_ref(), 3);
  ferrite::SendTimeoutError<int> gone(ferrite::SendTimeoutErrorKind::Disconnected, 4);
  EXPECT_TRUE(gone.is_disconnected());
  EXPECT_EQ(gone.message(), "sending on a closed channel");
  // The same types in both namespaces.
  static_assert(std::is_same_v<ferrite::channel::SendError<int>, ferrite::SendError<int>>);
}

TEST(ChannelTypes, SendSyncAndMessageRules) {
  static_assert(ferrite::Send<Sender<int>> && ferrite::Sync<Sender<int>>);
  static_assert(ferrite::Send<Receiver<int>> && ferrite::Sync<Receiver<int>>);
  static_assert(std::is_copy_constructible_v<Sender<int>>);
  static_assert(std::is_copy_constructible_v<Receiver<int>>);
  // Non-Send messages and throwing moves are rejected by the constructors.
  static_assert(!CanMakeUnbounded<ferrite::Rc<int>>);
  static_assert(!CanMakeBounded<ferrite::Rc<int>>);
  static_assert(!CanMakeUnbounded<Fragile>);
  static_assert(!CanMakeBounded<Fragile>);
  static_assert(!CanMakeBounded<const int>);
  static_assert(CanMakeUnbounded<std::unique_ptr<Fragile>>);
  static_assert(CanMakeBounded<ferrite::Arc<int>>);
}

TEST_P(Flavors, SmokeAndCapacity) {
  auto [tx, rx] = make<int>();
  EXPECT_EQ(tx.capacity(), rx.capacity());
  if (is_unbounded()) {
    EXPECT_EQ(tx.capacity(), std::nullopt);
    EXPECT_FALSE(tx.is_full());
  } else {
    EXPECT_EQ(tx.capacity(), capacity());
  }
  EXPECT_TRUE(rx.is_empty());
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
  if (rendezvous()) {
    EXPECT_TRUE(tx.is_full());
    auto r = tx.try_send(7);
    ASSERT_FALSE(r);
    EXPECT_TRUE(r.error().is_full());
    return;
  }
  ASSERT_TRUE(tx.try_send(7));
  EXPECT_EQ(tx.len(), 1u);
  EXPECT_FALSE(rx.is_empty());
  EXPECT_EQ(*rx.try_recv(), 7);
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
}

TEST(ArrayFlavor, LenIsFullAndWraparound) {
  auto [tx, rx] = bounded<int>(3);
  for (int lap = 0; lap < 50; ++lap) {
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(tx.len(), static_cast<std::size_t>(i));
      ASSERT_TRUE(tx.try_send(i));
    }
    EXPECT_TRUE(tx.is_full());
    EXPECT_TRUE(tx.try_send(9).error().is_full());
    for (int i = 0; i < 3; ++i) EXPECT_EQ(*rx.try_recv(), i);
    EXPECT_TRUE(rx.is_empty());
  }
}

TEST(ListFlavor, LenAcrossBlocks) {
  auto [tx, rx] = unbounded<int>();
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(rx.len(), static_cast<std::size_t>(i));
    ASSERT_TRUE(tx.send(i));
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(*rx.recv(), i);
    EXPECT_EQ(rx.len(), static_cast<std::size_t>(99 - i));
  }
}

TEST(ArrayFlavor, ZeroCapacityIsRendezvousAndHugePanics) {
  auto [tx, rx] = bounded<int>(0);
  EXPECT_EQ(tx.capacity(), 0u);
  EXPECT_THROW(bounded<int>(static_cast<std::size_t>(-1)), ferrite::Panic);
}

// A capacity that passes the range check but whose slots overflow a size_t:
// std::bad_array_new_length (a std::bad_alloc), before any allocation.
TEST(ArrayFlavor, CapacityTooLargeForMemoryThrowsBadAlloc) {
  using Page = std::array<char, 4096>;
  EXPECT_THROW(bounded<int>(static_cast<std::size_t>(-1) / 8), std::bad_array_new_length);
  EXPECT_THROW(bounded<Page>(std::size_t{1} << 54), std::bad_array_new_length);
}

// A large buffer (3.2 MB of zero-filled slots, lib/channel/array.cc): filled
// to capacity, drained in order, and reused past a wrap-around, with every
// message destroyed exactly once.
TEST(ArrayFlavor, LargeBufferBehavesLikeASmallOne) {
  NoLeaks no_leaks;
  constexpr std::size_t kCap = 200'000;  // 16-byte slots: 3.2 MB, over 2 MiB
  auto [tx, rx] = bounded<Counted>(kCap);
  for (std::size_t i = 0; i < kCap; ++i) ASSERT_TRUE(tx.try_send(Counted(static_cast<int>(i))));
  EXPECT_TRUE(tx.is_full());
  EXPECT_EQ(tx.try_send(Counted(-1)).error().kind(), TrySendErrorKind::Full);
  for (std::size_t i = 0; i < kCap / 2; ++i) ASSERT_EQ(rx.try_recv()->value(), static_cast<int>(i));
  for (std::size_t i = 0; i < kCap / 2; ++i) ASSERT_TRUE(tx.try_send(Counted(static_cast<int>(kCap + i))));
  for (std::size_t i = kCap / 2; i < kCap + kCap / 2; ++i) {
    ASSERT_EQ(rx.try_recv()->value(), static_cast<int>(i));
  }
  EXPECT_TRUE(rx.is_empty());
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.try_send(Counted(i)));  // left for the destructor
}

// A buffer comes zero-filled even when its memory held another channel's
// slots a moment ago: channels of several sizes (under and over the size
// whose pages are populated up front) are created, filled with messages whose
// stamps say "full" on every slot, and dropped, each followed by another of
// the same size that must start empty and take a whole lap of messages.
TEST(ArrayFlavor, ReusedMemoryStartsEmpty) {
  NoLeaks no_leaks;
  for (const std::size_t cap : {std::size_t{100}, std::size_t{10'000}, std::size_t{100'000}}) {
    for (int round = 0; round < 3; ++round) {
      auto [tx, rx] = bounded<Counted>(cap);
      ASSERT_TRUE(rx.is_empty()) << cap;
      ASSERT_EQ(rx.len(), 0u) << cap;
      ASSERT_EQ(rx.try_recv().error(), TryRecvError::Empty) << cap;
      for (std::size_t i = 0; i < cap; ++i) {
        ASSERT_TRUE(tx.try_send(Counted(static_cast<int>(i)))) << cap << " " << i;
      }
      ASSERT_TRUE(tx.is_full()) << cap;
      for (std::size_t i = 0; i < cap / 2; ++i) {
        ASSERT_EQ(rx.try_recv()->value(), static_cast<int>(i)) << cap;
      }
    }  // half of the messages are left for the destructor
  }
}

// The waker tests below drive the internal lists of blocked operations
// (channel/waker.h) directly.
using ferrite::detail::Context;
using ferrite::detail::ContextLease;
using ferrite::detail::Selected;
using ferrite::detail::SyncWaker;
using ferrite::detail::Waker;
using ferrite::detail::WakerEntry;

// Waker::try_select_preferring (internal; the zero flavor's start_recv uses
// it to pick a sender it need not wait for): preferred candidates first, in
// registration order, then the others; each selection wakes its context
// with its operation and removes the entry.
TEST(WakerDetail, TrySelectPreferringTakesPreferredCandidatesFirst) {
  // Contexts of other threads: a thread never selects its own operations.
  const auto context_of_another_thread = [] {
    std::optional<Context> cx;
    std::thread([&] { cx.emplace(ContextLease().context()); }).join();
    return *cx;
  };
  const Context first = context_of_another_thread();
  const Context second = context_of_another_thread();
  int first_packet = 0;
  int second_packet = 0;
  Waker waker;
  waker.register_with_packet(1001, &first_packet, first);
  waker.register_with_packet(1002, &second_packet, second);
  const auto second_only = [&](const WakerEntry& e) noexcept { return e.packet == &second_packet; };
  const auto nothing = [](const WakerEntry&) noexcept {};
  std::optional<WakerEntry> taken = waker.try_select_preferring(second_only, nothing, nothing);
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->packet, &second_packet);  // registered last, but preferred
  EXPECT_EQ(second.selected(), Selected::operation(1002));
  EXPECT_TRUE(first.selected().is_waiting());
  taken = waker.try_select_preferring(second_only, nothing, nothing);  // none preferred left
  ASSERT_TRUE(taken);
  EXPECT_EQ(taken->packet, &first_packet);
  EXPECT_EQ(first.selected(), Selected::operation(1001));
  EXPECT_FALSE(waker.try_select_preferring(second_only, nothing, nothing));
  EXPECT_TRUE(waker.is_empty());
}

// Waker::register_op says whether other selectors were waiting already (a
// blocked operation then parks without yielding to them on one CPU:
// PollWait::others_wait_too); observers do not count.
TEST(WakerDetail, RegisterSaysWhetherOthersWaitAlready) {
  const ContextLease first;
  const ContextLease second;
  const ContextLease watcher;
  Waker waker;
  waker.watch(3001, watcher.context());
  EXPECT_FALSE(waker.register_op(1001, first.context()));
  EXPECT_TRUE(waker.register_op(1002, second.context()));
  ASSERT_TRUE(waker.unregister(1001));
  ASSERT_TRUE(waker.unregister(1002));
  EXPECT_FALSE(waker.register_op(1001, first.context()));  // alone again
  ASSERT_TRUE(waker.unregister(1001));
  waker.unwatch(3001);
  EXPECT_TRUE(waker.is_empty());
}

// A selector that something else selected (another channel of its Select,
// its own timeout) stays listed until its thread unregisters it, but no
// notifier can wake it: has_waiters() no longer counts it. Observers count
// until notified.
TEST(WakerDetail, SelectorsSelectedElsewhereAreNotWaiters) {
  const ContextLease first;
  const ContextLease second;
  const ContextLease watcher;
  Waker waker;
  EXPECT_FALSE(waker.has_waiters());
  waker.register_op(1001, first.context());
  waker.register_op(1002, second.context());
  EXPECT_TRUE(waker.has_waiters());
  ASSERT_TRUE(first.context().try_select(Selected::operation(9001)));  // another channel
  EXPECT_TRUE(waker.has_waiters());                                    // `second` still waits
  ASSERT_TRUE(second.context().try_select(Selected::aborted()));       // its deadline passed
  EXPECT_FALSE(waker.has_waiters());
  EXPECT_FALSE(waker.is_empty());  // both still listed
  EXPECT_FALSE(waker.try_select());
  waker.watch(3001, watcher.context());
  EXPECT_TRUE(waker.has_waiters());
  waker.notify();
  EXPECT_FALSE(waker.has_waiters());
  ASSERT_TRUE(waker.unregister(1001));
  ASSERT_TRUE(waker.unregister(1002));
  EXPECT_TRUE(waker.is_empty());
}

// A SyncWaker whose only listed selector was selected elsewhere lets
// notify() pass without waking anybody, and still wakes a selector that
// registers after it (each notify() runs on a thread of its own: a notifier
// never selects its own thread's waits).
TEST(WakerDetail, SyncWakerWakesAWaiterThatCameAfterAStaleOne) {
  const ContextLease stale;
  const ContextLease fresh;
  SyncWaker waker;
  waker.register_op(1001, stale.context());
  ASSERT_TRUE(stale.context().try_select(Selected::operation(9001)));
  std::thread([&] { waker.notify(); }).join();
  EXPECT_EQ(stale.context().selected(), Selected::operation(9001));
  waker.register_op(1002, fresh.context());
  std::thread([&] { waker.notify(); }).join();
  EXPECT_EQ(fresh.context().selected(), Selected::operation(1002));
  waker.unregister(1001);
  waker.unregister(1002);  // already removed by its selection: no-op
}

// The unbounded flavor keeps a block that its receivers finished with and
// hands it to the next sender that needs one (ListChannel::recycle): rounds
// that each fill and drain a few blocks keep every message, in order, and
// destroy each exactly once; the spare is freed with the channel.
TEST(ListFlavor, RecycledBlocksKeepEveryMessageInOrder) {
  NoLeaks no_leaks;
  auto [tx, rx] = unbounded<Counted>();
  constexpr int kBlock = static_cast<int>(ferrite::detail::ListChannel<Counted>::kBlockCap);
  int next_sent = 0;
  int next_received = 0;
  for (int round = 0; round < 50; ++round) {
    // From under one block to four blocks.
    const int count = 20 + (round * 7) % (3 * kBlock + 16);
    for (int i = 0; i < count; ++i) ASSERT_TRUE(tx.send(Counted(next_sent++)));
    for (int i = 0; i < count; ++i) ASSERT_EQ(rx.try_recv()->value(), next_received++);
    EXPECT_TRUE(rx.is_empty());
  }
  // Left for the destructor: more than two blocks.
  for (int i = 0; i < 2 * kBlock + 9; ++i) ASSERT_TRUE(tx.send(Counted(i)));
}

// When the senders go first, the receivers' end does not discard what is
// buffered (the channel is already disconnected): the channel's destructor
// destroys the messages, walking and freeing every block, each message once.
TEST(ListFlavor, MessagesLeftAfterTheSendersWentDieWithTheChannel) {
  NoLeaks no_leaks;
  constexpr int kBlock = static_cast<int>(ferrite::detail::ListChannel<Counted>::kBlockCap);
  const long before = Counted::live();
  auto [tx, rx] = unbounded<Counted>();
  for (int i = 0; i < 3 * kBlock + 5; ++i) ASSERT_TRUE(tx.send(Counted(i)));
  { auto gone = std::move(tx); }
  for (int i = 0; i < kBlock / 2; ++i) ASSERT_EQ(rx.recv()->value(), i);
  EXPECT_EQ(rx.len(), static_cast<std::size_t>(3 * kBlock + 5 - kBlock / 2));
  EXPECT_EQ(Counted::live() - before, 3 * kBlock + 5 - kBlock / 2);
}

// A slot keeps its stamp next to storage for one message: an over-aligned
// message gets storage aligned for it, and its value survives many laps of a
// small buffer (the stamps count laps from zero-filled storage).
TEST(ArrayFlavor, OverAlignedMessagesKeepTheirAlignmentOverManyLaps) {
  struct alignas(64) Wide {
    std::size_t value;
  };
  auto [tx, rx] = bounded<Wide>(3);
  for (std::size_t i = 0; i < 10'000; ++i) {
    ASSERT_TRUE(tx.try_send(Wide{i}));
    if (i % 2 == 1) {
      auto a = rx.try_recv();
      auto b = rx.try_recv();
      ASSERT_TRUE(a && b);
      EXPECT_EQ(a->value, i - 1);
      EXPECT_EQ(b->value, i);
    }
  }
  static_assert(alignof(Wide) == 64);
  EXPECT_TRUE(rx.is_empty());
}

TEST_P(Flavors, SendFailsOnlyWithoutReceiversAndHandsTheValueBack) {
  auto [tx, rx] = make<std::string>();
  { auto gone = std::move(rx); }
  auto r = tx.send("kept");
  ASSERT_FALSE(r);
  EXPECT_EQ(std::move(r.error()).into_inner(), "kept");
  auto t = tx.try_send("again");
  ASSERT_FALSE(t);
  EXPECT_TRUE(t.error().is_disconnected());
  EXPECT_EQ(std::move(t.error()).into_inner(), "again");
  auto s = tx.send_timeout("late", 1s);
  ASSERT_FALSE(s);
  EXPECT_TRUE(s.error().is_disconnected());
  EXPECT_EQ(std::move(s.error()).into_inner(), "late");
}

TEST_P(Flavors, RecvDrainsBeforeReportingDisconnection) {
  if (rendezvous()) GTEST_SKIP() << "nothing is buffered in a rendezvous channel";
  auto [tx, rx] = make<int>();
  ASSERT_TRUE(tx.send(1));
  { auto gone = std::move(tx); }
  EXPECT_EQ(*rx.recv(), 1);
  EXPECT_EQ(rx.recv().error(), RecvError{});
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Disconnected);
  EXPECT_EQ(rx.recv_timeout(1s).error(), RecvTimeoutError::Disconnected);
}

TEST_P(Flavors, DisconnectWakesBlockedReceiver) {
  auto [tx, rx] = make<int>();
  ferrite::thread::scope([&, rx = rx](ferrite::thread::Scope& s) {
    s.spawn([rx] { EXPECT_EQ(rx.recv().error(), RecvError{}); });
    auto gone = std::move(tx);
  });
}

TEST_P(Flavors, DisconnectWakesBlockedSender) {
  if (is_unbounded()) GTEST_SKIP() << "unbounded sends never block";
  auto [tx, rx] = make<int>();
  for (int i = 0; i < room(); ++i) ASSERT_TRUE(tx.send(i));
  ferrite::Barrier started(2);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&, tx = tx] {
      started.wait();
      auto r = tx.send(42);  // blocks: full (or no receiver for rendezvous)
      ASSERT_FALSE(r);
      EXPECT_EQ(std::move(r.error()).into_inner(), 42);
    });
    started.wait();
    auto gone = std::move(rx);
  });
}

TEST_P(Flavors, RecvTimeoutTimesOutAndLosesNothing) {
  auto [tx, rx] = make<int>();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rx.recv_timeout(20ms).error(), RecvTimeoutError::Timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 20ms);
  EXPECT_EQ(rx.recv_deadline(std::chrono::steady_clock::now()).error(), RecvTimeoutError::Timeout);
  // A message sent concurrently with timeouts is received exactly once.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { ASSERT_TRUE(tx.send(5)); });
    for (;;) {
      auto r = rx.recv_timeout(1ms);
      if (r) {
        EXPECT_EQ(*r, 5);
        break;
      }
      EXPECT_EQ(r.error(), RecvTimeoutError::Timeout);
    }
  });
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
}

TEST_P(Flavors, SendTimeoutHandsBackOnTimeout) {
  if (is_unbounded()) GTEST_SKIP() << "unbounded sends never time out";
  auto [tx, rx] = make<int>();
  for (int i = 0; i < room(); ++i) ASSERT_TRUE(tx.send(i));
  auto r = tx.send_timeout(99, 10ms);
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().is_timeout());
  EXPECT_EQ(std::move(r.error()).into_inner(), 99);
  auto d = tx.send_deadline(98, std::chrono::steady_clock::now());
  ASSERT_FALSE(d);
  EXPECT_TRUE(d.error().is_timeout());
  for (int i = 0; i < room(); ++i) EXPECT_EQ(*rx.recv(), i);
  EXPECT_TRUE(rx.is_empty());
}

TEST_P(Flavors, SendTimeoutSucceedsWhenAReceiverComes) {
  auto [tx, rx] = make<int>();
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { EXPECT_EQ(*rx.recv(), 1); });
    ASSERT_TRUE(tx.send_timeout(1, 1h));
  });
}

TEST_P(Flavors, EveryMessageDestroyedExactlyOnce) {
  NoLeaks no_leaks;
  {
    auto [tx, rx] = make<Counted>();
    if (!rendezvous()) {
      for (int i = 0; i < 40 && !tx.is_full(); ++i) ASSERT_TRUE(tx.try_send(Counted(i)));
      EXPECT_EQ(*rx.recv(), Counted(0));
    }
    // Handles go in either order; leftovers must be destroyed once.
  }
  {
    auto [tx, rx] = make<Counted>();
    if (!rendezvous()) {
      ASSERT_TRUE(tx.try_send(Counted(1)));
    }
    { auto gone = std::move(tx); }
    { auto gone = std::move(rx); }
  }
  {
    auto [tx, rx] = make<Counted>();
    if (!rendezvous()) {
      ASSERT_TRUE(tx.try_send(Counted(1)));
    }
    { auto gone = std::move(rx); }  // buffered messages destroyed now
    EXPECT_FALSE(tx.send(Counted(2)));
  }
}

TEST(ChannelDrop, BufferedMessagesDestroyedWhenLastReceiverGoes) {
  auto [tx, rx] = unbounded<std::shared_ptr<const int>>();
  std::shared_ptr<const int> value = std::make_shared<int>(1);
  ASSERT_TRUE(tx.send(value));
  auto [btx, brx] = bounded<std::shared_ptr<const int>>(4);
  ASSERT_TRUE(btx.send(value));
  EXPECT_EQ(value.use_count(), 3);
  { auto gone = std::move(rx); }
  EXPECT_EQ(value.use_count(), 2);
  { auto gone = std::move(brx); }
  EXPECT_EQ(value.use_count(), 1);
}

TEST_P(Flavors, ClonesShareTheChannel) {
  auto [tx, rx] = make<int>();
  Sender<int> tx2 = tx.clone();
  Receiver<int> rx2 = rx.clone();
  EXPECT_TRUE(tx.same_channel(tx2));
  EXPECT_TRUE(rx.same_channel(rx2));
  auto [other_tx, other_rx] = make<int>();
  EXPECT_FALSE(tx.same_channel(other_tx));
  EXPECT_FALSE(rx.same_channel(other_rx));
  { auto gone = std::move(tx); }
  // tx2 keeps the channel connected; rx2 still receives.
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { ASSERT_TRUE(tx2.send(3)); });
    EXPECT_EQ(*rx2.recv(), 3);
  });
  { auto gone = std::move(tx2); }
  EXPECT_EQ(rx.recv().error(), RecvError{});
}

TEST(ChannelHandles, MovedFromPanics) {
  auto [tx, rx] = unbounded<int>();
  Sender<int> moved = std::move(tx);
  Receiver<int> moved_rx = std::move(rx);
  EXPECT_THROW(static_cast<void>(tx.send(1)), ferrite::Panic);  // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(static_cast<void>(rx.try_recv()),
               ferrite::Panic);  // NOLINT(bugprone-use-after-move)
  auto t = ferrite::channel::after(1ms);
  auto t2 = std::move(t);
  EXPECT_THROW(static_cast<void>(t.try_recv()), ferrite::Panic);  // NOLINT(bugprone-use-after-move)
  // Assignment re-seats a handle.
  tx = moved;
  ASSERT_TRUE(tx.send(4));
  rx = std::move(moved_rx);
  EXPECT_EQ(*rx.recv(), 4);
}

TEST_P(Flavors, IterAndTryIter) {
  auto [tx, rx] = make<int>();
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([tx = std::move(tx)] {
      for (int i = 1; i <= 10; ++i) ASSERT_TRUE(tx.send(i));
    });
    int sum = 0;
    for (int& v : rx.iter()) sum += v;
    EXPECT_EQ(sum, 55);
  });
  auto [tx2, rx2] = make<int>();
  if (!rendezvous()) {
    ASSERT_TRUE(tx2.send(1));
    int count = 0;
    for (int& v : rx2.try_iter()) count += v;
    EXPECT_EQ(count, 1);
  }
  int none = 0;
  for ([[maybe_unused]] int& v : rx2.try_iter()) ++none;  // empty, connected: ends at once
  EXPECT_EQ(none, 0);
}

TEST(ChannelIter, MoveOnlyMessagesMoveOutOfTheIterator) {
  auto [tx, rx] = unbounded<std::unique_ptr<int>>();
  ASSERT_TRUE(tx.send(std::make_unique<int>(5)));
  auto it = rx.try_iter().begin();
  ASSERT_FALSE(it == std::default_sentinel);
  std::unique_ptr<int> taken = std::move(*it);
  EXPECT_EQ(*taken, 5);
  ++it;
  EXPECT_TRUE(it == std::default_sentinel);
  static_assert(std::input_iterator<decltype(it)>);
}

// A message whose construction throws never reaches the channel; messages
// with throwing moves travel boxed (the constructors reject them unboxed).
TEST_P(Flavors, FaultInjectionLeavesTheChannelUsable) {
  NoLeaks no_leaks;
  auto [tx, rx] = make<std::unique_ptr<Fragile>>();
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      for (int expected = 0; expected < 5; ++expected) EXPECT_EQ((*rx.recv())->value(), expected);
    });
    for (int value = 0; value < 5; ++value) {
      for (int n = 1;; ++n) {
        FaultPlan plan(n);
        try {
          ASSERT_TRUE(tx.send(std::make_unique<Fragile>(value)));
        } catch (const FaultInjected&) {
          continue;  // nothing was sent; the receiver still expects `value`
        }
        break;
      }
    }
  });
  EXPECT_TRUE(rx.is_empty());
}

// Several producers and consumers; every message arrives exactly once.
TEST_P(Flavors, MpmcStressChecksums) {
  constexpr int kProducers = 4;
  constexpr int kConsumers = 4;
  const int per_producer = scaled(rendezvous() ? 50'000 : 250'000);
  NoLeaks no_leaks;
  auto [tx, rx] = make<Counted>();
  std::atomic<std::int64_t> sum{0};
  std::atomic<std::int64_t> count{0};
  std::vector<std::atomic<int>> seen(static_cast<std::size_t>(kProducers * per_producer));
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int p = 0; p < kProducers; ++p) {
      s.spawn([&, p, tx = tx] {
        for (int i = 0; i < per_producer; ++i) ASSERT_TRUE(tx.send(Counted(p * per_producer + i)));
      });
    }
    for (int c = 0; c < kConsumers; ++c) {
      s.spawn([&, rx = rx] {
        std::int64_t local_sum = 0;
        std::int64_t local_count = 0;
        for (Counted& v : rx) {
          local_sum += v.value();
          ++local_count;
          seen[static_cast<std::size_t>(v.value())].fetch_add(1, std::memory_order_relaxed);
        }
        sum += local_sum;
        count += local_count;
      });
    }
    auto gone_tx = std::move(tx);
    auto gone_rx = std::move(rx);
  });
  const std::int64_t n = std::int64_t{kProducers} * per_producer;
  EXPECT_EQ(count.load(), n);
  EXPECT_EQ(sum.load(), n * (n - 1) / 2);
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](const auto& c) { return c.load() == 1; }));
}

// Receivers that time out while senders race never lose a message.
TEST_P(Flavors, TimeoutsUnderContentionLoseNothing) {
  const int n = scaled(20'000);
  auto [tx, rx] = make<int>();
  std::int64_t received = 0;
  std::int64_t sum = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&, tx = std::move(tx)] {
      for (int i = 0; i < n; ++i) {
        for (;;) {
          auto r = tx.send_timeout(i, 10us);
          if (r) break;
          ASSERT_TRUE(r.error().is_timeout());
          EXPECT_EQ(std::move(r.error()).into_inner(), i);
        }
      }
    });
    for (;;) {
      auto r = rx.recv_timeout(10us);
      if (r) {
        EXPECT_EQ(*r, received);
        sum += *r;
        ++received;
      } else if (r.error() == RecvTimeoutError::Disconnected) {
        break;
      }
    }
  });
  EXPECT_EQ(received, n);
  EXPECT_EQ(sum, std::int64_t{n} * (n - 1) / 2);
}

TEST(ListFlavor, ManyBlocksAndDropWithLeftovers) {
  NoLeaks no_leaks;
  auto [tx, rx] = unbounded<Counted>();
  for (int i = 0; i < 1000; ++i) ASSERT_TRUE(tx.send(Counted(i)));
  for (int i = 0; i < 500; ++i) EXPECT_EQ(rx.recv()->value(), i);
  EXPECT_EQ(rx.len(), 500u);
}

TEST(ListFlavor, SendersGoFirstThenLeftoversDestroyedWithChannel) {
  NoLeaks no_leaks;
  auto [tx, rx] = unbounded<Counted>();
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(tx.send(Counted(i)));
  { auto gone = std::move(tx); }
  EXPECT_EQ(rx.recv()->value(), 0);
}

// Timers (crossbeam's tests/after.rs, tick.rs, never.rs).
TEST(After, DeliversOnceAfterTheDuration) {
  const auto start = std::chrono::steady_clock::now();
  auto rx = ferrite::channel::after(20ms);
  EXPECT_EQ(rx.capacity(), 1u);
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
  auto when = rx.recv();
  ASSERT_TRUE(when);
  EXPECT_GE(*when - start, 20ms);
  EXPECT_GE(std::chrono::steady_clock::now(), *when);
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);  // never again, never disconnected
  EXPECT_EQ(rx.recv_timeout(10ms).error(), RecvTimeoutError::Timeout);
  EXPECT_TRUE(rx.is_empty());
  EXPECT_EQ(rx.len(), 0u);
}

TEST(After, ZeroAndRecvTimeoutShorterThanDelivery) {
  auto now = ferrite::channel::after(0ms);
  EXPECT_TRUE(now.try_recv());
  auto later = ferrite::channel::after(1h);
  EXPECT_EQ(later.recv_timeout(10ms).error(), RecvTimeoutError::Timeout);
  EXPECT_FALSE(later.is_full());
  auto clone = later.clone();
  EXPECT_TRUE(clone.same_channel(later));
}

TEST(After, OneDeliveryAmongManyReceivers) {
  auto rx = ferrite::channel::after(5ms);
  std::atomic<int> hits{0};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int i = 0; i < 4; ++i) {
      s.spawn([&, rx = rx] {
        if (rx.recv_timeout(300ms)) ++hits;
      });
    }
  });
  EXPECT_EQ(hits.load(), 1);
}

TEST(Tick, DeliversPeriodically) {
  const auto start = std::chrono::steady_clock::now();
  auto rx = ferrite::channel::tick(10ms);
  Instant last = start;
  for (int i = 0; i < 3; ++i) {
    auto when = rx.recv();
    ASSERT_TRUE(when);
    EXPECT_GE(*when - last, 9ms);
    last = *when;
  }
  EXPECT_GE(std::chrono::steady_clock::now() - start, 30ms);
  EXPECT_EQ(rx.capacity(), 1u);
  EXPECT_EQ(rx.recv_timeout(1ms).error(), RecvTimeoutError::Timeout);
}

TEST(Tick, TryRecvAfterThePeriod) {
  auto rx = ferrite::channel::tick(5ms);
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
  std::this_thread::sleep_for(10ms);  // this test is about timing
  EXPECT_FALSE(rx.is_empty());
  EXPECT_EQ(rx.len(), 1u);
  EXPECT_TRUE(rx.try_recv());
}

TEST(Never, NeverDeliversNorDisconnects) {
  auto rx = ferrite::channel::never<int>();
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(rx.recv_timeout(10ms).error(), RecvTimeoutError::Timeout);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 10ms);
  EXPECT_EQ(rx.capacity(), 0u);
  EXPECT_TRUE(rx.is_empty());
  EXPECT_TRUE(rx.is_full());
  EXPECT_EQ(rx.len(), 0u);
  EXPECT_TRUE(rx.same_channel(ferrite::channel::never<int>()));
}

}  // namespace

// --- waiting internals (ferrite/channel/wait.h) --------------------------------------

namespace {

// `poll` waits at least once, says block within 1000 waits, and stays given up.
void expect_poll_gives_up(ferrite::detail::PollWait poll, const char* name) {
  int waits = 0;
  while (poll.wait()) {
    ++waits;
    ASSERT_LT(waits, 1000) << name << " never gives up";
  }
  EXPECT_GT(waits, 0) << name;
  EXPECT_FALSE(poll.wait()) << name;
}

TEST(ChannelWaiting, PollWaitPollsABoundedTimeThenSaysBlock) {
  expect_poll_gives_up(ferrite::detail::PollWait::for_handoff(), "PollWait::for_handoff");
}

TEST(ChannelWaiting, YieldingPollWaitAlsoSaysBlockInTheEnd) {
  expect_poll_gives_up(ferrite::detail::PollWait::for_completion(), "PollWait::for_completion");
}

// A partner on our CPU cannot run while we spin: for_handoff() (which never
// yields on several CPUs) says to block at once, after the two yields that
// every wait makes first where spinning cannot help (one CPU);
// for_completion() only yields, at most four times.
TEST(ChannelWaiting, PartnerOnOurCpuSkipsTheSpinning) {
  const bool one_cpu = !ferrite::detail::spinning_can_help();
  ferrite::detail::PollWait plain = ferrite::detail::PollWait::for_handoff();
  plain.partner_shares_cpu();
  int plain_yields = 0;
  while (plain.wait()) ++plain_yields;
  EXPECT_EQ(plain_yields, one_cpu ? 2 : 0);

  ferrite::detail::PollWait yielding = ferrite::detail::PollWait::for_completion();
  yielding.partner_shares_cpu();
  int yields = 0;
  while (yielding.wait()) ++yields;
  EXPECT_GE(yields, 1);
  EXPECT_LE(yields, 4);
}

// With more busy threads than CPUs, a yield runs one of them, and
// yield_and_report_switch says so (PollWait then stops yielding).
TEST(ChannelWaiting, YieldReportsASwitchWhenTheCpusAreOversubscribed) {
  std::atomic<bool> stop{false};
  std::vector<std::thread> busy;
  const unsigned cpus = std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < 2 * cpus; ++i) {
    busy.emplace_back([&] {
      while (!stop.load(std::memory_order_relaxed)) ferrite::detail::spin_loop_hint();
    });
  }
  bool switched = false;
  const auto give_up = std::chrono::steady_clock::now() + 10s;
  while (!switched && std::chrono::steady_clock::now() < give_up) {
    switched = ferrite::detail::yield_and_report_switch();
  }
  stop.store(true, std::memory_order_relaxed);
  for (std::thread& t : busy) t.join();
  EXPECT_TRUE(switched);
}

TEST(ChannelWaiting, ParkReturnsAfterUnparkFromAnotherThread) {
  std::atomic<bool> go{false};
  std::optional<ferrite::detail::Context> parked;
  std::atomic<bool> published{false};
  std::thread waiter([&] {
    const ferrite::detail::ContextLease lease;
    parked.emplace(lease.context());
    published.store(true, std::memory_order_release);
    while (!go.load(std::memory_order_acquire)) lease.context().park();  // spurious: re-check
  });
  while (!published.load(std::memory_order_acquire)) std::this_thread::yield();
  std::this_thread::sleep_for(20ms);  // likely parked by now; the flag, not this, synchronizes
  go.store(true, std::memory_order_release);
  parked->unpark();
  waiter.join();  // hangs (test timeout) if the wake-up were lost
  parked.reset();
}

}  // namespace
