// lib/detail/futex.cc — futex parking for ferrite's locks (see ferrite/detail/futex.h).
#include "ferrite/detail/futex.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <ctime>

namespace ferrite::detail {

namespace {

long futex_call(std::uintptr_t address, int op, std::uint32_t value, const timespec* timeout,
                std::uint32_t bitset) noexcept {
  // The kernel compares and wakes by address only; the word there is 32 bits
  // wide and 4-byte aligned (static_asserts in futex.h), as the futex ABI
  // requires.
  return syscall(SYS_futex, address, op | FUTEX_PRIVATE_FLAG, value, timeout, nullptr, bitset);
}

std::uintptr_t address_of(const volatile void* word) noexcept {
  // SAFETY(futex-address): the address becomes a number handed to the
  // kernel, which reads the 32-bit word there atomically; it is never turned
  // back into a pointer here.
  return reinterpret_cast<std::uintptr_t>(word);
}

// The low-order half of a 64-bit word: at its address on a little-endian
// machine, 4 bytes further on a big-endian one.
std::uintptr_t low_half_address(const std::atomic<std::uint64_t>& word) noexcept {
  return address_of(&word) + (std::endian::native == std::endian::little ? 0 : 4);
}

// Sleeps on the 32 bits at `address` while `current()` (their value) equals
// `expected`; futex_wait's contract.
template <class Current>
bool wait_at(std::uintptr_t address, const Current& current, std::uint32_t expected,
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
    if (current() != expected) return true;
    const long result = futex_call(address, FUTEX_WAIT_BITSET, expected, timeout,
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

}  // namespace

bool futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                Deadline deadline) noexcept {
  // ORDERING(futex-wait-peek): only an early exit; the kernel re-reads the
  // word atomically before sleeping, and callers re-check their state with
  // the acquire operations of their own protocol after this returns.
  const auto current = [&word] { return word.load(std::memory_order_relaxed); };
  return wait_at(address_of(&word), current, expected, deadline);
}

bool futex_wait(const std::atomic<std::uint64_t>& word, std::uint32_t expected_low,
                Deadline deadline) noexcept {
  const auto current = [&word] {
    // ORDERING(futex-wait-peek-low): as futex-wait-peek, on the low half.
    const std::uint64_t value = word.load(std::memory_order_relaxed);
    return static_cast<std::uint32_t>(value);
  };
  return wait_at(low_half_address(word), current, expected_low, deadline);
}

bool futex_wake_one(const std::atomic<std::uint32_t>& word) noexcept {
  return futex_call(address_of(&word), FUTEX_WAKE, 1, nullptr, 0) > 0;
}

bool futex_wake_one(const std::atomic<std::uint64_t>& word) noexcept {
  return futex_call(low_half_address(word), FUTEX_WAKE, 1, nullptr, 0) > 0;
}

void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept {
  futex_call(address_of(&word), FUTEX_WAKE, INT_MAX, nullptr, 0);
}

}  // namespace ferrite::detail
