// tests/channel_rmw_test.cc — the channels' single-threaded shortcut
// (ferrite/channel/rmw.h): while the process has never had a second thread,
// the bounded and unbounded flavors claim, publish and release slots with
// plain loads and stores. These tests create the first thread while a
// channel holds messages, and while a send is between its claim and its
// publication, and check that every message still arrives once, in order.
//
// Each scenario runs in a child process of its own (a death test in the
// "threadsafe" style, which starts the test binary afresh rather than
// forking this process: under ThreadSanitizer a forked child is never
// single-threaded), so that each starts single-threaded; the child exits 0
// when the scenario held.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <thread>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/channel/list.h"
#include "ferrite/detail/single_threaded.h"

namespace {

using namespace ferrite::channel;

// Exits the child process: 0 when `ok`, else 1 after printing `what`.
// std::exit, so that the child's exit handlers (a coverage profile's
// writer, for one) run; every thread it started has been joined.
[[noreturn]] void finish(bool ok, const char* what) {
  if (!ok) std::fprintf(stderr, "failed: %s\n", what);
  std::fflush(stderr);
  std::exit(ok ? 0 : 1);
}

// Receives `count` messages that must be first, first + 1, ...
bool receive_in_order(const Receiver<int>& rx, int first, int count) {
  for (int i = 0; i < count; ++i) {
    auto got = rx.recv();
    if (!got || *got != first + i) return false;
  }
  return true;
}

// Fills `capacity` (0: unbounded) partly on the only thread, takes some
// back, then starts a thread that receives the rest while this one sends
// more: the sends and receives before the thread used the shortcut, those
// after it the atomic instructions.
[[noreturn]] void buffered_then_thread(std::size_t capacity) {
  if (!ferrite::detail::process_is_single_threaded()) finish(false, "not single-threaded");
  auto [tx, rx] = capacity == 0 ? unbounded<int>() : bounded<int>(capacity);
  // Unbounded: messages that span four blocks. Bounded: fill it.
  constexpr int kBlock = static_cast<int>(ferrite::detail::ListChannel<int>::kBlockCap);
  const int before = capacity == 0 ? 3 * kBlock + 7 : static_cast<int>(capacity);
  const int taken = capacity == 0 ? kBlock + 9 : before / 2;
  for (int i = 0; i < before; ++i) {
    if (!tx.send(i)) finish(false, "send before the thread");
  }
  if (!receive_in_order(rx, 0, taken)) finish(false, "recv before the thread");
  if (rx.len() != static_cast<std::size_t>(before - taken)) finish(false, "len before the thread");
  constexpr int kAfter = 5000;
  std::atomic<bool> ok{false};
  std::thread receiver([&, rx = rx] { ok = receive_in_order(rx, taken, before - taken + kAfter); });
  if (ferrite::detail::process_is_single_threaded()) finish(false, "still single-threaded");
  for (int i = before; i < before + kAfter; ++i) {
    if (!tx.send(i)) finish(false, "send after the thread");
  }
  receiver.join();
  const auto rest = rx.try_recv();
  finish(ok && !rest && rest.error() == TryRecvError::Empty, "recv after the thread");
}

// What the move constructor below needs: the channel's receiver, the number
// of messages sent before the last one, whether it started the thread, and
// the thread, which sets `drained` once it received them all in order.
struct Starter;
const Receiver<Starter>* starter_rx = nullptr;
std::size_t starter_buffered = 0;
std::atomic<bool> starter_launched{false};
std::optional<std::thread> starter_thread;
std::atomic<bool> drained{false};

// A message whose move constructor, for the message marked `last`, starts
// the process's first thread once the channel has one more slot claimed
// than the messages sent before it: that is, inside the send that claimed
// the slot, between the claim (made alone, with plain stores) and the
// publication of the message (made with the new thread running, and
// already waiting for it).
struct Starter {
  int value;
  bool last = false;

  explicit Starter(int v, bool l = false) : value(v), last(l) {}
  Starter(Starter&& other) noexcept : value(other.value), last(other.last) {
    if (last && starter_rx != nullptr && starter_rx->len() == starter_buffered + 1 &&
        !starter_launched.exchange(true)) {
      const int count = static_cast<int>(starter_buffered) + 1;
      starter_thread.emplace([rx = *starter_rx, count] {
        for (int i = 0; i < count; ++i) {
          auto got = rx.recv();
          if (!got || got->value != i) return;
        }
        drained = true;
      });
    }
  }
  Starter& operator=(Starter&&) = delete;
};

[[noreturn]] void thread_started_mid_send(std::size_t capacity) {
  if (!ferrite::detail::process_is_single_threaded()) finish(false, "not single-threaded");
  auto [tx, rx] = capacity == 0 ? unbounded<Starter>() : bounded<Starter>(capacity);
  // Unbounded: the last message is the first of the second block.
  const std::size_t buffered =
      capacity == 0 ? ferrite::detail::ListChannel<Starter>::kBlockCap : capacity - 1;
  for (std::size_t i = 0; i < buffered; ++i) {
    if (!tx.send(Starter(static_cast<int>(i)))) finish(false, "send before the thread");
  }
  starter_rx = &rx;
  starter_buffered = buffered;
  if (!tx.send(Starter(static_cast<int>(buffered), true))) finish(false, "the last send");
  if (!starter_launched) finish(false, "no thread was started during the send");
  starter_thread->join();
  finish(drained.load(), "the thread received every message in order");
}

// Runs `scenario(capacity)` in a fresh process (see the top of the file),
// which must exit 0.
void run_alone(void (*scenario)(std::size_t), std::size_t capacity) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(scenario(capacity), ::testing::ExitedWithCode(0), "");
}

TEST(ChannelRmw, UnboundedBufferedThenThread) { run_alone(buffered_then_thread, 0); }
TEST(ChannelRmw, BoundedBufferedThenThread) { run_alone(buffered_then_thread, 8); }
TEST(ChannelRmw, BoundedOneBufferedThenThread) { run_alone(buffered_then_thread, 1); }
TEST(ChannelRmw, UnboundedThreadStartedMidSend) { run_alone(thread_started_mid_send, 0); }
TEST(ChannelRmw, BoundedThreadStartedMidSend) { run_alone(thread_started_mid_send, 4); }

}  // namespace
