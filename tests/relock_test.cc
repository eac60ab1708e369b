// tests/relock_test.cc — a thread that locks a lock it already holds panics
// at once, naming the lock, instead of waiting for itself forever (Rust's
// Mutex::lock "might panic or deadlock"; ferrite always panics). In every
// build. try_lock() is not a relock: it reports WouldBlock, as before. An
// RwLock refuses write() under the thread's own read guard too, and lets a
// thread that reads read again at once, even while a writer waits.
#include <gtest/gtest.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "ferrite/condvar.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"
#include "ferrite/thread.h"
#include "tests/support/panics_on_thread.h"

namespace {

using ferrite::testing::copy_of;
using ferrite::testing::panic_of;

bool mentions(const std::string& message, const std::string& part) {
  return message.find(part) != std::string::npos;
}

// Checked builds (the detector's held-lock record) also say where the held
// guard was taken, here at `line`; release builds name the lock only.
void expect_held_site(const std::string& message, int line) {
  if (ferrite::detail::kLockOrderChecks) {
    EXPECT_TRUE(mentions(message, "taken at ")) << message;
    EXPECT_TRUE(mentions(message, "relock_test.cc:" + std::to_string(line) + ")")) << message;
  } else {
    EXPECT_FALSE(mentions(message, "taken at ")) << message;
  }
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

TEST(Relock, TheRefusalNamesWhereTheHeldGuardWasTaken) {
  ferrite::Mutex<int> m(1);
  const int line = __LINE__ + 1;
  auto guard = m.lock();
  expect_held_site(panic_of([&] { auto again = m.lock(); }), line);
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

TEST(Relock, RwLockWriteWhileReadingPanics) {
  ferrite::RwLock<int> l(1);
  auto reader = l.read();
  const std::string message = panic_of([&] { auto writer = l.write(); });
  EXPECT_TRUE(mentions(message, "ferrite::RwLock::write: this thread holds a read lock on"))
      << message;
  EXPECT_TRUE(mentions(message, "drop the read guard first")) << message;
  // Nothing changed: the read guard still holds the lock, and no writer waits.
  EXPECT_EQ(**reader, 1);
  EXPECT_TRUE(l.try_read());
  EXPECT_FALSE(l.is_poisoned());
}

// A read lock taken with try_read() is this thread's all the same.
TEST(Relock, RwLockWriteWhileTryReadingPanics) {
  ferrite::RwLock<int> l(1);
  auto reader = l.try_read();
  ASSERT_TRUE(reader);
  EXPECT_TRUE(mentions(panic_of([&] { auto writer = l.write(); }), "holds a read lock"));
}

TEST(Relock, RwLockWriteWhileReadingNamesWhereTheReadGuardWasTaken) {
  ferrite::RwLock<int> l(1);
  const int line = __LINE__ + 1;
  auto reader = l.read();
  auto again = l.read();
  expect_held_site(panic_of([&] { auto writer = l.write(); }), line);  // the first read guard
}

TEST(Relock, RwLockWriteWhileWritingNamesWhereTheWriteGuardWasTaken) {
  ferrite::RwLock<int> l(1);
  const int line = __LINE__ + 1;
  auto writer = l.write();
  for (const std::string& message :
       {panic_of([&] { auto again = l.write(); }), panic_of([&] { auto reader = l.read(); })}) {
    EXPECT_TRUE(mentions(message, "already holds the lock")) << message;
    expect_held_site(message, line);
  }
}

// Once the thread's read guards are gone, in any order, it may write.
TEST(Relock, RwLockWriteAfterTheReadGuardsAreDropped) {
  ferrite::RwLock<int> a(1);
  ferrite::RwLock<int> b(2);
  {
    auto read_a = a.read();
    auto read_b = b.read();
    auto read_a_again = a.read();
    { auto released = std::move(read_a); }  // not the latest: out of order
    EXPECT_TRUE(mentions(panic_of([&] { auto writer = a.write(); }), "holds a read lock"));
    { auto released = std::move(read_b); }
    auto write_b = b.write();
    **write_b = 3;
  }
  auto write_a = a.write();
  **write_a += 1;
  EXPECT_EQ(**write_a, 2);
}

// A read guard moved to a new name still holds the read lock for this thread.
TEST(Relock, RwLockMovedReadGuardStillRefusesWrite) {
  ferrite::RwLock<int> l(1);
  auto reader = l.read();
  auto moved = std::move(reader);
  EXPECT_TRUE(mentions(panic_of([&] { auto writer = l.write(); }), "holds a read lock"));
}

// More read locks held at once than the thread records: the extra ones are
// only counted, and releasing them all leaves the record as it was.
TEST(Relock, RwLockManyReadLocksAtOnce) {
  constexpr std::size_t kLocks = 40;
  std::vector<std::unique_ptr<ferrite::RwLock<int>>> locks;
  for (std::size_t i = 0; i < kLocks; ++i) {
    locks.push_back(std::make_unique<ferrite::RwLock<int>>(static_cast<int>(i)));
  }
  {
    std::vector<ferrite::LockResult<ferrite::RwLockReadGuard<int>>> readers;
    for (const auto& lock : locks) readers.push_back(lock->read());
    // The first ones are recorded: their write is refused, not a hang.
    EXPECT_TRUE(mentions(panic_of([&] { auto writer = locks.front()->write(); }),
                         "holds a read lock"));
    // Released first to last (not the order they were taken in).
    for (auto& reader : readers) { auto released = std::move(reader); }
  }
  for (const auto& lock : locks) {
    auto writer = lock->write();
    **writer += 1;
  }
  auto reader = locks.front()->read();
  EXPECT_TRUE(mentions(panic_of([&] { auto writer = locks.front()->write(); }),
                       "holds a read lock"));
}

// Another thread's read lock is not this thread's: write() waits for it.
TEST(Relock, RwLockWriteWaitsForAnotherThreadsReader) {
  ferrite::RwLock<int> l(0);
  std::atomic<bool> reading{false};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&l, &reading] {
      auto reader = l.read();
      reading = true;
      // Keep reading until the writer queues (try_read then refuses).
      while (l.try_read()) std::this_thread::yield();
    });
    while (!reading) std::this_thread::yield();
    auto writer = l.write();
    **writer = 1;
  });
  EXPECT_EQ(copy_of(l), 1);
}

// Reading again on a thread that reads does not wait, even for a writer
// that waits (which would wait for this thread's first read guard forever).
TEST(Relock, RwLockReadAgainWhileAWriterWaits) {
  ferrite::RwLock<int> l(3);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    auto first = l.read();
    s.spawn([&l] {
      auto writer = l.write();
      **writer = 7;
    });
    // The writer has queued once try_read refuses readers.
    while (l.try_read()) std::this_thread::yield();
    auto second = l.read();
    EXPECT_EQ(**first + **second, 6);
    // Both guards go before the scope joins the writer, which then writes.
  });
  EXPECT_EQ(copy_of(l), 7);
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
