// bench/channel_bench.cc — crossbeam-channel's benchmark suite
// (crossbeam-channel/benchmarks/crossbeam-channel.rs: MESSAGES = 5_000_000,
// THREADS = 4; workloads seq, spsc, mpsc, mpmc, select_rx, select_both over
// unbounded, bounded(0), bounded(1) and bounded(MESSAGES)), written once as
// templates over an adapter and run for every implementation that supports
// the workload:
//
//   ferrite-channel   ferrite::channel (ferrite/channel.h)
//   ferrite-mpsc      ferrite::mpsc (single consumer, no select)
//   mutex-deque       Mutex<std::deque> + Condvar (bench/mutex_deque_channel.h);
//                     no rendezvous, no select
//   lecture           std::deque + std::mutex + std::condition_variable
//                     (bench/lecture_channel.h); no rendezvous, no select
//   tbb               tbb::concurrent_bounded_queue; no rendezvous, no select
//   moodycamel        moodycamel::BlockingConcurrentQueue; unbounded only
//                     (and bounded(MESSAGES), which is never full: the queue
//                     is preallocated to MESSAGES), no select
//
// Not Google Benchmark: each workload is one timed run, as in crossbeam's
// file, and the output is one line per run, parsed by the report tool:
//
//   <flavor>_<workload> <implementation> <seconds>
//
// e.g. `bounded1_mpmc ferrite-channel 0.412`. Flavors: unbounded, bounded0,
// bounded1, boundedN. Options: --repetitions N (a line per repetition),
// --filter REGEX (on `<flavor>_<workload>`), --impl NAME (repeatable),
// --messages N (default 5000000), --threads N (each side of the multi-thread
// workloads; default 4, as crossbeam), --spawn-thread 1 (see below).
// Repetitions interleave the implementations.
//
// A process that has never created a thread is single-threaded for glibc
// (`__libc_single_threaded`): std::mutex then locks and unlocks without an
// atomic instruction, and ferrite's channels skip theirs as well
// (ferrite/channel/rmw.h). The seq workloads run on one thread, so in a
// process of their own (bench/report) they measure that shortcut.
// `--spawn-thread 1` starts and joins one thread before the first workload,
// which turns the shortcut off for the rest of the process: seq then costs
// what it costs in a program that has ever had a second thread.
//
//   bazel run --config=bench //bench:channel_bench -- --repetitions 5
#include <blockingconcurrentqueue.h>
#include <tbb/concurrent_queue.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "bench/lecture_channel.h"
#include "bench/mutex_deque_channel.h"
#include "ferrite/channel.h"
#include "ferrite/mpsc.h"
#include "ferrite/unsafe.h"

