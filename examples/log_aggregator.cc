// examples/log_aggregator.cc — should web-server workers
// log through a shared mutex, or send their events over channels?
//
//  1. Mutex: every worker pushes its events into one
//     `Mutex<std::vector<std::string>>` shared by reference (a Mutex is Sync).
//  2. Channels: every worker owns its own channel; an aggregator thread
//     merges them with a dynamic Select, `recv_from_any_worker`, dropping a
//     worker's receiver from the Select once that worker is done.
// Both must record every event exactly once; the channel version also keeps
// each worker's events in order. Prints the events/second of each (the
// claim to check: channels cost more than a mutex here;
// bench/log_bench.cc measures it properly).
//
// Usage: log_aggregator [events per worker] [workers]   (defaults: 10000, 4)
// Exits non-zero if an event is lost, duplicated or reordered.
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/mutex.h"
#include "ferrite/thread.h"
#include "ferrite/unsafe.h"

namespace {

std::string event(std::size_t worker, std::size_t seq) {
  return "worker " + std::to_string(worker) + " GET /item/" + std::to_string(seq) + " 200";
}

std::vector<std::string> with_mutex(std::size_t workers, std::size_t events) {
  ferrite::Mutex<std::vector<std::string>> log;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (std::size_t w = 0; w < workers; ++w) {
      s.spawn([&log, w, events] {
        for (std::size_t i = 0; i < events; ++i) {
          std::string line = event(w, i);
          log.with_lock([&](std::vector<std::string>& lines) { lines.push_back(std::move(line)); });
        }
      });
    }
  });
  return std::move(log).into_inner().value_or(std::vector<std::string>{});
}

// Receives one event from whichever worker has one; nullopt once every
// worker has finished. A finished worker's receiver is removed from `sel`.
std::optional<std::string> recv_from_any_worker(
    ferrite::channel::Select& sel, const std::vector<ferrite::channel::Receiver<std::string>>& rxs,
    std::size_t& live) {
  while (live > 0) {
    ferrite::channel::SelectedOperation op = sel.select();
    const std::size_t index = op.index();  // == the worker, as added in order
    if (auto line = op.recv(rxs[index])) return std::move(*line);
    sel.remove(index);  // disconnected: that worker is done
    --live;
  }
  return std::nullopt;
}

std::vector<std::string> with_channels(std::size_t workers, std::size_t events) {
  std::vector<ferrite::channel::Receiver<std::string>> rxs;
  std::vector<ferrite::thread::JoinHandle<void>> handles;
  for (std::size_t w = 0; w < workers; ++w) {
    auto [tx, rx] = ferrite::channel::unbounded<std::string>();
    rxs.push_back(std::move(rx));
    handles.push_back(ferrite::thread::spawn([tx = std::move(tx), w, events] {
      for (std::size_t i = 0; i < events; ++i) static_cast<void>(tx.send(event(w, i)));
    }));
  }
  ferrite::channel::Select sel;
  for (const auto& rx : rxs) sel.recv(rx);
  std::vector<std::string> log;
  std::size_t live = workers;
  while (auto line = recv_from_any_worker(sel, rxs, live)) log.push_back(std::move(*line));
  for (auto& h : handles) static_cast<void>(h.join());
  return log;
}

// Every event exactly once; if `in_order`, each worker's events in order.
bool complete(const std::vector<std::string>& log, std::size_t workers, std::size_t events,
              bool in_order) {
  if (log.size() != workers * events) return false;
  std::vector<std::vector<bool>> seen(workers, std::vector<bool>(events, false));
  std::vector<std::size_t> next(workers, 0);
  for (const std::string& line : log) {
    // "worker W GET /item/I 200"
    const std::size_t w = std::stoul(line.substr(7));
    const std::size_t i = std::stoul(line.substr(line.find("/item/") + 6));
    if (w >= workers || i >= events || seen[w][i] || line != event(w, i)) return false;
    seen[w][i] = true;
    if (in_order && i != next[w]++) return false;
  }
  return true;  // log.size() == workers * events distinct events: all of them
}

template <class F>
bool run(const char* name, std::size_t workers, std::size_t events, bool in_order, F f) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<std::string> log = f(workers, events);
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  const bool ok = complete(log, workers, events, in_order);
  std::printf("%-28s %zu events in %6.1f ms: %10.0f events/s  %s\n", name, log.size(),
              took.count() * 1e3, static_cast<double>(log.size()) / took.count(),
              ok ? "all there" : "LOST OR DUPLICATED");
  return ok;
}

std::size_t arg_or(int argc, char** argv, int index, std::size_t fallback) {
  if (index >= argc) return fallback;
  // SAFETY(log-aggregator-argv): index < argc, the number of entries of argv.
  const char* text = FERRITE_UNSAFE_BUFFERS(argv[index]);
  return std::stoull(text);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t events = arg_or(argc, argv, 1, 10000);
  const std::size_t workers = arg_or(argc, argv, 2, 4);
  if (workers == 0) return EXIT_FAILURE;
  std::printf("%zu workers x %zu log events:\n", workers, events);
  const bool mutex_ok = run("Mutex<vector<string>>:", workers, events, false, with_mutex);
  const bool channel_ok = run("channels + Select:", workers, events, true, with_channels);
  return mutex_ok && channel_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
