// lib/detail/heavy_fence.cc — heavy_fence() with Linux membarrier(2)
// (see ferrite/detail/heavy_fence.h).
#include "ferrite/detail/heavy_fence.h"

#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>

namespace ferrite::detail {

namespace {

enum State : int { kUnknown, kRegistered, kUnavailable };

// What this process has learned about membarrier: nothing yet, registered
// for the expedited command, or unavailable.
std::atomic<int> g_state{kUnknown};

long membarrier(int command) noexcept { return syscall(SYS_membarrier, command, 0u, 0); }

}  // namespace

bool heavy_fence() noexcept {
  // ORDERING(heavy-fence-state): relaxed; a cache of what the kernel said.
  // A thread that reads a stale value only registers again (registering is
  // idempotent) or makes one call that fails; no data is published by it.
  const int state = g_state.load(std::memory_order_relaxed);
  if (state == kUnavailable) return false;
  if (state == kRegistered && membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) return true;
  // Not registered yet, or the registration was lost (the command fails with
  // EPERM in a process that has not registered): register, then fence.
  if (membarrier(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED) == 0 &&
      membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) == 0) {
    // ORDERING(heavy-fence-registered): relaxed, as heavy-fence-state.
    g_state.store(kRegistered, std::memory_order_relaxed);
    return true;
  }
  // ORDERING(heavy-fence-unavailable): relaxed, as heavy-fence-state.
  g_state.store(kUnavailable, std::memory_order_relaxed);
  return false;
}

bool heavy_fence_available() noexcept {
  // ORDERING(heavy-fence-peek): relaxed, as heavy-fence-state.
  return g_state.load(std::memory_order_relaxed) != kUnavailable;
}

void disable_heavy_fence_for_testing() noexcept {
  // ORDERING(heavy-fence-disable): relaxed, as heavy-fence-state.
  g_state.store(kUnavailable, std::memory_order_relaxed);
}

}  // namespace ferrite::detail
