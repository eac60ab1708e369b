// ferrite/detail/futex.h — internal: the 32-bit word every ferrite lock parks on.
//
// Not part of the public API (everything is in ferrite::detail); mutex.h,
// condvar.h, rwlock.h and once.h build on it, and lib/detail/futex.cc implements it
// with Linux futexes, as Rust's std::sync does. A lock keeps its state in one
// 32-bit atomic (Mutex: the low half of a 64-bit one); a thread waits with
// `futex_wait(word, seen)`, which sleeps only while the word still equals
// `seen`, so a wake-up between reading the word and sleeping is never lost.
//
// Deadlines are those of ferrite/detail/deadline.h (monotonic clock).
#pragma once

#include <atomic>
#include <cstdint>

#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "a futex word must be a plain, lock-free 32-bit atomic");

// Blocks while `word == expected`, until a futex_wake_* on `word`, a spurious
// wake-up, or `deadline`. Returns false only when it gave up because the
// deadline passed (also when it had passed already); true otherwise, which
// says nothing about the word's value: callers re-check their condition.
bool futex_wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected,
                Deadline deadline = kNoDeadline) noexcept;

// Wakes one thread blocked in futex_wait on `word`; returns whether one was.
bool futex_wake_one(const std::atomic<std::uint32_t>& word) noexcept;

// Wakes every thread blocked in futex_wait on `word`.
void futex_wake_all(const std::atomic<std::uint32_t>& word) noexcept;

// The same two on the low-order 32 bits of a 64-bit word (Mutex's lock word
// keeps its sleepers there and its holder above): the kernel compares, and
// wakes by, the address of those 32 bits only.
static_assert(sizeof(std::atomic<std::uint64_t>) == sizeof(std::uint64_t) &&
                  std::atomic<std::uint64_t>::is_always_lock_free,
              "a 64-bit lock word must be a plain, lock-free 64-bit atomic");
bool futex_wait(const std::atomic<std::uint64_t>& word, std::uint32_t expected_low,
                Deadline deadline = kNoDeadline) noexcept;
bool futex_wake_one(const std::atomic<std::uint64_t>& word) noexcept;

// A short busy-wait hint for spin loops (PAUSE on x86).
inline void spin_loop_hint() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

}  // namespace ferrite::detail
