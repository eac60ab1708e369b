// tests/condvar_test.cc — ferrite/condvar.h (and the deadlines of detail/futex.h).
//
// The behaviours of Rust's std::sync::Condvar tests (library/std/src/sync/
// condvar/tests.rs): notify_one / notify_all wake-ups, wait_while, timeouts
// (bounded waits, never sleeps as synchronization), poisoning observed by a
// waiter, and the two-mutexes panic; plus the C++ error paths.
#include "ferrite/condvar.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <latch>
#include <limits>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/detail/futex.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/support/panics_on_thread.h"

namespace ferrite {
namespace {

using namespace std::chrono_literals;
using namespace ::ferrite::testing;

// A thread that sets the value behind `m` to `value` under the lock, then
// notifies one waiter of `c`. Started while the waiter holds the lock, it can
// only take it once the waiter has released it inside a wait, so the
// notification cannot be missed.
template <class T>
std::thread set_then_notify_one(const Mutex<T>& m, const Condvar& c, T value) {
  return std::thread([&m, &c, value] {
    m.with_lock([&](T& v) { v = value; });
    c.notify_one();
  });
}

static_assert(Send<Condvar> && Sync<Condvar>);
static_assert(!std::is_copy_constructible_v<Condvar> && !std::is_move_constructible_v<Condvar>);
static_assert(std::is_same_v<decltype(std::declval<const Condvar&>().wait(
                                 std::declval<MutexGuard<int>>())),
                             LockResult<MutexGuard<int>>>);
static_assert(std::is_same_v<decltype(std::declval<const Condvar&>().wait_timeout(
                                 std::declval<MutexGuard<int>>(), 1ms)),
                             LockResult<std::pair<MutexGuard<int>, WaitTimeoutResult>>>);
static_assert(WaitTimeoutResult(true).timed_out() && !WaitTimeoutResult(false).timed_out());
static_assert(WaitTimeoutResult(true) == WaitTimeoutResult(true));

// --- the header example ------------------------------------------------------

TEST(CondvarTest, HeaderExample) {
  const ferrite::Mutex<bool> ready(false);
  const ferrite::Condvar changed;
  std::thread producer([&] {
    ready.with_lock([](bool& r) { r = true; });
    changed.notify_one();
  });
  auto guard = changed.wait_while(*ready.lock(), [](bool& r) { return !r; });
  ASSERT_TRUE(guard.has_value());
  EXPECT_TRUE(**guard);
  producer.join();
}

// --- wake-ups ----------------------------------------------------------------

TEST(CondvarTest, NotifyWithoutWaitersIsHarmless) {
  const Condvar c;
  c.notify_one();
  c.notify_all();
}

TEST(CondvarTest, NotifyOneWakesAWaiter) {
  // Rust's notify_one: the notifier can only take the lock once the waiter
  // has released it inside wait(), so the notification cannot be missed.
  const Mutex<int> m(0);
  const Condvar c;
  auto guard = m.lock();
  std::thread notifier = set_then_notify_one(m, c, 1);
  auto woken = c.wait_while(std::move(*guard), [](int& v) { return v == 0; });
  ASSERT_TRUE(woken.has_value());
  EXPECT_EQ(**woken, 1);
  notifier.join();
}

TEST(CondvarTest, PlainWaitReturnsTheGuard) {
  const Mutex<int> m(0);
  const Condvar c;
  auto guard = m.lock();
  std::thread notifier = set_then_notify_one(m, c, 1);  // once the waiter is inside wait()
  // wait() may wake spuriously; loop on the state as every caller must.
  MutexGuard<int> held = std::move(*guard);
  while (*held == 0) {
    auto woken = c.wait(std::move(held));
    ASSERT_TRUE(woken.has_value());
    held = std::move(*woken);
  }
  EXPECT_EQ(*held, 1);
  notifier.join();
}

TEST(CondvarTest, NotifyAllWakesEveryWaiter) {
  // Rust's notify_all: N waiters register under the lock; once all are
  // registered (so each is inside wait), one notify_all releases them all.
  constexpr int kWaiters = 8;
  struct State {
    int registered = 0;
    bool go = false;
  };
  const Mutex<State> m;
  const Condvar all_registered;
  const Condvar go;
  std::vector<std::thread> waiters;
  std::atomic<int> released{0};
  for (int i = 0; i < kWaiters; ++i) {
    waiters.emplace_back([&] {
      auto guard = m.lock();
      if (++(*guard)->registered == kWaiters) all_registered.notify_one();
      auto woken = go.wait_while(std::move(*guard), [](State& s) { return !s.go; });
      ASSERT_TRUE(woken.has_value());
      released.fetch_add(1);
    });
  }
  {
    auto guard = all_registered.wait_while(*m.lock(),
                                           [](State& s) { return s.registered < kWaiters; });
    ASSERT_TRUE(guard.has_value());
    EXPECT_EQ(released.load(), 0);
    (*guard)->go = true;
  }
  go.notify_all();
  for (auto& waiter : waiters) waiter.join();
  EXPECT_EQ(released.load(), kWaiters);
}

TEST(CondvarTest, WaitWhileChecksFirstAndDoesNotWaitWhenFalse) {
  const Mutex<int> m(5);
  const Condvar c;
  int calls = 0;
  auto guard = c.wait_while(*m.lock(), [&](int& v) {
    ++calls;
    return v != 5;
  });
  ASSERT_TRUE(guard.has_value());
  EXPECT_EQ(calls, 1);
}

TEST(CondvarTest, WaitWhileSurvivesNotificationsThatDoNotSatisfyIt) {
  // Notifications that do not make the predicate false are absorbed: the
  // waiter returns only at the value it waits for.
  const Mutex<int> m(0);
  const Condvar c;
  std::thread counter([&] {
    for (int i = 1; i <= 10; ++i) {
      m.with_lock([i](int& v) { v = i; });
      c.notify_all();
    }
  });
  auto guard = c.wait_while(*m.lock(), [](int& v) { return v < 10; });
  ASSERT_TRUE(guard.has_value());
  EXPECT_EQ(**guard, 10);
  counter.join();
}

// --- timeouts ----------------------------------------------------------------

TEST(CondvarTest, WaitTimeoutTimesOut) {
  // Rust's wait_timeout_wait: nobody notifies, so the wait eventually times
  // out (a spurious early return reports timed_out() == false; retry).
  const Mutex<int> m(0);
  const Condvar c;
  auto held = std::move(*m.lock());
  for (;;) {
    const auto start = std::chrono::steady_clock::now();
    auto r = c.wait_timeout(std::move(held), 2ms);
    ASSERT_TRUE(r.has_value());
    held = std::move(r->first);
    if (r->second.timed_out()) {
      EXPECT_GE(std::chrono::steady_clock::now() - start, 2ms);
      break;
    }
  }
  *held = 1;  // the guard still holds the lock
  EXPECT_TRUE(m.try_lock().error().is_would_block());
}

TEST(CondvarTest, WaitTimeoutAcceptsAnyDuration) {
  const Mutex<int> m(0);
  const Condvar c;
  auto held = std::move(*m.lock());
  auto a = c.wait_timeout(std::move(held), std::chrono::duration<double, std::milli>(0.5));
  ASSERT_TRUE(a.has_value());
  auto b = c.wait_timeout(std::move(a->first), std::chrono::nanoseconds(1));
  ASSERT_TRUE(b.has_value());
  auto z = c.wait_timeout(std::move(b->first), std::chrono::seconds(0));
  ASSERT_TRUE(z.has_value());
  EXPECT_TRUE(z->second.timed_out()) << "a zero timeout has expired before it starts";
  auto n = c.wait_timeout(std::move(z->first), std::chrono::milliseconds(-5));
  ASSERT_TRUE(n.has_value());
  EXPECT_TRUE(n->second.timed_out()) << "a negative timeout has expired before it starts";
}

TEST(CondvarTest, WaitTimeoutWakesOnNotify) {
  // Rust's wait_timeout_wake: a notification ends the wait long before the
  // (one hour) timeout; the notifier marks what it did under the lock.
  const Mutex<bool> notified(false);
  const Condvar c;
  auto guard = notified.lock();
  std::thread notifier = set_then_notify_one(notified, c, true);  // once inside wait_timeout
  auto held = std::move(*guard);
  while (!*held) {
    auto r = c.wait_timeout(std::move(held), std::chrono::hours(1));
    ASSERT_TRUE(r.has_value());
    EXPECT_FALSE(r->second.timed_out());
    held = std::move(r->first);
  }
  notifier.join();
}

TEST(CondvarTest, WaitTimeoutWhileTimesOutWhenThePredicateStaysTrue) {
  const Mutex<int> m(0);
  const Condvar c;
  const auto start = std::chrono::steady_clock::now();
  auto r = c.wait_timeout_while(*m.lock(), 3ms, [](int&) { return true; });
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->second.timed_out());
  EXPECT_GE(std::chrono::steady_clock::now() - start, 3ms);
}

TEST(CondvarTest, WaitTimeoutWhileReturnsAtOnceWhenSatisfied) {
  // Rust's wait_timeout_while_instant_satisfy: a zero timeout and a false
  // predicate is not a timeout.
  const Mutex<int> m(0);
  const Condvar c;
  auto r = c.wait_timeout_while(*m.lock(), 0ms, [](int&) { return false; });
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->second.timed_out());
  auto z = c.wait_timeout_while(std::move(r->first), 0ms, [](int&) { return true; });
  ASSERT_TRUE(z.has_value());
  EXPECT_TRUE(z->second.timed_out()) << "zero timeout, predicate true: timed out";
}

