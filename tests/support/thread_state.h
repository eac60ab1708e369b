// tests/support/thread_state.h — what a test can learn about a thread from
// the kernel: the CPU time the calling thread has used, and whether another
// thread is asleep (Linux /proc), so that a test can check that a blocked
// thread parks instead of spinning.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <chrono>
#include <cstddef>
#include <fstream>
#include <string>
#include <thread>

namespace ferrite::testing {

// The CPU time the calling thread has used, in seconds.
inline double thread_cpu_seconds() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

// A thread's scheduler state from /proc: 'S' while it sleeps (in a futex
// wait, for one), 'R' while it runs or spins; '?' if it cannot be read.
inline char scheduler_state(pid_t tid) {
  std::ifstream stat("/proc/self/task/" + std::to_string(tid) + "/stat");
  std::string line;
  std::getline(stat, line);
  const std::size_t name_end = line.rfind(')');  // the name may hold spaces
  return name_end == std::string::npos || name_end + 2 >= line.size() ? '?'
                                                                      : line.at(name_end + 2);
}

// Waits until thread `tid` sleeps; false if it has not within `limit`.
inline bool sleeps_within(pid_t tid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (scheduler_state(tid) != 'S') {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace ferrite::testing