namespace {

// Threads on each side of the mpsc/mpmc/select workloads (crossbeam: 4); --threads N.
std::size_t threads_per_side = 4;
std::size_t messages = 5'000'000;

// crossbeam's message::Message: one usize.
struct Message {
  std::size_t value;
};

enum class Flavor { kUnbounded, kBounded0, kBounded1, kBoundedN };
enum class Workload { kSeq, kSpsc, kMpsc, kMpmc, kSelectRx, kSelectBoth };

// The names bench/report and the peers use, in the order of the enums.
constexpr std::array<const char*, 4> kFlavorNames = {"unbounded", "bounded0", "bounded1",
                                                     "boundedN"};
constexpr std::array<const char*, 6> kWorkloadNames = {"seq",  "spsc",      "mpsc",
                                                       "mpmc", "select_rx", "select_both"};

const char* flavor_name(Flavor f) { return kFlavorNames.at(static_cast<std::size_t>(f)); }
const char* workload_name(Workload w) { return kWorkloadNames.at(static_cast<std::size_t>(w)); }

// The capacity of a bounded flavor.
std::size_t capacity(Flavor f) {
  return f == Flavor::kBounded0 ? 0 : f == Flavor::kBounded1 ? 1 : messages;
}

bool is_select(Workload w) { return w == Workload::kSelectRx || w == Workload::kSelectBoth; }

// ---- adapters: make(flavor) -> an object with const send(Message), recv().

struct FerriteChannel {
  static constexpr const char* kName = "ferrite-channel";
  static bool supports(Flavor, Workload) { return true; }
  struct Chan {
    ferrite::channel::Sender<Message> tx;
    ferrite::channel::Receiver<Message> rx;
    void send(Message m) const {
      if (!tx.send(m)) std::abort();
    }
    void recv() const {
      if (!rx.recv()) std::abort();
    }
  };
  static std::pair<ferrite::channel::Sender<Message>, ferrite::channel::Receiver<Message>> pair(
      Flavor f) {
    return f == Flavor::kUnbounded ? ferrite::channel::unbounded<Message>()
                                   : ferrite::channel::bounded<Message>(capacity(f));
  }
  static Chan make(Flavor f) {
    auto [tx, rx] = pair(f);
    return Chan{std::move(tx), std::move(rx)};
  }
};

struct FerriteMpsc {
  static constexpr const char* kName = "ferrite-mpsc";
  static bool supports(Flavor, Workload w) { return w != Workload::kMpmc && !is_select(w); }
  struct Chan {
    std::optional<ferrite::mpsc::Sender<Message>> tx;
    std::optional<ferrite::mpsc::SyncSender<Message>> sync_tx;
    ferrite::mpsc::Receiver<Message> rx;
    void send(Message m) const {
      if (!(tx ? tx->send(m) : sync_tx->send(m))) std::abort();
    }
    void recv() const {
      if (!rx.recv()) std::abort();
    }
  };
  static Chan make(Flavor f) {
    if (f == Flavor::kUnbounded) {
      auto [tx, rx] = ferrite::mpsc::channel<Message>();
      return Chan{std::move(tx), std::nullopt, std::move(rx)};
    }
    auto [tx, rx] = ferrite::mpsc::sync_channel<Message>(capacity(f));
    return Chan{std::nullopt, std::move(tx), std::move(rx)};
  }
};

struct MutexDeque {
  static constexpr const char* kName = "mutex-deque";
  static bool supports(Flavor f, Workload w) { return f != Flavor::kBounded0 && !is_select(w); }
  struct Chan {
    mutex_deque::Sender<Message> tx;
    mutex_deque::Receiver<Message> rx;
    void send(Message m) const {
      if (!tx.send(m)) std::abort();
    }
    void recv() const {
      if (!rx.recv()) std::abort();
    }
  };
  static Chan make(Flavor f) {
    auto [tx, rx] = mutex_deque::channel<Message>(f == Flavor::kUnbounded ? 0 : capacity(f));
    return Chan{std::move(tx), std::move(rx)};
  }
};

struct Lecture {
  static constexpr const char* kName = "lecture";
  static bool supports(Flavor f, Workload w) { return f != Flavor::kBounded0 && !is_select(w); }
  struct Chan {
    std::unique_ptr<lecture::Channel<Message>> channel;
    void send(Message m) const { channel->send(m); }
    void recv() const { channel->recv(); }
  };
  static Chan make(Flavor f) {
    return Chan{std::make_unique<lecture::Channel<Message>>(
        f == Flavor::kUnbounded ? 0 : capacity(f))};
  }
};

struct Tbb {
  static constexpr const char* kName = "tbb";
  static bool supports(Flavor f, Workload w) { return f != Flavor::kBounded0 && !is_select(w); }
  struct Chan {
    mutable tbb::concurrent_bounded_queue<Message> queue;
    void send(Message m) const { queue.push(m); }
    void recv() const {
      Message m;
      queue.pop(m);
    }
  };
  static std::unique_ptr<Chan> make(Flavor f) {
    auto chan = std::make_unique<Chan>();
    if (f != Flavor::kUnbounded) chan->queue.set_capacity(static_cast<std::ptrdiff_t>(capacity(f)));
    return chan;
  }
};

struct Moodycamel {
  static constexpr const char* kName = "moodycamel";
  static bool supports(Flavor f, Workload w) {
    return (f == Flavor::kUnbounded || f == Flavor::kBoundedN) && !is_select(w);
  }
  struct Chan {
    explicit Chan(std::size_t prealloc) : queue(prealloc) {}
    mutable moodycamel::BlockingConcurrentQueue<Message> queue;
    void send(Message m) const {
      if (!queue.enqueue(m)) std::abort();
    }
    void recv() const {
      Message m;
      queue.wait_dequeue(m);
    }
  };
  static std::unique_ptr<Chan> make(Flavor f) {
    return std::make_unique<Chan>(f == Flavor::kBoundedN ? messages : 6 * 32);
  }
};

template <class C>
const auto& deref(const C& chan) {
  if constexpr (requires { *chan; }) {
    return *chan;
  } else {
    return chan;
  }
}

// ---- the workloads (crossbeam's functions of the same names).

// Starts `producers` threads that each send `count` messages on `chan`.
template <class Chan>
void start_producers(std::vector<std::thread>& threads, const Chan& chan, std::size_t producers,
                     std::size_t count) {
  for (std::size_t t = 0; t < producers; ++t) {
    threads.emplace_back([&chan, count] {
      for (std::size_t i = 0; i < count; ++i) chan.send(Message{i});
    });
  }
}

// Receives `count` messages from `chan` on the calling thread.
template <class Chan>
void receive(const Chan& chan, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) chan.recv();
}

