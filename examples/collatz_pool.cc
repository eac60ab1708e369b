// examples/collatz_pool.cc — the Rust book's shared-receiver thread pool,
// then ferrite's ThreadPool, on the same jobs.
//
// Finds the start below N with the longest Collatz chain, in chunks of
// starts, each chunk a job:
//  1. on the shared-receiver pool (examples/shared_receiver_pool.h): workers
//     share one `Arc<Mutex<mpsc::Receiver<Job>>>`; each job sends its chunk's
//     best back over an mpsc channel;
//  2. on ferrite::ThreadPool: each chunk is submit()ted and its TaskHandle
//     joined for the result.
// Both must agree with a plain sequential loop.
//
// Usage: collatz_pool [N] [threads]   (defaults: 300000, all CPUs)
// Exits non-zero if the three answers differ.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "examples/shared_receiver_pool.h"
#include "ferrite/mpsc.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "ferrite/unsafe.h"

namespace {

constexpr std::uint64_t kChunk = 10000;

struct Best {
  std::uint64_t start = 1;
  std::uint32_t length = 1;  // number of terms, 1 for the chain "1"
  friend bool operator==(const Best&, const Best&) = default;
};

std::uint32_t chain_length(std::uint64_t n) {
  std::uint32_t length = 1;
  while (n != 1) {
    n = (n % 2 == 0) ? n / 2 : 3 * n + 1;
    ++length;
  }
  return length;
}

// The best start in [from, to); ties go to the smaller start.
Best best_in(std::uint64_t from, std::uint64_t to) {
  Best best;
  for (std::uint64_t start = from; start < to; ++start) {
    const std::uint32_t length = chain_length(start);
    if (length > best.length) best = Best{start, length};
  }
  return best;
}

Best better(Best a, Best b) {
  if (b.length > a.length || (b.length == a.length && b.start < a.start)) return b;
  return a;
}

Best on_shared_receiver_pool(std::uint64_t limit, std::size_t threads) {
  auto [tx, rx] = ferrite::mpsc::channel<Best>();
  std::size_t jobs = 0;
  {
    ferrite::examples::SharedReceiverPool pool(threads);
    for (std::uint64_t from = 1; from < limit; from += kChunk, ++jobs) {
      const std::uint64_t to = std::min(from + kChunk, limit);
      pool.execute([tx = tx.clone(), from, to] { static_cast<void>(tx.send(best_in(from, to))); });
    }
  }  // runs every job and joins the workers
  Best best;
  for (std::size_t i = 0; i < jobs; ++i) best = better(best, *rx.recv());
  return best;
}

Best on_thread_pool(std::uint64_t limit, std::size_t threads) {
  ferrite::ThreadPool pool(threads);
  std::vector<ferrite::TaskHandle<Best>> chunks;
  for (std::uint64_t from = 1; from < limit; from += kChunk) {
    const std::uint64_t to = std::min(from + kChunk, limit);
    chunks.push_back(pool.submit([from, to] { return best_in(from, to); }));
  }
  Best best;
  for (auto& chunk : chunks) best = better(best, *chunk.join());
  return best;
}

template <class F>
Best timed(const char* name, F f) {
  const auto start = std::chrono::steady_clock::now();
  const Best best = f();
  const std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - start;
  std::printf("%-34s start %llu, chain of %u terms (%.1f ms)\n", name,
              static_cast<unsigned long long>(best.start), best.length, took.count());
  return best;
}

std::uint64_t arg_or(int argc, char** argv, int index, std::uint64_t fallback) {
  if (index >= argc) return fallback;
  // SAFETY(collatz-pool-argv): index < argc, the number of entries of argv.
  const char* text = FERRITE_UNSAFE_BUFFERS(argv[index]);
  return std::stoull(text);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t limit = arg_or(argc, argv, 1, 300000);
  const std::size_t threads = arg_or(argc, argv, 2, ferrite::thread::available_parallelism());
  if (limit < 2 || threads == 0) {
    std::fprintf(stderr, "usage: collatz_pool [N >= 2] [threads >= 1]\n");
    return EXIT_FAILURE;
  }
  std::printf("longest Collatz chain for a start below %llu, %zu threads:\n",
              static_cast<unsigned long long>(limit), threads);
  const Best sequential = timed("sequential loop:", [&] { return best_in(1, limit); });
  const Best shared = timed("shared-receiver pool (Arc<Mutex<Receiver>>):",
                            [&] { return on_shared_receiver_pool(limit, threads); });
  const Best pooled = timed("ferrite::ThreadPool:", [&] { return on_thread_pool(limit, threads); });
  const bool ok = shared == sequential && pooled == sequential;
  std::printf("collatz_pool: both pools agree with the sequential loop: %s\n", ok ? "ok" : "WRONG");
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
