// mutex_bench — ferrite's locks against the obvious alternatives, one binary.
//
//   Uncontended lock + increment + unlock, one thread:
//     BM_Uncontended<FerriteMutex | FerriteMutexNoDetector | StdMutex | AbslMutex>
//   Contended increments of one shared counter, 2 and 4 threads (real time):
//     BM_Contended<...>/threads:N
//   Read-mostly (1 write in 64 operations) on a small map, 1, 2 and 4 threads:
//     BM_ReadMostly<FerriteRwLock | StdSharedMutex>/threads:N
//   Uncontended read lock + sum + unlock, and write lock + bump + unlock:
//     BM_UncontendedRead<FerriteRwLock | StdSharedMutex>
//     BM_UncontendedWrite<FerriteRwLock | StdSharedMutex>
//
// Every row runs in a process that has created a thread (bench/process_mode.h:
// glibc's mutex skips its atomics until then, and so does ferrite's);
// FERRITE_BENCH_SINGLE_THREADED_PROCESS=1 with --benchmark_filter=Uncontended
// measures the single-threaded mode instead.
//
// Run optimized, with repetitions, and compare ratios within one run:
//   bazel run --config=bench //bench:mutex_bench -- \
//       --benchmark_repetitions=15 --benchmark_report_aggregates_only=true
// (docs/BENCHMARKS.md records the numbers and the choice of lock they made.)
#include <array>
#include <cstdint>
#include <mutex>
#include <shared_mutex>

#include "absl/synchronization/mutex.h"
#include "benchmark/benchmark.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/mutex.h"
#include "ferrite/rwlock.h"
#include "process_mode.h"

namespace {

// Each flavour: a counter behind a lock, incremented under the lock.
struct FerriteMutex {
  ferrite::Mutex<std::uint64_t> counter{0};
  void increment() {
    auto guard = counter.lock();
    ++**guard;
  }
};

// The same lock with the deadlock detector switched off for the row: in a
// checked build, what the detector's bookkeeping costs (release builds
// compile the detector out, so there the two rows are the same code).
struct FerriteMutexNoDetector : FerriteMutex {
  static void begin_row() {
    ferrite::set_deadlock_detection(ferrite::DeadlockDetection::kIgnore);
  }
  static void end_row() { ferrite::set_deadlock_detection(ferrite::DeadlockDetection::kPanic); }
};

// Runs a row's begin_row()/end_row(), if it has them, around its loop (in the
// first thread only: Google Benchmark starts and ends the threads' loops
// together).
template <class Lock>
class RowSettings {
 public:
  explicit RowSettings(const benchmark::State& state) : first_(state.thread_index() == 0) {
    if constexpr (requires { Lock::begin_row(); }) {
      if (first_) Lock::begin_row();
    }
  }
  ~RowSettings() {
    if constexpr (requires { Lock::end_row(); }) {
      if (first_) Lock::end_row();
    }
  }
  RowSettings(const RowSettings&) = delete;
  RowSettings& operator=(const RowSettings&) = delete;

 private:
  bool first_;
};

struct StdMutex {
  std::mutex mu;
  std::uint64_t counter = 0;
  void increment() {
    std::lock_guard<std::mutex> lock(mu);
    ++counter;
  }
};

struct AbslMutex {
  absl::Mutex mu;
  std::uint64_t counter ABSL_GUARDED_BY(mu) = 0;
  void increment() {
    absl::MutexLock lock(&mu);
    ++counter;
  }
};

template <class Lock>
void BM_Uncontended(benchmark::State& state) {
  static Lock lock;
  const RowSettings<Lock> settings(state);
  for (auto _ : state) {
    lock.increment();
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Lock>
void BM_Contended(benchmark::State& state) {
  static Lock lock;
  const RowSettings<Lock> settings(state);
  for (auto _ : state) {
    lock.increment();
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_TEMPLATE(BM_Uncontended, FerriteMutex);
BENCHMARK_TEMPLATE(BM_Uncontended, FerriteMutexNoDetector);
BENCHMARK_TEMPLATE(BM_Uncontended, StdMutex);
BENCHMARK_TEMPLATE(BM_Uncontended, AbslMutex);
BENCHMARK_TEMPLATE(BM_Contended, FerriteMutex)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Contended, FerriteMutexNoDetector)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Contended, StdMutex)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_Contended, AbslMutex)->Threads(2)->Threads(4)->UseRealTime();

// Read-mostly: 63 reads (sum a small table) per write (bump one entry).
constexpr std::size_t kTableSize = 16;
constexpr std::uint64_t kWriteEvery = 64;
using Table = std::array<std::uint64_t, kTableSize>;

std::uint64_t sum(const Table& table) {
  std::uint64_t total = 0;
  for (std::uint64_t entry : table) total += entry;
  return total;
}

struct FerriteRwLock {
  ferrite::RwLock<Table> table{};
  std::uint64_t read() {
    auto guard = table.read();
    return sum(**guard);
  }
  void write(std::size_t i) {
    auto guard = table.write();
    ++(**guard).at(i % kTableSize);
  }
};

struct StdSharedMutex {
  std::shared_mutex mu;
  Table table{};
  std::uint64_t read() {
    std::shared_lock<std::shared_mutex> lock(mu);
    return sum(table);
  }
  void write(std::size_t i) {
    std::unique_lock<std::shared_mutex> lock(mu);
    ++table.at(i % kTableSize);
  }
};

template <class Lock>
void BM_ReadMostly(benchmark::State& state) {
  static Lock lock;
  std::uint64_t op = 0;
  for (auto _ : state) {
    if (++op % kWriteEvery == 0) {
      lock.write(static_cast<std::size_t>(op));
    } else {
      benchmark::DoNotOptimize(lock.read());
    }
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Lock>
void BM_UncontendedRead(benchmark::State& state) {
  static Lock lock;
  for (auto _ : state) {
    benchmark::DoNotOptimize(lock.read());
  }
  state.SetItemsProcessed(state.iterations());
}

template <class Lock>
void BM_UncontendedWrite(benchmark::State& state) {
  static Lock lock;
  std::size_t entry = 0;
  for (auto _ : state) {
    lock.write(entry++);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}

BENCHMARK_TEMPLATE(BM_UncontendedRead, FerriteRwLock);
BENCHMARK_TEMPLATE(BM_UncontendedRead, StdSharedMutex);
BENCHMARK_TEMPLATE(BM_UncontendedWrite, FerriteRwLock);
BENCHMARK_TEMPLATE(BM_UncontendedWrite, StdSharedMutex);
BENCHMARK_TEMPLATE(BM_ReadMostly, FerriteRwLock)->Threads(1)->Threads(2)->Threads(4)->UseRealTime();
BENCHMARK_TEMPLATE(BM_ReadMostly, StdSharedMutex)
    ->Threads(1)
    ->Threads(2)
    ->Threads(4)
    ->UseRealTime();

}  // namespace
