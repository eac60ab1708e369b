// lib/detail/futex.cc — futex parking for ferrite's locks (see ferrite/detail/futex.h).
#include "ferrite/detail/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>

namespace ferrite::detail {

namespace {

long futex_call(const std::atomic<std::uint32_t>& word, int op, std::uint32_t value,
                const timespec* timeout, std::uint32_t bitset) noexcept {
  // The kernel compares and wakes by address only; the word is lock-free and
  // 32 bits wide (static_assert in futex.h), as the futex ABI requires.
  return syscall(SYS_futex, &word, op | FUTEX_PRIVATE_FLAG, value, timeout, nullptr, bitset);
}

}  // namespace

bool futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                Deadline deadline) noexcept {
  timespec absolute{};
  const timespec* timeout = nullptr;
  if (deadline != kNoDeadline) {
    // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, which is
    // steady_clock's clock on Linux.
    const auto since_boot = deadline.time_since_epoch();
    if (since_boot.count() < 0) return false;
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_boot);
    absolute.tv_sec = static_cast<time_t>(seconds.count());
    absolute.tv_nsec = static_cast<long>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(since_boot - seconds).count());
    timeout = &absolute;
  }
  for (;;) {
    // ORDERING(futex-wait-peek): only an early exit; the kernel re-reads the
    // word atomically before sleeping, and callers re-check their state with
    // the acquire operations of their own protocol after this returns.
    if (word.load(std::memory_order_relaxed) != expected) return true;
    const long result = futex_call(word, FUTEX_WAIT_BITSET, expected, timeout,
                                   FUTEX_BITSET_MATCH_ANY);
    if (result == 0) return true;
    switch (errno) {
      case ETIMEDOUT:
        return false;
      case EINTR:
        continue;  // A signal handler ran; the deadline still holds.
      default:
        return true;  // EAGAIN: the word had changed already.
    }
  }
}

bool futex_wake_one(const std::atomic<std::uint32_t>& word) noexcept {
  return futex_call(word, FUTEX_WAKE, 1, nullptr, 0) > 0;
}

void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept {
  futex_call(word, FUTEX_WAKE, INT_MAX, nullptr, 0);
}

}  // namespace ferrite::detail