TEST(CondvarTest, WaitTimeoutWhileWakes) {
  // Rust's wait_timeout_while_wake, with an effectively infinite timeout
  // (hours::max() saturates to "no deadline" instead of overflowing).
  const Mutex<bool> done(false);
  const Condvar c;
  std::thread notifier = set_then_notify_one(done, c, true);
  auto r = c.wait_timeout_while(*done.lock(), std::chrono::hours::max(),
                                [](bool& d) { return !d; });
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(r->second.timed_out());
  EXPECT_TRUE(*r->first);
  notifier.join();
}

// --- poisoning ---------------------------------------------------------------

TEST(CondvarPoisonTest, WaiterSeesPoisonFromAPanickingNotifier) {
  // Rust's test_arc_condvar_poison: the notifier panics while holding the
  // lock after notifying; the waiter wakes to a poisoned mutex.
  const Mutex<int> m(1);
  const Condvar c;
  auto guard = m.lock();
  std::thread notifier([&] {
    try {
      auto g = m.lock();
      c.notify_one();
      panic("notifier panics while holding the lock");
    } catch (const Panic&) {
    }
  });
  MutexGuard<int> held = std::move(*guard);
  bool saw_poison = false;
  while (!saw_poison) {
    auto r = c.wait(std::move(held));
    if (r.has_value()) {
      EXPECT_EQ(**r, 1);  // a spurious wake-up before the notifier ran
      held = std::move(*r);
    } else {
      saw_poison = true;
      held = std::move(r.error()).into_inner();
    }
  }
  EXPECT_EQ(*held, 1) << "the guard inside the PoisonError still reaches the data";
  notifier.join();
  EXPECT_TRUE(m.is_poisoned());
}

