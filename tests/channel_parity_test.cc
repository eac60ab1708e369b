// tests/channel_parity_test.cc — two behaviours crossbeam-channel's tests
// rely on, through every flavor, Select and mpsc:
//
//  * messages of a type with an unconstrained converting constructor
//    (`template <class U> T(U&&)`), which std::expected<T, E> is quick to
//    confuse with a conversion from another expected: every operation that
//    returns a message or gives one back must still compile and work;
//  * a selected operation finished through a clone of the selected end
//    (crossbeam's `issue_1096`): Select compares channels, not handles.
#include <gtest/gtest.h>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/channel_select.h"
#include "ferrite/mpsc.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"

namespace {

using namespace std::chrono_literals;
using ferrite::channel::bounded;
using ferrite::channel::Receiver;
using ferrite::channel::Select;
using ferrite::channel::Sender;
using ferrite::channel::unbounded;

// A message whose constructor template accepts anything, as a type-erased
// box (crossbeam's tests send Box<dyn Any>) or a forwarding wrapper does.
// Built from an int it keeps the int; from anything else, -1.
struct Greedy {
  int value = 0;

  Greedy() = default;
  template <class U>
  Greedy(U&& u) : value(from(u)) {}  // NOLINT(google-explicit-constructor): the point
  Greedy(const Greedy&) = default;
  Greedy(Greedy&&) noexcept = default;
  Greedy& operator=(const Greedy&) = default;
  Greedy& operator=(Greedy&&) noexcept = default;

 private:
  template <class U>
  static int from(const U& u) {
    if constexpr (std::is_same_v<U, int>) {
      return u;
    } else {
      return -1;
    }
  }
};

// The flavors by capacity: 0 is the rendezvous channel, nullopt unbounded.
constexpr std::optional<std::size_t> kFlavors[] = {0, 1, 4, std::nullopt};

template <class T>
std::pair<Sender<T>, Receiver<T>> make(std::optional<std::size_t> capacity) {
  return capacity ? bounded<T>(*capacity) : unbounded<T>();
}

std::string name(std::optional<std::size_t> capacity) {
  return capacity ? "bounded(" + std::to_string(*capacity) + ")" : "unbounded";
}

// send / recv / try_* / *_timeout and the messages that come back.
TEST(UnconstrainedMessage, EveryOperationOfEveryFlavor) {
  for (const auto capacity : kFlavors) {
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = make<Greedy>(capacity);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn(
          [](const Sender<Greedy>& out) {
            EXPECT_TRUE(out.send(Greedy(1)));
            EXPECT_TRUE(out.send_timeout(Greedy(2), 10s));
          },
          std::cref(tx));
      auto first = rx.recv();
      ASSERT_TRUE(first);
      EXPECT_EQ(first->value, 1);
      auto second = rx.recv_timeout(10s);
      ASSERT_TRUE(second);
      EXPECT_EQ(second->value, 2);
    });
    auto nothing = rx.try_recv();
    ASSERT_FALSE(nothing);
    EXPECT_EQ(nothing.error(), ferrite::channel::TryRecvError::Empty);
    EXPECT_EQ(rx.recv_timeout(1ms).error(), ferrite::channel::RecvTimeoutError::Timeout);
    if (capacity != 0u) {
      ASSERT_TRUE(tx.try_send(Greedy(3)));
      auto third = rx.try_recv();
      ASSERT_TRUE(third);
      EXPECT_EQ(third->value, 3);
    }
    // Disconnected: each send gives its message back, unchanged.
    { auto gone = std::move(rx); }
    auto refused = tx.send(Greedy(4));
    ASSERT_FALSE(refused);
    EXPECT_EQ(std::move(refused.error()).into_inner().value, 4);
    auto refused_try = tx.try_send(Greedy(5));
    ASSERT_FALSE(refused_try);
    EXPECT_TRUE(refused_try.error().is_disconnected());
    EXPECT_EQ(std::move(refused_try.error()).into_inner().value, 5);
    auto refused_timeout = tx.send_timeout(Greedy(6), 1ms);
    ASSERT_FALSE(refused_timeout);
    EXPECT_TRUE(refused_timeout.error().is_disconnected());
    EXPECT_EQ(std::move(refused_timeout.error()).into_inner().value, 6);
  }
}

