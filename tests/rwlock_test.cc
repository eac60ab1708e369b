// tests/rwlock_test.cc — ferrite/rwlock.h.
//
// The behaviours of Rust's std::sync::RwLock tests (library/std/src/sync/
// rwlock/tests.rs): readers share, writers exclude, only a panicking writer
// poisons, try_read/try_write WouldBlock vs Poisoned, into_inner/get_mut on
// a poisoned lock, access during unwinding, writer preference; plus the C++
// error paths.
#include "ferrite/rwlock.h"

#include <atomic>
#include <cstdint>
#include <latch>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/barrier.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/support/panics_on_thread.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- compile-time contract ---------------------------------------------------

static_assert(Send<RwLock<int>> && Sync<RwLock<int>>);
static_assert(!Send<RwLockReadGuard<int>> && Sync<RwLockReadGuard<int>>);
static_assert(!Send<RwLockWriteGuard<int>> && Sync<RwLockWriteGuard<int>>);
static_assert(!std::is_copy_constructible_v<RwLock<int>> &&
              !std::is_move_constructible_v<RwLock<int>>);
static_assert(std::is_nothrow_move_constructible_v<RwLockReadGuard<int>>);
static_assert(std::is_nothrow_move_constructible_v<RwLockWriteGuard<int>>);
static_assert(std::is_same_v<decltype(std::declval<const RwLock<int>&>().read()),
                             LockResult<RwLockReadGuard<int>>>);
static_assert(std::is_same_v<decltype(std::declval<const RwLock<int>&>().write()),
                             LockResult<RwLockWriteGuard<int>>>);
static_assert(std::is_same_v<decltype(std::declval<const RwLock<int>&>().try_read()),
                             TryLockResult<RwLockReadGuard<int>>>);
static_assert(std::is_same_v<decltype(std::declval<const RwLock<int>&>().try_write()),
                             TryLockResult<RwLockWriteGuard<int>>>);
// Readers get const access only; writers get T& through a non-const guard.
static_assert(std::is_same_v<decltype(*std::declval<RwLockReadGuard<int>&>()), const int&>);
static_assert(std::is_same_v<decltype(*std::declval<RwLockWriteGuard<int>&>()), int&>);
static_assert(std::is_same_v<decltype(*std::declval<const RwLockWriteGuard<int>&>()), const int&>);
static_assert(std::is_same_v<decltype(RwLock(1.5)), RwLock<double>>);

// A type that is Send but not Sync: an RwLock of it is not Sync (readers on
// many threads would share it), unlike a Mutex of it.
struct SendOnly : NotSync {};
static_assert(Send<RwLock<SendOnly>> && !Sync<RwLock<SendOnly>>);
static_assert(Sync<Mutex<SendOnly>>);

template <class T>
void poison_by_writer(const RwLock<T>& lock) {
  ASSERT_TRUE(panics_on_thread([&] {
    auto guard = lock.write();
    panic("writer panics");
  }));
  ASSERT_TRUE(lock.is_poisoned());
}

// --- the header example ------------------------------------------------------

TEST(RwLockTest, HeaderExample) {
  const ferrite::RwLock<std::vector<int>> table(std::vector<int>{1, 2, 3});
  {
    auto reader = table.read();
    std::size_t n = (*reader)->size();
    EXPECT_EQ(n, 3u);
  }
  if (auto writer = table.write()) (*writer)->push_back(4);
  EXPECT_EQ(copy_of(table).size(), 4u);
}

// --- basic locking -----------------------------------------------------------

TEST(RwLockTest, Smoke) {
  const RwLock<int> l;
  { auto r = l.read(); }
  { auto w = l.write(); }
  {
    auto r1 = l.read();
    auto r2 = l.read();  // readers share
    ASSERT_TRUE(r1.has_value() && r2.has_value());
  }
  { auto w = l.write(); }
}

