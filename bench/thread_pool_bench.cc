// bench/thread_pool_bench.cc — ThreadPool tiny-task throughput versus the
// Rust book's `Arc<Mutex<mpsc::Receiver<Job>>>` pool (examples/shared_receiver_pool.h).
//
// Each iteration queues state.range(0) tiny jobs (an atomic decrement) and
// waits until the last one has run (it sends on a channel). The pools are
// built once per benchmark with available_parallelism() workers, so the
// numbers are job hand-off, not thread start-up.
//
//   bazel run --config=bench //bench:thread_pool_bench -- \
//     --benchmark_enable_random_interleaving=true --benchmark_repetitions=10 \
//     --benchmark_report_aggregates_only=true
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "examples/shared_receiver_pool.h"
#include "ferrite/arc.h"
#include "ferrite/channel.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"

namespace {

// Counts jobs down; the job that brings it to zero wakes the waiter. Shared
// through an Arc: the last job may still be inside send() when the waiter
// wakes, so the jobs own the countdown with the waiter.
class Countdown {
 public:
  Countdown() {
    auto [tx, rx] = ferrite::channel::bounded<int>(1);
    tx_.emplace(std::move(tx));
    rx_.emplace(std::move(rx));
  }
  void arm(std::int64_t jobs) const { remaining_.store(jobs); }
  void job_done() const {
    if (remaining_.fetch_sub(1) == 1) static_cast<void>(tx_->send(1));
  }
  void wait() const { static_cast<void>(rx_->recv()); }

 private:
  mutable std::atomic<std::int64_t> remaining_{0};
  std::optional<ferrite::channel::Sender<int>> tx_;
  std::optional<ferrite::channel::Receiver<int>> rx_;
};

template <class Pool>
void run_tiny_jobs(benchmark::State& state, const Pool& pool) {
  const std::int64_t jobs = state.range(0);
  const auto countdown = ferrite::make_arc<Countdown>();
  for (auto _ : state) {
    countdown->arm(jobs);
    for (std::int64_t i = 0; i < jobs; ++i) pool.execute([countdown] { countdown->job_done(); });
    countdown->wait();
  }
  state.SetItemsProcessed(state.iterations() * jobs);
}

void BM_ThreadPool_Execute(benchmark::State& state) {
  ferrite::ThreadPool pool(ferrite::thread::available_parallelism());
  run_tiny_jobs(state, pool);
}

void BM_SharedReceiverPool_Execute(benchmark::State& state) {
  ferrite::examples::SharedReceiverPool pool(ferrite::thread::available_parallelism());
  run_tiny_jobs(state, pool);
}

// submit() + join() of every handle: the price of getting results back.
void BM_ThreadPool_SubmitJoin(benchmark::State& state) {
  ferrite::ThreadPool pool(ferrite::thread::available_parallelism());
  const std::int64_t jobs = state.range(0);
  std::vector<ferrite::TaskHandle<std::int64_t>> handles;
  handles.reserve(static_cast<std::size_t>(jobs));
  for (auto _ : state) {
    handles.clear();
    for (std::int64_t i = 0; i < jobs; ++i) handles.push_back(pool.submit([i] { return i; }));
    std::int64_t sum = 0;
    for (auto& h : handles) sum += *h.join();
    benchmark::DoNotOptimize(sum);
  }
  state.SetItemsProcessed(state.iterations() * jobs);
}

BENCHMARK(BM_ThreadPool_Execute)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_SharedReceiverPool_Execute)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_ThreadPool_SubmitJoin)->Arg(100000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
