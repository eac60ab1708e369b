// tests/channel_oom_test.cc — the channels' last resort when memory runs out
// where nothing can be handed back: a rendezvous receiver that must wait for
// a Select's send to write, and cannot get the memory to park with, yields
// until the message arrives (ferrite/channel/zero.h, Packet::wait_ready).
//
// The allocation failures come from tests/support/failing_new.h: operator new
// fails on demand, for the calling thread only.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <new>
#include <optional>
#include <thread>

#include "ferrite/channel.h"
#include "tests/support/failing_new.h"

namespace {

using namespace std::chrono_literals;
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

}  // namespace
