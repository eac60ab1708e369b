// bench/process_mode.h — which of glibc's two modes a benchmark process runs in.
//
// glibc's mutex (std::mutex) and libstdc++'s shared_ptr skip their atomic
// instructions while glibc's `__libc_single_threaded` is true: no thread was
// ever created in the process (glibc >= 2.32). ferrite's Mutex takes the same
// shortcut (ferrite/detail/single_threaded.h). A program that shares
// anything across threads is past that point for good, so by default a
// binary that includes this header starts and joins one thread during static
// initialization (before benchmark_main's main()), and every row is measured
// as such programs see it. Set FERRITE_BENCH_SINGLE_THREADED_PROCESS=1 to
// skip that and measure the single-threaded mode instead (only meaningful
// for rows that start no thread themselves: once one does, the mode is gone
// for the rest of the process). The mode is printed in the benchmark
// context as `libc_single_threaded`.
#pragma once

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define FERRITE_BENCH_HAS_LIBC_SINGLE_THREADED 1
#endif

#include <cstdlib>
#include <string_view>
#include <thread>

#include "benchmark/benchmark.h"

namespace ferrite_bench {

inline bool SingleThreadedProcessRequested() {
  const char* value = std::getenv("FERRITE_BENCH_SINGLE_THREADED_PROCESS");
  return value != nullptr && std::string_view(value) == "1";
}

inline const bool kProcessModeSet = [] {
  if (!SingleThreadedProcessRequested()) std::thread([] {}).join();
#ifdef FERRITE_BENCH_HAS_LIBC_SINGLE_THREADED
  benchmark::AddCustomContext("libc_single_threaded",
                              __libc_single_threaded != 0
                                  ? "1 (glibc's mutex and shared_ptr skip their atomics)"
                                  : "0 (every lock and count is atomic)");
#endif
  return true;
}();

}  // namespace ferrite_bench