TEST(RwLockTest, ReadersShareAcrossThreads) {
  // Two threads hold read guards at the same time: each takes its guard,
  // then waits at a barrier that only opens when both hold theirs.
  const RwLock<int> l(7);
  const Barrier both_reading(2);
  auto reader = [&] {
    auto guard = l.read();
    EXPECT_EQ(**guard, 7);
    // Holding the lock through the wait is the point here, and the other
    // reader shares it: not the deadlock checked builds report.
    const ferrite::BlockingUnderLockAllowed reading_together;
    both_reading.wait();
    EXPECT_TRUE(l.try_write().error().is_would_block()) << "a writer is excluded";
  };
  std::thread other(reader);
  reader();
  other.join();
}

TEST(RwLockTest, WriterExcludesEveryone) {
  const RwLock<int> l(0);
  auto writer = l.write();
  ASSERT_TRUE(writer.has_value());
  std::thread([&] {
    auto r = l.try_read();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), TryLockErrorKind::WouldBlock);
    auto w = l.try_write();
    ASSERT_FALSE(w.has_value());
    EXPECT_EQ(w.error().kind(), TryLockErrorKind::WouldBlock);
  }).join();
  EXPECT_TRUE(l.try_read().error().is_would_block());
}

TEST(RwLockTest, TryWriteWhileReading) {
  // Rust's test_rwlock_try_write.
  const RwLock<int> l(0);
  auto reader = l.read();
  auto attempt = l.try_write();
  ASSERT_FALSE(attempt.has_value());
  EXPECT_EQ(attempt.error().kind(), TryLockErrorKind::WouldBlock);
  EXPECT_THROW((void)std::move(attempt.error()).into_inner(), Panic);
  auto shared = l.try_read();
  EXPECT_TRUE(shared.has_value()) << "try_read succeeds beside another reader";
}

TEST(RwLockTest, TryLocksSucceedWhenFree) {
  const RwLock<int> l(1);
  {
    auto w = l.try_write();
    ASSERT_TRUE(w.has_value());
    **w = 2;
  }
  auto r = l.try_read();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(**r, 2);
}

TEST(RwLockTest, WaitingWriterBlocksNewReaders) {
  // Writer preference: once a writer waits, new readers queue behind it.
  const RwLock<int> l(0);
  auto reader = std::move(*l.read());
  std::atomic<bool> wrote{false};
  std::thread writer([&] {
    auto w = l.write();  // blocks until the reader leaves
    **w = 1;
    wrote = true;
  });
  // Bounded polling (no sleeping): the writer announces itself by making
  // new readers wait; it cannot get the lock while `reader` is alive.
  while (l.try_read().has_value()) std::this_thread::yield();
  EXPECT_FALSE(wrote.load());
  { RwLockReadGuard<int> release = std::move(reader); }
  writer.join();
  EXPECT_TRUE(wrote.load());
  EXPECT_EQ(copy_of(l), 1);
}

