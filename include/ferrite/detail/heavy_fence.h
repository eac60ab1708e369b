// ferrite/detail/heavy_fence.h — internal: the rare side of an asymmetric
// fence.
//
// Not part of the public API. Two threads that each store to one word and
// then load the other's (Dekker's pattern: an unlocker frees the lock word
// and then reads whether anybody sleeps; a sleeper counts itself in and then
// reads the lock word) need a full fence between the store and the load on
// both sides, or both may read the old values. When one side runs millions
// of times and the other rarely, the frequent side can drop its fence if the
// rare side calls heavy_fence(): it makes every running thread of the
// process execute a full memory barrier before it returns (Linux
// membarrier(2), MEMBARRIER_CMD_PRIVATE_EXPEDITED, the primitive userspace
// RCU and asymmetric fences in other libraries are built on). Mutex uses it
// once per mutex, when the first thread goes to sleep on it (lib/mutex.cc).
//
// The cost is an inter-processor interrupt to each CPU that runs a thread of
// the process: microseconds to tens of microseconds on a virtual machine.
#pragma once

namespace ferrite::detail {

// Returns true once every thread of this process has executed a full memory
// barrier at some point between the call's start and its return (a thread
// not running at the time does so when it is next scheduled). Returns false,
// having done nothing, where the kernel does not offer that (before Linux
// 4.14, or a seccomp filter that forbids membarrier); callers must then not
// rely on it.
bool heavy_fence() noexcept;

// Whether heavy_fence() works here. False from the first call that found it
// unavailable (or before any call only if it was disabled for testing).
bool heavy_fence_available() noexcept;

// For tests: from now on heavy_fence() returns false and does nothing, as on
// a kernel without membarrier(2), so that the callers' fallbacks run.
void disable_heavy_fence_for_testing() noexcept;

}  // namespace ferrite::detail
