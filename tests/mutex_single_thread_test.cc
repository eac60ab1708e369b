// tests/mutex_single_thread_test.cc — Mutex in a process that has not yet
// created a thread, and across the moment it creates its first one.
//
// While glibc's `__libc_single_threaded` is true, Mutex locks with a plain
// load and store (ferrite/detail/single_threaded.h). A lock taken that way
// must still name its holder (the relock panic), and must still work when a
// thread is created while it is held: the new thread blocks on it (the first
// sleeper: it makes the mutex fenced, lib/mutex.cc), and the unlock, which
// then sees it, hands it over. This file is its own test binary and
// its one test runs the steps in order, because the process leaves the
// single-threaded mode for good at the first thread it creates. (Under
// ThreadSanitizer the runtime has created a thread before main(): then every
// step runs on the atomic path, and the test says so.)
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include <sys/types.h>
#include <unistd.h>

#include "ferrite/detail/single_threaded.h"
#include "ferrite/mutex.h"
#include "ferrite/thread.h"
#include "tests/support/panics_on_thread.h"
#include "tests/support/thread_state.h"

namespace {

using ferrite::testing::panic_of;

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

TEST(MutexSingleThreadedProcess, LocksBeforeAndAcrossTheFirstThread) {
  const bool started_alone = ferrite::detail::process_is_single_threaded();
  ::testing::Test::RecordProperty("started_single_threaded", started_alone ? "yes" : "no");

  ferrite::Mutex<int> m(0);
  {
    // Lock, write, unlock, and lock again: the plain path keeps the value.
    auto guard = m.lock();
    **guard += 1;
  }
  {
    auto guard = m.lock();
    EXPECT_EQ(**guard, 1);
    // try_lock while held: WouldBlock, not a relock panic.
    auto attempt = m.try_lock();
    ASSERT_FALSE(attempt);
    EXPECT_TRUE(attempt.error().is_would_block());
    // A relock is refused: the plain path recorded the holder.
    const std::string message = panic_of([&] { auto again = m.lock(); });
    EXPECT_TRUE(mentions(message, "this thread already holds the lock")) << message;
    EXPECT_EQ(**guard, 1);
  }
  {
    auto attempt = m.try_lock();
    ASSERT_TRUE(attempt);
    **attempt += 1;
  }
  EXPECT_EQ(ferrite::detail::process_is_single_threaded(), started_alone);

  // Held since before the first thread exists: the thread blocks on it (and
  // sleeps there), and the unlock, seeing the sleeper, wakes it.
  std::atomic<pid_t> waiter{0};
  auto guard = m.lock();
  **guard += 1;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&m, &waiter] {
      waiter = gettid();
      auto inner = m.lock();
      **inner += 10;
    });
    EXPECT_FALSE(ferrite::detail::process_is_single_threaded());
    while (waiter == 0) std::this_thread::yield();
    // Until the thread has given up spinning and sleeps on the word.
    ASSERT_TRUE(ferrite::testing::sleeps_within(waiter, std::chrono::seconds(30)))
        << "the waiter never slept";
    EXPECT_EQ(**guard, 3);
    // Still held by this thread, whichever path took it.
    const std::string message = panic_of([&] { auto again = m.lock(); });
    EXPECT_TRUE(mentions(message, "this thread already holds the lock")) << message;
    { auto released = std::move(guard); }
  });
  auto after = m.lock();
  EXPECT_EQ(**after, 13);
  EXPECT_FALSE(m.is_poisoned());
}

}  // namespace