template <class Impl>
void seq(Flavor f) {
  const auto holder = Impl::make(f);
  const auto& chan = deref(holder);
  for (std::size_t i = 0; i < messages; ++i) chan.send(Message{i});
  receive(chan, messages);
}

// `producers` threads each send `count` messages; the calling thread
// receives them all.
template <class Impl>
void to_caller(Flavor f, std::size_t producers, std::size_t count) {
  const auto holder = Impl::make(f);
  const auto& chan = deref(holder);
  std::vector<std::thread> threads;
  start_producers(threads, chan, producers, count);
  receive(chan, producers * count);
  for (auto& t : threads) t.join();
}

template <class Impl>
void spsc(Flavor f) {
  to_caller<Impl>(f, 1, messages);
}

template <class Impl>
void mpsc(Flavor f) {
  to_caller<Impl>(f, threads_per_side, messages / threads_per_side);
}

template <class Impl>
void mpmc(Flavor f) {
  const auto holder = Impl::make(f);
  const auto& chan = deref(holder);
  const std::size_t per_thread = messages / threads_per_side;
  std::vector<std::thread> threads;
  start_producers(threads, chan, threads_per_side, per_thread);
  for (std::size_t t = 0; t < threads_per_side; ++t) {
    threads.emplace_back([&] { receive(chan, per_thread); });
  }
  for (auto& t : threads) t.join();
}

std::vector<FerriteChannel::Chan> select_chans(Flavor f) {
  std::vector<FerriteChannel::Chan> chans;
  for (std::size_t t = 0; t < threads_per_side; ++t) chans.push_back(FerriteChannel::make(f));
  return chans;
}

// Sends `m` (with nullopt: receives a message) on whichever of `chans` is
// ready first, through a Select built anew for each message, as crossbeam's
// suite does.
void select_one(const std::vector<FerriteChannel::Chan>& chans, std::optional<Message> m) {
  ferrite::channel::Select sel;
  for (const auto& chan : chans) {
    if (m) {
      sel.send(chan.tx);
    } else {
      sel.recv(chan.rx);
    }
  }
  auto op = sel.select();
  const FerriteChannel::Chan& chosen = chans[op.index()];
  const bool done = m ? static_cast<bool>(op.send(chosen.tx, *m))
                      : static_cast<bool>(op.recv(chosen.rx));
  if (!done) std::abort();
}

void select_rx(Flavor f) {
  const auto chans = select_chans(f);
  const std::size_t per_thread = messages / threads_per_side;
  std::vector<std::thread> producers;
  for (const auto& chan : chans) start_producers(producers, chan, 1, per_thread);
  for (std::size_t i = 0; i < per_thread * threads_per_side; ++i) select_one(chans, std::nullopt);
  for (auto& p : producers) p.join();
}