TEST(CondvarPoisonTest, EveryWaitFormReportsPoison) {
  const Mutex<int> m(0);
  const Condvar c;
  poison(m);
  ASSERT_TRUE(m.is_poisoned());
  auto held = std::move(m.lock().error()).into_inner();

  auto timed = c.wait_timeout(std::move(held), 0ms);
  ASSERT_FALSE(timed.has_value());
  EXPECT_TRUE(timed.error().get_ref().second.timed_out());
  held = std::move(timed.error()).into_inner().first;

  // wait_while with a true predicate waits once, then reports the poison.
  std::thread notifier([&] {
    auto g = m.lock();  // poisoned; blocks until the waiter is inside wait
    c.notify_one();
  });
  auto waited = c.wait_while(std::move(held), [](int&) { return true; });
  ASSERT_FALSE(waited.has_value());
  held = std::move(waited.error()).into_inner();
  notifier.join();

  auto timed_while = c.wait_timeout_while(std::move(held), 0ms, [](int&) { return false; });
  ASSERT_TRUE(timed_while.has_value()) << "no wait happened, so no poison was observed";
  auto timed_while_waiting =
      c.wait_timeout_while(std::move(timed_while->first), 1ms, [](int&) { return true; });
  ASSERT_FALSE(timed_while_waiting.has_value());
  EXPECT_EQ(*timed_while_waiting.error().get_ref().first, 0);
}

TEST(CondvarPoisonTest, DerefOfAPoisonedWaitResultPanics) {
  // A wait result is a LockResult: reading it on a poisoned mutex panics
  // (Rust's `wait(guard).unwrap()`); the guard inside is still recoverable.
  const Mutex<int> m(0);
  const Condvar c;
  poison(m);
  auto held = std::move(m.lock().error()).into_inner();
  auto timed = c.wait_timeout(std::move(held), 0ms);
  ASSERT_FALSE(timed.has_value());
  try {
    (void)timed->second.timed_out();
    ADD_FAILURE() << "reading a poisoned wait result must panic";
  } catch (const Panic& p) {
    EXPECT_NE(std::string(p.what()).find("ferrite::LockResult::operator->: the lock is poisoned"),
              std::string::npos)
        << p.what();
  }
  EXPECT_THROW((void)*timed, Panic);
  EXPECT_THROW((void)timed.value(), Panic);
  held = std::move(timed.error()).into_inner().first;
  auto waited = c.wait_while(std::move(held), [](int&) { return false; });
  ASSERT_TRUE(waited.has_value()) << "no wait happened, so no poison was observed";
  MutexGuard<int> guard = std::move(waited).value();
  *guard = 1;
}

