// tests/channel_oom_test.cc — the channels when memory runs out where nothing
// can be handed back: a rendezvous receiver that must wait for a Select's
// send to write, and cannot get the memory to park with, yields until the
// message arrives (ferrite/channel/zero.h, Packet::wait_ready); a Select
// whose registration fails after a partner has selected one of its
// operations finishes that operation instead of throwing (run_select in
// lib/channel_select.cc).
//
// The allocation failures come from tests/support/failing_new.h: operator new
// fails on demand, for the calling thread only.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <utility>

#include "ferrite/channel.h"
#include "tests/support/failing_new.h"

namespace {

using namespace std::chrono_literals;
using ::ferrite::testing::FailAllocationsWhen;
using ::ferrite::testing::failed_allocations;
using ::ferrite::testing::set_allocation_failure_rate;

TEST(ChannelOutOfMemory, InjectorFailsOnlyWhenAskedAndOnlyOnItsThread) {
  const int before = failed_allocations();
  std::atomic<int> step{0};
  bool other_threw = false;
  std::thread other([&step, &other_threw] {  // its switch stays off
    while (step.load() != 1) std::this_thread::yield();
    try {
      ::operator delete(::operator new(sizeof(int)));
    } catch (const std::bad_alloc&) {
      other_threw = true;
    }
    step.store(2);
  });
  bool threw = false;
  set_allocation_failure_rate(1);  // nothing else may allocate on this thread until it is off
  try {
    ::operator delete(::operator new(sizeof(int)));  // a call, which cannot be elided
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  step.store(1);
  while (step.load() != 2) std::this_thread::yield();
  set_allocation_failure_rate(0);
  other.join();
  ::operator delete(::operator new(sizeof(int)));
  EXPECT_TRUE(threw);
  EXPECT_FALSE(other_threw);
  EXPECT_EQ(failed_allocations(), before + 1);
}

// The receiver selects the Select's send, then waits for its op.send().
// The sender writes only once the receiver has given up polling and tried
// to borrow a context to park with: a fresh thread has none cached and must
// allocate one, and that allocation fails (the injector's count says so).
// The receiver then yields until the message is there, instead of
// terminating (the wait is noexcept) or losing it.
TEST(ChannelOutOfMemory, RendezvousReceiverWithoutMemoryToParkStillGetsTheMessage) {
  auto [tx, rx] = ferrite::channel::bounded<int>(0);
  const int before = failed_allocations();
  std::thread sender([&tx, before] {
    ferrite::channel::Select sel;
    sel.send(tx);
    ferrite::channel::SelectedOperation op = sel.select();  // the receiver chose us
    // Bounded, so that a receiver that never allocates fails the test below
    // instead of hanging it.
    const auto give_up = std::chrono::steady_clock::now() + 10s;
    while (failed_allocations() == before && std::chrono::steady_clock::now() < give_up) {
      std::this_thread::yield();
    }
    EXPECT_TRUE(op.send(tx, 42).has_value());
  });
  std::optional<int> received;
  std::thread receiver([&rx, &received] {
    set_allocation_failure_rate(1);  // this fresh thread has no context cached
    for (;;) {
      auto message = rx.try_recv();  // Empty until the sender has registered
      if (message) {
        set_allocation_failure_rate(0);
        received = *message;
        return;
      }
      if (message.error() != ferrite::channel::TryRecvError::Empty) break;
      std::this_thread::yield();
    }
    set_allocation_failure_rate(0);
  });
  receiver.join();
  sender.join();
  EXPECT_EQ(received, 42);
  EXPECT_GE(failed_allocations(), before + 1) << "the receiver never needed to park";
  EXPECT_TRUE(rx.try_recv().error() == ferrite::channel::TryRecvError::Empty);
}

// A thread that the test thread asks, from inside an allocation hook (so
// the request allocates nothing), to try `attempt` (a channel operation on
// the other side of a Select) and waits for. The answer is true once the
// partner has selected one of the Select's operations: when `attempt`
// returned true, or when the partner reported it with selected() from
// inside `attempt`. After that every request answers false at once, and the
// partner's thread ends when `attempt` returns.
class Partner {
 public:
  using Attempt = std::function<bool(Partner&)>;
  explicit Partner(Attempt attempt) : attempt_(std::move(attempt)), thread_([this] { run(); }) {}
  ~Partner() {
    state_.store(kStop);
    if (thread_.joinable()) thread_.join();
  }
  Partner(const Partner&) = delete;
  Partner& operator=(const Partner&) = delete;

  // An AllocationHook for the test thread: asks, and fails the allocation
  // right after the partner has selected one of the Select's operations.
  static bool ask(void* partner) { return static_cast<Partner*>(partner)->ask(); }
  // An AllocationHook for the partner's own thread, inside `attempt`: an
  // allocation there means it selected a Select's send and must park to
  // wait for it (the partner's thread is fresh: no context cached).
  static bool report_selected(void* partner) {
    int asked = kAsked;
    static_cast<Partner*>(partner)->state_.compare_exchange_strong(asked, kSelected);
    return false;
  }
  // Leaves the thread waiting for what never comes (a failed test).
  void abandon() { thread_.detach(); }

 private:
  static constexpr int kIdle = 0, kAsked = 1, kNotYet = 2, kSelected = 3, kStop = 4;

  bool ask() {
    if (answered_) return false;
    state_.store(kAsked);
    int state = kAsked;
    while ((state = state_.load()) == kAsked) std::this_thread::yield();
    answered_ = state == kSelected;
    if (!answered_) state_.store(kIdle);
    return answered_;
  }
  void run() {
    for (;;) {
      const int state = state_.load();
      if (state == kStop || state == kSelected) return;
      if (state != kAsked) {
        std::this_thread::yield();
        continue;
      }
      const bool done = attempt_(*this);
      int asked = kAsked;
      state_.compare_exchange_strong(asked, done ? kSelected : kNotYet);
      if (done) return;
    }
  }

  Attempt attempt_;
  std::atomic<int> state_{kIdle};
  bool answered_ = false;  // the test thread's alone
  std::thread thread_;
};

// A Select receiving on two rendezvous channels registers its operations one
// after the other. Here a sender selects the first one registered, puts its
// message in the Select's packet and returns success, and only then does the
// second registration fail to allocate. select() must return the first
// operation, whose message the sender was told it delivered; throwing
// std::bad_alloc would leave the message in a packet that nobody reads.
TEST(ChannelOutOfMemory, SelectFinishesAReceiveSelectedBeforeALaterRegistrationFails) {
  auto [tx_a, rx_a] = ferrite::channel::bounded<int>(0);
  auto [tx_b, rx_b] = ferrite::channel::bounded<int>(0);
  // Each channel's list of waiting receivers gets room for one, and this
  // thread caches its context: from here on a registration allocates only
  // its packet, before it takes the channel's lock.
  ASSERT_FALSE(rx_a.recv_timeout(0ms).has_value());
  ASSERT_FALSE(rx_b.recv_timeout(0ms).has_value());
  ferrite::channel::Select sel;
  const std::size_t index_a = sel.recv(rx_a);
  const std::size_t index_b = sel.recv(rx_b);
  // Whichever operation registers first gets the message: asked at the
  // first registration's allocation, the partner finds no receiver; at the
  // second's, it finds the first.
  Partner partner([tx_a, tx_b](Partner&) {
    return tx_a.try_send(7).has_value() || tx_b.try_send(7).has_value();
  });
  std::optional<ferrite::channel::SelectedOperation> op;
  bool threw = false;
  const int before = failed_allocations();
  try {
    const FailAllocationsWhen fail(&Partner::ask, &partner);
    op.emplace(sel.select());
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  EXPECT_EQ(failed_allocations(), before + 1) << "the partner never selected a receive";
  ASSERT_FALSE(threw) << "select() threw away a message its sender was told it delivered";
  ASSERT_TRUE(op->index() == index_a || op->index() == index_b);
  auto message = op->index() == index_a ? op->recv(rx_a) : op->recv(rx_b);
  EXPECT_EQ(message, 7);
}

// The same with two sends: a receiver selects the first one registered and
// waits for the Select's op.send(), and then the second registration fails
// to allocate. select() must return that send, or the receiver would wait
// for it forever.
TEST(ChannelOutOfMemory, SelectFinishesASendSelectedBeforeALaterRegistrationFails) {
  auto [tx_a, rx_a] = ferrite::channel::bounded<int>(0);
  auto [tx_b, rx_b] = ferrite::channel::bounded<int>(0);
  // As above, for the lists of waiting senders.
  ASSERT_FALSE(tx_a.send_timeout(0, 0ms).has_value());
  ASSERT_FALSE(tx_b.send_timeout(0, 0ms).has_value());
  ferrite::channel::Select sel;
  const std::size_t index_a = sel.send(tx_a);
  const std::size_t index_b = sel.send(tx_b);
  // The partner owns its ends and the result, which outlive the test if
  // it is left waiting.
  auto received = std::make_shared<std::atomic<int>>(-1);
  auto partner = std::make_unique<Partner>([rx_a, rx_b, received](Partner& self) {
    const FailAllocationsWhen report(&Partner::report_selected, &self);
    auto message = rx_a.try_recv();
    if (!message) message = rx_b.try_recv();
    if (message) received->store(*message);
    return message.has_value();
  });
  std::optional<ferrite::channel::SelectedOperation> op;
  bool threw = false;
  const int before = failed_allocations();
  try {
    const FailAllocationsWhen fail(&Partner::ask, partner.get());
    op.emplace(sel.select());
  } catch (const std::bad_alloc&) {
    threw = true;
  }
  EXPECT_EQ(failed_allocations(), before + 1) << "the partner never selected a send";
  if (threw) {
    partner->abandon();
    static_cast<void>(partner.release());  // its thread waits for the send forever
    FAIL() << "select() threw although a receiver had selected its send and waits for it";
  }
  ASSERT_TRUE(op->index() == index_a || op->index() == index_b);
  EXPECT_TRUE((op->index() == index_a ? op->send(tx_a, 9) : op->send(tx_b, 9)).has_value());
  partner.reset();  // joins: the partner has received
  EXPECT_EQ(received->load(), 9);
}

}  // namespace
