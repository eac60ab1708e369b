// lock_order_bench — what the deadlock detector of checked builds costs
// (ferrite/deadlock_detection.h), beside absl::Mutex's own detector in its
// debug mode, in one binary.
//
//   One lock: lock + increment + unlock, one thread:
//     BM_Uncontended<Ferrite{Off,On} | Absl{Off,Report,Abort}>
//   Four locks, always nested in the same order (a, b, c, d), one thread:
//     BM_Nested4<...>
// Ferrite Off/On: set_deadlock_detection(kIgnore / kPanic). Absl Off/Report/
// Abort: absl::SetMutexDeadlockDetectionMode(kIgnore / kReport / kAbort).
//
// Both detectors exist only in checked (debug) builds, so this binary is
// built optimized *without* NDEBUG (bazel's -c opt defines it; -U undoes it):
//   bazel run -c opt --copt=-UNDEBUG //bench:lock_order_bench -- \
//       --benchmark_enable_random_interleaving=true --benchmark_repetitions=10 \
//       --benchmark_report_aggregates_only=true
// (docs/BENCHMARKS.md records the table.)
#include <cstdint>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/mutex.h"

#ifdef NDEBUG
#error "build lock_order_bench without NDEBUG (see the file comment): both detectors need it"
#endif
static_assert(ferrite::detail::kLockOrderChecks, "the ferrite detector must be compiled in");

namespace {

template <ferrite::DeadlockDetection kMode>
struct Ferrite {
  static void configure() { ferrite::set_deadlock_detection(kMode); }

  struct Lock {
    ferrite::Mutex<std::uint64_t> counter{0};
    void increment() {
      auto guard = counter.lock();
      ++**guard;
    }
  };

  struct Four {
    Lock a, b, c, d;
  };

  static void nested(Four& locks) {
    auto a = locks.a.counter.lock();
    auto b = locks.b.counter.lock();
    auto c = locks.c.counter.lock();
    auto d = locks.d.counter.lock();
    ++**d;
  }
};

template <absl::OnDeadlockCycle kMode>
struct Absl {
  static void configure() { absl::SetMutexDeadlockDetectionMode(kMode); }

  struct Lock {
    absl::Mutex mu;
    std::uint64_t counter ABSL_GUARDED_BY(mu) = 0;
    void increment() {
      absl::MutexLock lock(&mu);
      ++counter;
    }
  };

  // Named, not an array: the thread-safety analysis tells members apart.
  struct Four {
    Lock a, b, c, d;
  };

  static void nested(Four& locks) {
    absl::MutexLock a(&locks.a.mu);
    absl::MutexLock b(&locks.b.mu);
    absl::MutexLock c(&locks.c.mu);
    absl::MutexLock d(&locks.d.mu);
    ++locks.d.counter;
  }
};

using FerriteOff = Ferrite<ferrite::DeadlockDetection::kIgnore>;
using FerriteOn = Ferrite<ferrite::DeadlockDetection::kPanic>;
using AbslOff = Absl<absl::OnDeadlockCycle::kIgnore>;
using AbslReport = Absl<absl::OnDeadlockCycle::kReport>;
using AbslAbort = Absl<absl::OnDeadlockCycle::kAbort>;

template <class Flavor>
void BM_Uncontended(benchmark::State& state) {
  Flavor::configure();
  static typename Flavor::Lock lock;
  for (auto _ : state) {
    lock.increment();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Flavor>
void BM_Nested4(benchmark::State& state) {
  Flavor::configure();
  static typename Flavor::Four locks;
  for (auto _ : state) {
    Flavor::nested(locks);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_Uncontended<FerriteOff>);
BENCHMARK(BM_Uncontended<FerriteOn>);
BENCHMARK(BM_Uncontended<AbslOff>);
BENCHMARK(BM_Uncontended<AbslReport>);
BENCHMARK(BM_Uncontended<AbslAbort>);
BENCHMARK(BM_Nested4<FerriteOff>);
BENCHMARK(BM_Nested4<FerriteOn>);
BENCHMARK(BM_Nested4<AbslOff>);
BENCHMARK(BM_Nested4<AbslReport>);
BENCHMARK(BM_Nested4<AbslAbort>);

}  // namespace