TEST(RwLockTest, ReadersNeverSeeAHalfWrittenValue) {
  // Rust's test_rw_arc: the writer breaks the invariant (value >= 0) only
  // inside its critical section; readers must never observe it broken.
  auto l = make_arc<RwLock<int>>(0);
  constexpr int kWrites = 2000;
  std::thread writer([l] {
    for (int i = 0; i < kWrites; ++i) {
      auto w = l->write();
      const int before = **w;
      **w = -1;
      std::atomic_signal_fence(std::memory_order_seq_cst);
      **w = before + 1;
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([l] {
      for (int i = 0; i < kWrites; ++i) {
        auto r = l->read();
        EXPECT_GE(**r, 0);
      }
    });
  }
  writer.join();
  for (auto& reader : readers) reader.join();
  EXPECT_EQ(copy_of(*l), kWrites);
}

// --- poisoning ---------------------------------------------------------------

TEST(RwLockPoisonTest, PanickingWriterPoisonsReaders) {
  // Rust's test_rw_arc_poison_wr.
  const RwLock<int> l(1);
  poison_by_writer(l);
  auto r = l.read();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(*r.error().get_ref(), 1);
}

TEST(RwLockPoisonTest, PanickingWriterPoisonsWriters) {
  // Rust's test_rw_arc_poison_ww.
  const RwLock<int> l(1);
  poison_by_writer(l);
  auto w = l.write();
  ASSERT_FALSE(w.has_value());
  RwLockWriteGuard<int> guard = std::move(w.error()).into_inner();
  *guard = 2;
}

TEST(RwLockPoisonTest, PanickingReaderDoesNotPoison) {
  // Rust's test_rw_arc_no_poison_rr and _rw.
  const RwLock<int> l(1);
  EXPECT_TRUE(panics_on_thread([&] {
    auto guard = l.read();
    panic("reader panics");
  }));
  EXPECT_FALSE(l.is_poisoned());
  EXPECT_TRUE(l.read().has_value());
  EXPECT_TRUE(l.write().has_value());
}

TEST(RwLockPoisonTest, TryLocksOnAPoisonedLockCarryTheGuard) {
  const RwLock<int> l(3);
  poison_by_writer(l);
  {
    auto r = l.try_read();
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error().kind(), TryLockErrorKind::Poisoned);
    RwLockReadGuard<int> guard = std::move(r.error()).into_inner();
    EXPECT_EQ(*guard, 3);
    EXPECT_TRUE(l.try_write().error().is_would_block()) << "the read guard holds the lock";
  }
  auto w = l.try_write();
  ASSERT_FALSE(w.has_value());
  EXPECT_EQ(w.error().kind(), TryLockErrorKind::Poisoned);
  ASSERT_NE(w.error().poison_error(), nullptr);
  *w.error().poison_error()->get_mut() = 4;
  RwLockWriteGuard<int> guard = std::move(w.error()).into_inner();
  EXPECT_EQ(*guard, 4);
}

TEST(RwLockPoisonTest, DerefOfAPoisonedResultPanics) {
  // Rust's `l.read().unwrap()` on a poisoned lock: a panic with the way out,
  // never a use of an expected that holds an error.
  NoLeaks no_leaks;
  const RwLock<Counted> l(5);
  poison_by_writer(l);
  {
    auto r = l.read();
    try {
      (void)(*r)->value();
      ADD_FAILURE() << "reading a poisoned result must panic";
    } catch (const Panic& p) {
      const std::string message = p.what();
      EXPECT_NE(message.find("ferrite::LockResult::operator*: the lock is poisoned"),
                std::string::npos)
          << message;
      EXPECT_NE(message.find("into_inner()"), std::string::npos) << message;
    }
    EXPECT_THROW((void)r.value(), Panic);
    EXPECT_THROW((void)r->operator->(), Panic);
    RwLockReadGuard<Counted> recovered = std::move(r.error()).into_inner();
    EXPECT_EQ(recovered->value(), 5);
  }
  {
    auto w = l.write();
    EXPECT_THROW((void)**w, Panic);
    EXPECT_THROW((void)std::move(w).value(), Panic);
    RwLockWriteGuard<Counted> recovered = std::move(w.error()).into_inner();
    *recovered = Counted(6);
  }
  {
    auto held = l.read();  // poisoned; holds a read lock
    auto busy = l.try_write();
    const std::string would_block = panic_message([&] { (void)**busy; });
    EXPECT_TRUE(contains(would_block, "ferrite::TryLockResult::operator*: the lock would block"))
        << "a WouldBlock result must panic: " << would_block;
    auto shared = l.try_read();
    const std::string poisoned = panic_message([&] { (void)shared.value(); });
    EXPECT_TRUE(contains(poisoned, "ferrite::TryLockResult::value(): the lock is poisoned"))
        << "a Poisoned result must panic: " << poisoned;
  }
  {
    // Every guard is gone: a writer gets in (with the poison news).
    auto after = l.try_write();
    ASSERT_FALSE(after.has_value());
    EXPECT_TRUE(after.error().is_poisoned());
  }
  l.clear_poison();
  auto writer = l.write();
  EXPECT_EQ((*writer)->value(), 6);
}

TEST(RwLockTest, ValueOfAGoodResult) {
  const RwLock<std::string> l("a");
  {
    auto w = l.write();
    RwLockWriteGuard<std::string>& writer = w.value();
    *writer += "b";
  }
  RwLockReadGuard<std::string> reader = l.read().value();
  RwLockReadGuard<std::string> second = l.try_read().value();
  EXPECT_EQ(*reader, "ab");
  EXPECT_EQ(*second, "ab");
}

TEST(RwLockPoisonTest, ClearPoison) {
  const RwLock<int> l(0);
  poison_by_writer(l);
  l.clear_poison();
  EXPECT_FALSE(l.is_poisoned());
  EXPECT_TRUE(l.read().has_value());
  EXPECT_TRUE(l.write().has_value());
}

TEST(RwLockPoisonTest, AccessInUnwindDoesNotPoison) {
  // Rust's test_rw_arc_access_in_unwind.
  const RwLock<int> l(1);
  EXPECT_TRUE(panics_running_in_unwind([&] {
    auto writer = l.write();
    **writer += 1;
  }));
  EXPECT_FALSE(l.is_poisoned());
  EXPECT_EQ(copy_of(l), 2);
}

// --- into_inner / get_mut ----------------------------------------------------

TEST(RwLockTest, IntoInnerAndDrop) {
  NoLeaks no_leaks;
  RwLock<Counted> l(5);
  auto r = std::move(l).into_inner();
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->value(), 5);
}

