// examples/split_halves.cc — split_at_mut + thread::scope, disjoint
// halves mutated in parallel without a lock:
//
//  1. Two threads increment the two halves of one Vec in parallel. Each gets
//     a SliceMut from split_at_mut: disjoint by construction, so no lock is
//     needed, and the scope joins both before the Vec is used again.
//  2. A parallel merge sort (examples/merge_sort.h) that recurses the same
//     way, checked against std::is_sorted.
//
// Usage: split_halves [elements] [threads]   (defaults: 1000000, all CPUs)
// Exits non-zero if a check fails, so it doubles as a test.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <utility>

#include "examples/merge_sort.h"
#include "ferrite/thread.h"
#include "ferrite/vec.h"

namespace {

std::size_t parse_or(int argc, char** argv, int index, std::size_t fallback) {
  if (index >= argc) return fallback;
  // argv is argc C strings; reading argv[index] for index < argc is in bounds.
  // SAFETY(split-halves-argv): index < argc, the length of argv.
  const char* text = FERRITE_UNSAFE_BUFFERS(argv[index]);
  return static_cast<std::size_t>(std::stoull(text));
}

bool increment_halves(std::size_t n) {
  ferrite::Vec<int> v;
  v.resize(n, 0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    auto [left, right] = *v.split_at_mut(n / 2);
    s.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x += 1; }, std::move(left));
    s.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x += 2; }, std::move(right));
  });
  const auto& done = std::as_const(v);
  const bool ok = std::all_of(done.begin(), done.begin() + static_cast<std::ptrdiff_t>(n / 2),
                              [](int x) { return x == 1; }) &&
                  std::all_of(done.begin() + static_cast<std::ptrdiff_t>(n / 2), done.end(),
                              [](int x) { return x == 2; });
  std::printf("split_at_mut(%zu): thread A added 1 to %zu elements, thread B added 2 to %zu: %s\n",
              n / 2, n / 2, n - n / 2, ok ? "ok" : "WRONG");
  return ok;
}

bool sort_in_parallel(std::size_t n, std::size_t threads) {
  ferrite::Vec<int> v = ferrite::Vec<int>::with_capacity(n);
  std::mt19937 rng(2024);
  for (std::size_t i = 0; i < n; ++i) v.push(static_cast<int>(rng()));
  ferrite::Vec<int> reference = v.clone();

  const auto start = std::chrono::steady_clock::now();
  ferrite::examples::parallel_merge_sort(v.as_mut_slice(), threads);
  const auto parallel = std::chrono::steady_clock::now() - start;

  const auto start_std = std::chrono::steady_clock::now();
  std::sort(reference.begin(), reference.end());
  const auto sequential = std::chrono::steady_clock::now() - start_std;

  const bool ok = std::is_sorted(std::as_const(v).begin(), std::as_const(v).end()) &&
                  v == reference;
  using Ms = std::chrono::duration<double, std::milli>;
  std::printf("parallel merge sort of %zu ints on %zu threads: %.1f ms (std::sort: %.1f ms): %s\n",
              n, threads, Ms(parallel).count(), Ms(sequential).count(),
              ok ? "sorted" : "NOT SORTED");
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t n = parse_or(argc, argv, 1, 1000000);
  const std::size_t threads = parse_or(argc, argv, 2, ferrite::thread::available_parallelism());
  const bool halves_ok = increment_halves(n);
  const bool sort_ok = sort_in_parallel(n, threads);
  return halves_ok && sort_ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
