// tests/drop_test.cc — ferrite::drop (Rust's std::mem::drop): what each kind
// of owner gives up at the line of the call, and the moved-from state left
// behind.
#include "ferrite/drop.h"

#include <gtest/gtest.h>

#include <string>
#include <type_traits>
#include <utility>

#include "ferrite/arc.h"
#include "ferrite/channel.h"
#include "ferrite/mpsc.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"
#include "ferrite/vec.h"
#include "tests/support/test_types.h"

namespace {

using namespace ferrite::testing;

template <class T>
concept Droppable = requires(T&& x) { ferrite::drop(std::forward<T>(x)); };

// Only an rvalue is dropped: `drop(x)` must say std::move(x), as Rust's moves x.
static_assert(Droppable<ferrite::Vec<int>>);
static_assert(!Droppable<ferrite::Vec<int>&>);
static_assert(!Droppable<const ferrite::Vec<int>&>);
static_assert(!Droppable<const ferrite::Vec<int>>);
// noexcept follows the type's move constructor.
static_assert(noexcept(ferrite::drop(std::declval<ferrite::Arc<int>>())));
struct ThrowingMove {
  ThrowingMove() = default;
  ThrowingMove(ThrowingMove&&) noexcept(false) {}
};
static_assert(!noexcept(ferrite::drop(std::declval<ThrowingMove>())));

TEST(Drop, LastSenderDisconnectsAfterTheBufferDrains) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ASSERT_TRUE(tx.send(1));
  ferrite::drop(std::move(tx));
  EXPECT_EQ(*rx.recv(), 1);
  EXPECT_FALSE(rx.recv());  // disconnected: the only Sender is gone
}

TEST(Drop, ASenderWithClonesLeftKeepsTheChannelOpen) {
  auto [tx, rx] = ferrite::channel::bounded<int>(1);
  auto other = tx.clone();
  ferrite::drop(std::move(tx));
  EXPECT_EQ(rx.try_recv().error(), ferrite::channel::TryRecvError::Empty);
  ASSERT_TRUE(other.send(7));
  EXPECT_EQ(*rx.recv(), 7);
}

TEST(Drop, LastReceiverMakesSendsHandTheirMessageBack) {
  auto [tx, rx] = ferrite::channel::bounded<std::string>(4);
  ferrite::drop(std::move(rx));
  auto sent = tx.send(std::string("kept"));
  ASSERT_FALSE(sent);
  EXPECT_EQ(std::move(sent.error()).into_inner(), "kept");  // nothing lost
}

TEST(Drop, DroppingTheSenderWakesABlockedReceiver) {
  auto [tx, rx] = ferrite::channel::bounded<int>(0);
  auto receiver = ferrite::thread::spawn([rx = std::move(rx)] { return rx.recv().has_value(); });
  ferrite::drop(std::move(tx));
  auto received = receiver.join();
  ASSERT_TRUE(received);
  EXPECT_FALSE(*received);
}

TEST(Drop, ADroppedEndPanicsWhenUsedAgain) {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ferrite::drop(std::move(tx));
  ferrite::drop(std::move(rx));
  EXPECT_THROW(static_cast<void>(tx.send(1)), ferrite::Panic);     // NOLINT(bugprone-use-after-move)
  EXPECT_THROW(static_cast<void>(rx.try_recv()), ferrite::Panic);  // NOLINT(bugprone-use-after-move)
}

TEST(Drop, MpscEndsDisconnectTheSameWay) {
  auto [tx, rx] = ferrite::mpsc::channel<int>();
  ASSERT_TRUE(tx.send(5));
  ferrite::drop(std::move(tx));
  EXPECT_EQ(*rx.recv(), 5);
  EXPECT_FALSE(rx.recv());

  auto [stx, srx] = ferrite::mpsc::sync_channel<int>(1);
  ferrite::drop(std::move(srx));
  EXPECT_FALSE(stx.send(1));
}

TEST(Drop, AGuardUnlocksAtTheCall) {
  const ferrite::Mutex<int> m(0);
  auto guard = m.lock();
  ASSERT_TRUE(guard);
  **guard = 1;
  ferrite::drop(std::move(*guard));
  auto again = m.try_lock();  // would fail if the guard still held the lock
  ASSERT_TRUE(again);
  EXPECT_EQ(**again, 1);
}

TEST(Drop, AnArcGivesUpItsCount) {
  auto a = ferrite::make_arc<int>(1);
  auto b = a.clone();
  ASSERT_EQ(a.strong_count(), 2u);
  ferrite::drop(std::move(b));
  EXPECT_EQ(a.strong_count(), 1u);
}

TEST(Drop, AVecDestroysItsElementsAtTheCall) {
  const long before = Counted::live();
  ferrite::Vec<Counted> v;
  v.push(Counted(1));
  v.push(Counted(2));
  ferrite::drop(std::move(v));
  EXPECT_EQ(Counted::live(), before);
  EXPECT_TRUE(v.is_empty());  // NOLINT(bugprone-use-after-move): a moved-from Vec is empty
}

}  // namespace
