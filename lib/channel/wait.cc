// lib/channel/wait.cc — what the waits of channel operations ask the kernel
// (see ferrite/channel/wait.h).
#include "ferrite/channel/wait.h"

#include <sched.h>

#include <chrono>
#include <cstdio>
#include <thread>

namespace ferrite::detail {

bool yield_and_report_switch() noexcept {
  // A yield that finds nobody else runnable is one system call (about a
  // microsecond on the 2-vCPU machine of docs/BENCHMARKS.md); one that runs
  // another thread takes two context switches and that thread's turn. So
  // the yield's duration tells them apart, read from the vDSO clock (tens
  // of nanoseconds). Asking getrusage(RUSAGE_THREAD) for the count of
  // context switches before and after instead cost two more system calls a
  // yield: a fifth of the CPU time of bounded(0) spsc on two loaded CPUs.
  // A yield that was slow for another reason (an interrupt) only makes the
  // caller block a little earlier.
  constexpr std::chrono::nanoseconds kRanAnotherThread = std::chrono::microseconds(4);
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::yield();
  return std::chrono::steady_clock::now() - start > kRanAnotherThread;
}

void Pacer::pace(bool (*yield_and_report)() noexcept) noexcept {
  // ORDERING(channel-pacer-holdoff-load): relaxed; a hint only (see
  // holdoff_): it orders nothing else.
  const unsigned holdoff = holdoff_.load(std::memory_order_relaxed);
  if (holdoff != 0) {
    // ORDERING(channel-pacer-holdoff-count): relaxed, as above.
    holdoff_.store(holdoff - 1, std::memory_order_relaxed);
    return;
  }
  // ORDERING(channel-pacer-quiet-load): relaxed, as above.
  const unsigned quiet = quiet_yields_.load(std::memory_order_relaxed);
  if (yield_and_report()) {
    // ORDERING(channel-pacer-quiet-reset): relaxed, as above.
    if (quiet != 0) quiet_yields_.store(0, std::memory_order_relaxed);
    return;
  }
  // Nobody else ran: pause the pacing for twice as long as the last time.
  const unsigned doublings = quiet < kMaxDoublings ? quiet : kMaxDoublings;
  // ORDERING(channel-pacer-quiet-count): relaxed, as above.
  quiet_yields_.store(doublings + 1, std::memory_order_relaxed);
  // ORDERING(channel-pacer-holdoff-set): relaxed, as above.
  holdoff_.store(kHoldoffBlocks << doublings, std::memory_order_relaxed);
}

int current_cpu() noexcept { return ::sched_getcpu(); }  // -1 on failure

namespace {

// The process's cgroup v2 CPU quota, in CPUs ("max" or no file: unlimited,
// reported as a large number). Read once: a quota rarely changes while a
// process runs, and reading a file on every wait would cost more than it saves.
double cpu_quota() noexcept {
  static const double quota = [] {
    constexpr double kUnlimited = 1e9;
    std::FILE* file = std::fopen("/sys/fs/cgroup/cpu.max", "re");
    if (file == nullptr) return kUnlimited;
    long long max = 0;
    long long period = 0;
    const int fields = std::fscanf(file, "%lld %lld", &max, &period);
    std::fclose(file);
    // "max 100000" matches no number: unlimited.
    if (fields != 2 || max <= 0 || period <= 0) return kUnlimited;
    return static_cast<double>(max) / static_cast<double>(period);
  }();
  return quota;
}

// How many CPUs the calling thread may run on (at least 1).
int allowed_cpus() noexcept {
  cpu_set_t set;
  // SAFETY(allowed-cpus-zero): CPU_ZERO memsets exactly sizeof(set) bytes of
  // the local cpu_set_t.
  CPU_ZERO(&set);
  if (::sched_getaffinity(0, sizeof(set), &set) != 0) return CPU_SETSIZE;  // unknown: assume many
  const int count = CPU_COUNT(&set);
  return count > 0 ? count : 1;
}

}  // namespace

bool spinning_can_help() noexcept {
  // Asked on the slow path of every wait; the affinity is asked again every
  // kRefresh questions (a system call of about a microsecond, so a few
  // nanoseconds a question at most), so a thread moved to one CPU (or given
  // more) is noticed within that many waits.
  constexpr unsigned kRefresh = 4096;
  thread_local unsigned until_refresh = 0;
  thread_local bool can_help = true;
  if (until_refresh == 0) {
    can_help = allowed_cpus() >= 2 && cpu_quota() >= 2.0;
    until_refresh = kRefresh;
  }
  --until_refresh;
  return can_help;
}

}  // namespace ferrite::detail