TEST(UnconstrainedMessage, IteratorsAndSelect) {
  for (const auto capacity : kFlavors) {
    if (capacity == 0u) continue;  // a rendezvous needs a partner: below
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = make<Greedy>(capacity);
    ASSERT_TRUE(tx.send(Greedy(7)));
    Select sel;
    sel.recv(rx);
    auto op = sel.select();
    auto got = op.recv(rx);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->value, 7);

    Select send_sel;
    send_sel.send(tx);
    auto send_op = send_sel.select();
    ASSERT_TRUE(send_op.send(tx, Greedy(8)));
    int sum = 0;
    for (Greedy& m : rx.try_iter()) sum += m.value;
    EXPECT_EQ(sum, 8);
  }
}

TEST(UnconstrainedMessage, RendezvousSelect) {
  auto [tx, rx] = bounded<Greedy>(0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([](const Sender<Greedy>& out) { EXPECT_TRUE(out.send(Greedy(9))); }, std::cref(tx));
    Select sel;
    sel.recv(rx);
    auto op = sel.select();
    auto got = op.recv(rx);
    ASSERT_TRUE(got);
    EXPECT_EQ(got->value, 9);
  });
}

TEST(UnconstrainedMessage, Mpsc) {
  auto [tx, rx] = ferrite::mpsc::channel<Greedy>();
  ASSERT_TRUE(tx.send(Greedy(10)));
  EXPECT_EQ(rx.recv()->value, 10);
  EXPECT_EQ(rx.try_recv().error(), ferrite::mpsc::TryRecvError::Empty);
  auto [stx, srx] = ferrite::mpsc::sync_channel<Greedy>(1);
  ASSERT_TRUE(stx.try_send(Greedy(11)));
  EXPECT_EQ(srx.recv_timeout(10s)->value, 11);
  { auto gone = std::move(srx); }
  auto refused = stx.send(Greedy(12));
  ASSERT_FALSE(refused);
  EXPECT_EQ(std::move(refused.error()).into_inner().value, 12);
}

// A channel of channel ends whose messages are Greedy.
TEST(UnconstrainedMessage, ChannelOfReceivers) {
  auto [tx, rx] = unbounded<Receiver<Greedy>>();
  auto [inner_tx, inner_rx] = unbounded<Greedy>();
  ASSERT_TRUE(tx.send(std::move(inner_rx)));
  ASSERT_TRUE(inner_tx.send(Greedy(13)));
  auto delivered = rx.recv();
  ASSERT_TRUE(delivered);
  EXPECT_EQ(delivered->recv()->value, 13);
}

// crossbeam's issue_1096: the selected receive finished through a clone.
TEST(SelectThroughClone, RecvOnEveryFlavor) {
  for (const auto capacity : kFlavors) {
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = make<int>(capacity);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([](const Sender<int>& out) { EXPECT_TRUE(out.send(1)); }, std::cref(tx));
      Select sel;
      sel.recv(rx);
      auto op = sel.select();
      const Receiver<int> clone = rx.clone();
      EXPECT_EQ(*op.recv(clone), 1);
    });
  }
}

TEST(SelectThroughClone, SendOnEveryFlavor) {
  for (const auto capacity : kFlavors) {
    SCOPED_TRACE(name(capacity));
    auto [tx, rx] = make<int>(capacity);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([](const Receiver<int>& in) { EXPECT_EQ(*in.recv(), 2); }, std::cref(rx));
      Select sel;
      sel.send(tx);
      auto op = sel.select();
      const Sender<int> clone = tx.clone();
      EXPECT_TRUE(op.send(clone, 2));
    });
  }
}

// A clone is the same channel; an end of another channel is not.
TEST(SelectThroughClone, AnotherChannelPanics) {
  auto [tx, rx] = unbounded<int>();
  auto [other_tx, other_rx] = unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  Select sel;
  sel.recv(rx);
  auto op = sel.select();
  EXPECT_THROW(static_cast<void>(op.recv(other_rx)), ferrite::Panic);
  EXPECT_EQ(*op.recv(rx), 1);  // the selected channel still finishes it
}

}  // namespace
