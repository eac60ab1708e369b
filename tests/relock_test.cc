// tests/relock_test.cc — a thread that locks a lock it already holds panics
// at once, naming the lock, instead of waiting for itself forever (Rust's
// Mutex::lock "might panic or deadlock"; ferrite always panics). In every
// build. try_lock() is not a relock: it reports WouldBlock, as before.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>

#include "ferrite/condvar.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"
#include "ferrite/thread.h"
#include "tests/support/panics_on_thread.h"

namespace {

using ferrite::testing::panic_of;

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

TEST(Relock, MutexLockWhileHoldingPanics) {
  ferrite::Mutex<int> m(1);
  auto guard = m.lock();
  const std::string message = panic_of([&] { auto again = m.lock(); });
  EXPECT_TRUE(mentions(message, "ferrite::Mutex::lock: this thread already holds the lock"))
      << message;
  // Nothing changed: the first guard still holds the lock and the value.
  EXPECT_EQ(**guard, 1);
  EXPECT_FALSE(m.is_poisoned());
}

// Checked builds (the detector's held-lock record) also say where the
// held guard was taken; release builds name the lock only.
TEST(Relock, TheRefusalNamesWhereTheHeldGuardWasTaken) {
  ferrite::Mutex<int> m(1);
  const int line = __LINE__ + 1;
  auto guard = m.lock();
  const std::string message = panic_of([&] { auto again = m.lock(); });
  const std::string site = std::string("relock_test.cc:") + std::to_string(line);
  if (ferrite::detail::kLockOrderChecks) {
    EXPECT_TRUE(mentions(message, "taken at ")) << message;
    EXPECT_TRUE(mentions(message, site)) << message;
  } else {
    EXPECT_FALSE(mentions(message, "taken at ")) << message;
  }
}

TEST(Relock, MutexUsableAfterTheRefusal) {
  ferrite::Mutex<int> m(1);
  {
    auto guard = m.lock();
    panic_of([&] { auto again = m.lock(); });
    **guard = 2;
  }
  auto guard = m.lock();  // released by the first guard: no refusal now
  EXPECT_EQ(**guard, 2);
}

TEST(Relock, MutexTryLockWhileHoldingIsWouldBlock) {
  ferrite::Mutex<int> m(1);
  auto guard = m.lock();
  auto again = m.try_lock();
  ASSERT_FALSE(again);
  EXPECT_TRUE(again.error().is_would_block());
}

// Another thread waiting for the lock is not a relock: it waits.
TEST(Relock, OtherThreadWaits) {
  ferrite::Mutex<int> m(0);
  std::atomic<bool> waiting{false};
  auto guard = m.lock();
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&m, &waiting] {
      waiting = true;
      auto g = m.lock();
      **g += 1;
    });
    // The other thread is about to lock (or already waits): either way it is
    // not the holder, so it must wait for this guard, not be refused.
    while (!waiting) std::this_thread::yield();
    **guard = 41;
    { auto released = std::move(guard); }
  });
  auto after = m.lock();
  EXPECT_EQ(**after, 42);
}

// A guard moved to a new name still holds the lock for this thread.
TEST(Relock, MovedGuardStillRefuses) {
  ferrite::Mutex<int> m(1);
  auto guard = m.lock();
  auto moved = std::move(guard);
  EXPECT_TRUE(mentions(panic_of([&] { auto again = m.lock(); }), "already holds the lock"));
}

// Condvar::wait releases and re-acquires the lock: afterwards the thread
// holds it again, and a relock is refused again.
TEST(Relock, AfterCondvarWaitStillRefuses) {
  ferrite::Mutex<bool> ready(false);
  ferrite::Condvar cv;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&ready, &cv] {
      auto g = ready.lock();
      **g = true;
      cv.notify_one();
    });
    auto guard = ready.lock();
    auto woken = cv.wait_while(std::move(*guard), [](bool& r) { return !r; });
    ASSERT_TRUE(woken);
    EXPECT_TRUE(mentions(panic_of([&] { auto again = ready.lock(); }), "already holds"));
  });
}

TEST(Relock, RwLockWriteWhileWritingPanics) {
  ferrite::RwLock<int> l(1);
  auto guard = l.write();
  EXPECT_TRUE(mentions(panic_of([&] { auto again = l.write(); }),
                       "ferrite::RwLock::write: this thread already holds the lock"));
  EXPECT_TRUE(mentions(panic_of([&] { auto reader = l.read(); }),
                       "ferrite::RwLock::read: this thread already holds the lock"));
  EXPECT_EQ(**guard, 1);
}

TEST(Relock, RwLockReadersMayReadAgain) {
  ferrite::RwLock<int> l(3);
  auto first = l.read();
  auto second = l.read();  // shared: no refusal
  EXPECT_EQ(**first + **second, 6);
  auto writer = l.try_write();
  ASSERT_FALSE(writer);
  EXPECT_TRUE(writer.error().is_would_block());
}

TEST(Relock, RwLockUsableAfterTheRefusal) {
  ferrite::RwLock<int> l(1);
  {
    auto guard = l.write();
    panic_of([&] { auto again = l.write(); });
    **guard = 5;
  }
  {
    auto reader = l.read();
    EXPECT_EQ(**reader, 5);
  }
  auto writer = l.write();
  EXPECT_EQ(**writer, 5);
}

}  // namespace
