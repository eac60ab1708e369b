// Vec<T> against std::vector<T> (push with and without reserve, iterate,
// std::sort), and the split_at_mut parallel merge sort against std::sort on
// 10M ints, in one binary so both sides share the machine and the run.
//
//   bazel run --config=bench //bench:vec_bench -- --benchmark_repetitions=10 \
//       --benchmark_report_aggregates_only=true
//
// --config=bench builds with -c opt -DNDEBUG, so FERRITE_CHECKED_BORROWS is 0
// and Vec carries no borrow counter (see VecIsThreeWords below).
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <vector>

#include "examples/merge_sort.h"
#include "ferrite/thread.h"
#include "ferrite/vec.h"

namespace {

#if !FERRITE_CHECKED_BORROWS
static_assert(sizeof(ferrite::Vec<int>) == 3 * sizeof(void*), "release Vec has no counter");
#endif

constexpr std::size_t kSortLen = 10'000'000;

std::vector<int> random_ints(std::size_t n) {
  std::mt19937 rng(42);
  std::vector<int> out(n);
  for (int& x : out) x = static_cast<int>(rng());
  return out;
}

const std::vector<int>& sort_input() {
  static const std::vector<int> input = random_ints(kSortLen);
  return input;
}

template <class C>
void push_back(C& c, int x) {
  if constexpr (requires { c.push(x); }) {
    c.push(x);
  } else {
    c.push_back(x);
  }
}

template <class C>
void BM_Push(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    C c;
    for (std::size_t i = 0; i < n; ++i) push_back(c, static_cast<int>(i));
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class C>
void BM_PushReserved(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    C c;
    c.reserve(n);  // Vec: n more than len() == 0, like std::vector's
    for (std::size_t i = 0; i < n; ++i) push_back(c, static_cast<int>(i));
    benchmark::DoNotOptimize(c);
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class C>
C filled(std::size_t n) {
  C c;
  for (int x : random_ints(n)) push_back(c, x);
  return c;
}

template <class C>
void BM_Iterate(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  C c = filled<C>(n);
  for (auto _ : state) {
    std::int64_t sum = 0;
    for (int x : c) sum += x;
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

template <class C>
void BM_Sort(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  const C original = filled<C>(n);
  for (auto _ : state) {
    state.PauseTiming();
    C c;
    if constexpr (requires { original.clone(); }) {
      c = original.clone();
    } else {
      c = original;
    }
    state.ResumeTiming();
    std::sort(c.begin(), c.end());
    benchmark::DoNotOptimize(c);
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

// The baseline of the parallel sort: std::sort of the same 10M ints.
void BM_StdSort10M(benchmark::State& state) {
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<int> v = sort_input();
    state.ResumeTiming();
    std::sort(v.begin(), v.end());
    benchmark::DoNotOptimize(v);
  }
}

// parallel_merge_sort with a thread budget of state.range(0).
void BM_ParallelMergeSort10M(benchmark::State& state) {
  const auto threads = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    ferrite::Vec<int> v;
    v.extend(sort_input());
    state.ResumeTiming();
    ferrite::examples::parallel_merge_sort(v.as_mut_slice(), threads);
    benchmark::DoNotOptimize(v);
  }
}

constexpr std::int64_t kLen = 1 << 20;

BENCHMARK_TEMPLATE(BM_Push, ferrite::Vec<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_Push, std::vector<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_PushReserved, ferrite::Vec<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_PushReserved, std::vector<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_Iterate, ferrite::Vec<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_Iterate, std::vector<int>)->Arg(kLen);
BENCHMARK_TEMPLATE(BM_Sort, ferrite::Vec<int>)->Arg(kLen)->Unit(benchmark::kMillisecond);
BENCHMARK_TEMPLATE(BM_Sort, std::vector<int>)->Arg(kLen)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_StdSort10M)->Unit(benchmark::kMillisecond)->UseRealTime();

// Thread budgets 1, 2, 4, ... up to max(2, available_parallelism()): 1 and 2
// here, 1..16 on a 16-core machine (bench/scaling_sort.sh).
const bool kParallelRegistered = [] {
  const std::size_t cpus = std::max<std::size_t>(2, ferrite::thread::available_parallelism());
  auto* bench = benchmark::RegisterBenchmark("BM_ParallelMergeSort10M", BM_ParallelMergeSort10M);
  bench->ArgName("threads")->Unit(benchmark::kMillisecond)->UseRealTime();
  for (std::size_t t = 1; t <= cpus; t *= 2) bench->Arg(static_cast<std::int64_t>(t));
  return true;
}();

}  // namespace