void select_both(Flavor f) {
  const auto chans = select_chans(f);
  const std::size_t per_thread = messages / threads_per_side;
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < threads_per_side; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < per_thread; ++i) select_one(chans, Message{i});
    });
  }
  for (std::size_t t = 0; t < threads_per_side; ++t) {
    threads.emplace_back([&] {
      for (std::size_t i = 0; i < per_thread; ++i) select_one(chans, std::nullopt);
    });
  }
  for (auto& t : threads) t.join();
}

struct Options {
  int repetitions = 1;
  std::optional<std::regex> filter;
  std::vector<std::string> impls;
  bool spawn_thread = false;
};

// Runs one repetition of (f, w) for Impl, if it supports it and is selected.
template <class Impl>
void run_one(const Options& options, Flavor f, Workload w) {
  if (!Impl::supports(f, w)) return;
  if (!options.impls.empty() &&
      std::find(options.impls.begin(), options.impls.end(), Impl::kName) == options.impls.end()) {
    return;
  }
  const std::string key = std::string(flavor_name(f)) + "_" + workload_name(w);
  if (options.filter && !std::regex_search(key, *options.filter)) return;
  // In the order of Workload.
  const std::array<void (*)(Flavor), 6> workloads = {seq<Impl>,  spsc<Impl>, mpsc<Impl>,
                                                     mpmc<Impl>, select_rx,   select_both};
  const auto start = std::chrono::steady_clock::now();
  workloads.at(static_cast<std::size_t>(w))(f);
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  std::printf("%s %s %.6f\n", key.c_str(), Impl::kName, elapsed.count());
  std::fflush(stdout);
}

[[noreturn]] void usage(const char* argv0) {
  std::fprintf(stderr,
               "usage: %s [--repetitions N] [--filter REGEX] [--impl NAME]... [--messages N]"
               " [--threads N]"
               " [--spawn-thread 0|1]\n"
               "implementations: ferrite-channel ferrite-mpsc mutex-deque lecture tbb moodycamel\n",
               argv0);
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  // SAFETY(channel-bench-argv): argv holds argc pointers (the C runtime's contract).
  const std::span<char*> args =
      FERRITE_UNSAFE_BUFFERS(std::span<char*>(argv, static_cast<std::size_t>(argc)));
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (i + 1 >= args.size()) usage(args[0]);
    const char* value = args[++i];
    if (arg == "--repetitions") {
      options.repetitions = std::atoi(value);
    } else if (arg == "--filter") {
      options.filter.emplace(value);
    } else if (arg == "--impl") {
      options.impls.emplace_back(value);
    } else if (arg == "--threads") {
      threads_per_side = static_cast<std::size_t>(std::strtoull(value, nullptr, 10));
    } else if (arg == "--messages") {
      messages = static_cast<std::size_t>(std::strtoull(value, nullptr, 10));
    } else if (arg == "--spawn-thread") {
      options.spawn_thread = std::string_view(value) != "0";
    } else {
      usage(args[0]);
    }
  }
  if (options.repetitions < 1 || threads_per_side < 1 || messages < threads_per_side) {
    usage(args[0]);
  }
  // Once a thread has been created the process is multi-threaded for good.
  if (options.spawn_thread) std::thread([] {}).join();
  // crossbeam's order: by flavor, then workload (seq only where it cannot deadlock).
  const Flavor flavors[] = {Flavor::kBounded0, Flavor::kBounded1, Flavor::kBoundedN,
                            Flavor::kUnbounded};
  const Workload workloads[] = {Workload::kMpmc,     Workload::kMpsc, Workload::kSelectBoth,
                                Workload::kSelectRx, Workload::kSeq,  Workload::kSpsc};
  for (Flavor f : flavors) {
    for (Workload w : workloads) {
      if (w == Workload::kSeq && (f == Flavor::kBounded0 || f == Flavor::kBounded1)) continue;
      // Repetitions interleave the implementations, so that a burst of load
      // on a shared machine does not land on one implementation only.
      for (int r = 0; r < options.repetitions; ++r) {
        run_one<FerriteChannel>(options, f, w);
        run_one<FerriteMpsc>(options, f, w);
        run_one<MutexDeque>(options, f, w);
        run_one<Lecture>(options, f, w);
        run_one<Tbb>(options, f, w);
        run_one<Moodycamel>(options, f, w);
      }
    }
  }
  return 0;
}