TEST(RwLockTest, IntoInnerPoisoned) {
  RwLock<std::string> l("kept");
  poison_by_writer(l);
  auto r = std::move(l).into_inner();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(std::move(r.error()).into_inner(), "kept");
}

TEST(RwLockTest, GetMut) {
  RwLock<int> l(10);
  auto r = l.get_mut();
  ASSERT_TRUE(r.has_value());
  **r = 20;
  EXPECT_EQ(copy_of(l), 20);
}

TEST(RwLockTest, GetMutPoisoned) {
  RwLock<int> l(10);
  poison_by_writer(l);
  auto r = l.get_mut();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(*r.error().get_ref(), 10);
}

TEST(RwLockTest, ExclusiveAccessWithAGuardAlivePanics) {
  RwLock<int> l(1);
  {
    auto reader = l.read();
    EXPECT_THROW((void)l.get_mut(), Panic);
  }
  {
    auto writer = l.write();
    EXPECT_THROW((void)std::move(l).into_inner(), Panic);
  }
  EXPECT_FALSE(l.is_poisoned()) << "the guards were not destroyed by the panics";
  EXPECT_TRUE(l.get_mut().has_value());
}

// --- guards ------------------------------------------------------------------

TEST(RwLockGuardTest, MovedFromGuardsPanicOnUse) {
  const RwLock<int> l(0);
  {
    auto r = l.read();
    RwLockReadGuard<int> kept = std::move(*r);
    EXPECT_THROW((void)**r, Panic);
    EXPECT_THROW((void)r->operator->(), Panic);
    EXPECT_EQ(*kept, 0);
  }
  {
    auto w = l.write();
    RwLockWriteGuard<int> kept = std::move(*w);
    EXPECT_THROW((void)**w, Panic);
    EXPECT_THROW((void)w->operator->(), Panic);
    const RwLockWriteGuard<int>& as_const = *w;
    EXPECT_THROW((void)*as_const, Panic);
    EXPECT_THROW((void)as_const.operator->(), Panic);
    *kept = 1;
  }
  EXPECT_FALSE(l.is_poisoned());
  EXPECT_EQ(copy_of(l), 1);
}

TEST(RwLockGuardTest, MoveAssignmentReleases) {
  const RwLock<int> a(1);
  const RwLock<int> b(2);
  {
    RwLockWriteGuard<int> w = std::move(*a.write());
    w = std::move(*b.write());  // a held while b is taken: the order a, b
    EXPECT_TRUE(a.try_write().has_value());
    EXPECT_EQ(*w, 2);
    RwLockWriteGuard<int>& w_self = w;
    w = std::move(w_self);
    EXPECT_TRUE(b.try_read().error().is_would_block());
  }  // b released: taking a below is not the order b, a (a potential deadlock)

  const RwLock<int> c(3);
  RwLockReadGuard<int> r = std::move(*a.read());
  r = std::move(*c.read());
  EXPECT_TRUE(a.try_write().has_value()) << "assigning over a read guard releases it";
  EXPECT_EQ(*r, 3);
  RwLockReadGuard<int>& r_self = r;
  r = std::move(r_self);
  EXPECT_TRUE(c.try_write().error().is_would_block());
}

}  // namespace
}  // namespace ferrite
