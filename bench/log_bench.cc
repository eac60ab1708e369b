// bench/log_bench.cc — the logging question, measured: do workers
// log faster through a shared Mutex<std::vector<std::string>> or through
// channels?
//
// Each iteration starts state.range(0) workers that each log kEvents lines
// (the same formatted std::string in every variant) and waits until an
// aggregate log holds them all:
//   BM_Log_Mutex          push_back under one ferrite::Mutex;
//   BM_Log_SharedChannel  one mpsc channel, a Sender clone per worker, the
//                         calling thread receives into a vector;
//   BM_Log_SelectChannels a channel per worker merged with channel::Select
//                         (examples/log_aggregator.cc's recv_from_any_worker).
// items/s = logged lines per second. Thread start-up is inside every
// iteration, equally for all three.
//
//   bazel run --config=bench //bench:log_bench -- \
//     --benchmark_enable_random_interleaving=true --benchmark_repetitions=10 \
//     --benchmark_report_aggregates_only=true
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "benchmark/benchmark.h"
#include "ferrite/channel.h"
#include "ferrite/mpsc.h"
#include "ferrite/mutex.h"
#include "ferrite/thread.h"

namespace {

constexpr std::size_t kEvents = 20000;

std::string line(std::size_t worker, std::size_t seq) {
  return "worker " + std::to_string(worker) + " GET /item/" + std::to_string(seq) + " 200";
}

void BM_Log_Mutex(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    ferrite::Mutex<std::vector<std::string>> log;
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (std::size_t w = 0; w < workers; ++w) {
        s.spawn([&log, w] {
          for (std::size_t i = 0; i < kEvents; ++i) {
            std::string text = line(w, i);
            log.with_lock([&](std::vector<std::string>& v) { v.push_back(std::move(text)); });
          }
        });
      }
    });
    if (log.with_lock([](std::vector<std::string>& v) { return v.size(); }) != workers * kEvents) {
      state.SkipWithError("lost events");
    }
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(workers * kEvents));
}

void BM_Log_SharedChannel(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<std::string> log;
    auto [tx, rx] = ferrite::mpsc::channel<std::string>();
    std::vector<ferrite::thread::JoinHandle<void>> handles;
    for (std::size_t w = 0; w < workers; ++w) {
      handles.push_back(ferrite::thread::spawn([tx = tx.clone(), w] {
        for (std::size_t i = 0; i < kEvents; ++i) static_cast<void>(tx.send(line(w, i)));
      }));
    }
    { auto drop = std::move(tx); }
    for (std::string& text : rx) log.push_back(std::move(text));
    for (auto& h : handles) static_cast<void>(h.join());
    if (log.size() != workers * kEvents) state.SkipWithError("lost events");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(workers * kEvents));
}

void BM_Log_SelectChannels(benchmark::State& state) {
  const auto workers = static_cast<std::size_t>(state.range(0));
  for (auto _ : state) {
    std::vector<std::string> log;
    std::vector<ferrite::channel::Receiver<std::string>> rxs;
    std::vector<ferrite::thread::JoinHandle<void>> handles;
    for (std::size_t w = 0; w < workers; ++w) {
      auto [tx, rx] = ferrite::channel::unbounded<std::string>();
      rxs.push_back(std::move(rx));
      handles.push_back(ferrite::thread::spawn([tx = std::move(tx), w] {
        for (std::size_t i = 0; i < kEvents; ++i) static_cast<void>(tx.send(line(w, i)));
      }));
    }
    ferrite::channel::Select sel;
    for (const auto& rx : rxs) sel.recv(rx);
    for (std::size_t live = workers; live > 0;) {
      ferrite::channel::SelectedOperation op = sel.select();
      const std::size_t index = op.index();
      if (auto text = op.recv(rxs[index])) {
        log.push_back(std::move(*text));
      } else {
        sel.remove(index);
        --live;
      }
    }
    for (auto& h : handles) static_cast<void>(h.join());
    if (log.size() != workers * kEvents) state.SkipWithError("lost events");
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(workers * kEvents));
}

// 1, 2, 4 and 8 workers, in wall-clock milliseconds.
void Workers(benchmark::internal::Benchmark* b) {
  b->Arg(1)->Arg(2)->Arg(4)->Arg(8)->Unit(benchmark::kMillisecond)->UseRealTime();
}

BENCHMARK(BM_Log_Mutex)->Apply(Workers);
BENCHMARK(BM_Log_SharedChannel)->Apply(Workers);
BENCHMARK(BM_Log_SelectChannels)->Apply(Workers);

}  // namespace