// --- invalid uses ------------------------------------------------------------

TEST(CondvarTest, TwoMutexesPanic) {
  // Rust's two_mutexes: the first wait binds the Condvar to its mutex.
  const Mutex<int> first(0);
  const Mutex<int> second(0);
  const Condvar c;
  {
    auto r = c.wait_timeout(*first.lock(), 0ms);
    ASSERT_TRUE(r.has_value());
    auto again = c.wait_timeout(std::move(r->first), 0ms);  // same mutex: fine
    ASSERT_TRUE(again.has_value());
  }
  try {
    (void)c.wait_timeout(*second.lock(), 0ms);
    ADD_FAILURE() << "waiting with a second mutex must panic";
  } catch (const Panic& p) {
    EXPECT_STREQ(p.what(),
                 "ferrite::Condvar: attempted to use a condition variable with two mutexes");
  }
  EXPECT_TRUE(second.is_poisoned()) << "the panic destroyed the held guard";
  EXPECT_FALSE(second.try_lock().error().is_would_block()) << "and released it";
  EXPECT_FALSE(first.is_poisoned());
  // Still bound to the first mutex: the second stays rejected, the first works.
  EXPECT_THROW((void)c.wait_timeout(std::move(second.lock().error()).into_inner(), 0ms), Panic);
  EXPECT_TRUE(c.wait_timeout(*first.lock(), 0ms).has_value());
}

TEST(CondvarTest, MovedFromGuardPanics) {
  const Mutex<int> m(0);
  const Condvar c;
  auto r = m.lock();
  MutexGuard<int> keep = std::move(*r);
  EXPECT_THROW((void)c.wait(std::move(*r)), Panic);
  EXPECT_THROW((void)c.wait_timeout(std::move(*r), 1ms), Panic);
  EXPECT_THROW((void)c.wait_while(std::move(*r), [](int&) { return true; }), Panic);
  EXPECT_THROW((void)c.wait_timeout_while(std::move(*r), 1ms, [](int&) { return true; }), Panic);
  EXPECT_FALSE(m.is_poisoned());
}

TEST(CondvarTest, PanickingPredicatePoisons) {
  const Mutex<int> m(0);
  const Condvar c;
  EXPECT_THROW((void)c.wait_while(*m.lock(), [](int&) -> bool { panic("bad predicate"); }),
               Panic);
  EXPECT_TRUE(m.is_poisoned());
}

// --- deadlines (detail/futex.h) -----------------------------------------------------

TEST(DeadlineTest, AfterAnyDuration) {
  using detail::deadline_after;
  using detail::kNoDeadline;
  const auto before = std::chrono::steady_clock::now();
  // Each deadline is computed before the clock is read again: the order in
  // which EXPECT_LE's two operands are evaluated is unspecified.
  const auto zero = deadline_after(0s);
  EXPECT_LE(zero, std::chrono::steady_clock::now());
  const auto negative = deadline_after(-1h);
  EXPECT_LE(negative, std::chrono::steady_clock::now());
  const auto nan = deadline_after(std::chrono::duration<double>(std::nan("")));
  EXPECT_LE(nan, std::chrono::steady_clock::now());
  EXPECT_GE(deadline_after(1h), before + 1h);
  EXPECT_GE(deadline_after(std::chrono::duration<double>(1.5)), before + 1500ms);
  EXPECT_GE(deadline_after(std::chrono::duration<float, std::micro>(1.0f)), before + 1us);
  EXPECT_EQ(deadline_after(std::chrono::hours::max()), kNoDeadline);
  EXPECT_EQ(deadline_after(std::chrono::nanoseconds::max()), kNoDeadline);
  EXPECT_EQ(deadline_after(std::chrono::duration<double>(
                std::numeric_limits<double>::infinity())),
            kNoDeadline);
  // Just under the saturation bound still computes a real deadline.
  EXPECT_LT(deadline_after(std::chrono::years(90)), kNoDeadline);
}

TEST(DeadlineTest, FutexWaitReturnsAtOnceWhenTheWordDiffers) {
  std::atomic<std::uint32_t> word{7};
  EXPECT_TRUE(detail::futex_wait(word, 8, detail::kNoDeadline));
  EXPECT_FALSE(detail::futex_wait(word, 7, std::chrono::steady_clock::now()))
      << "an expired deadline times out";
  EXPECT_FALSE(detail::futex_wait(word, 7, std::chrono::steady_clock::time_point{}))
      << "a deadline at the clock's epoch has long passed";
  EXPECT_FALSE(detail::futex_wake_one(word)) << "nobody sleeps on it";
  detail::futex_wake_all(word);
}

}  // namespace
}  // namespace ferrite
