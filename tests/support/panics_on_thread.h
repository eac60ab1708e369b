// tests/support/panics_on_thread.h — runs a body on a thread of its own and
// reports whether an exception escaped it: the way Rust's lock tests poison
// a lock (a thread panics while holding it) without ending the test. Also
// the lock tests' other shared steps: poison(lock), copy_of(lock) and
// panic_of(f), the message of the panic f raises.
//
//   EXPECT_TRUE(ferrite::testing::panics_on_thread([&] {
//     auto guard = mutex.lock();
//     ferrite::panic("panic while holding the lock");
//   }));
//   EXPECT_TRUE(mutex.is_poisoned());
#pragma once

#include <string>
#include <thread>

#include "ferrite/panic.h"
#include "gtest/gtest.h"

namespace ferrite::testing {

// A plain std::thread, so that the test sees the exception itself, not the
// PanicPayload of a ferrite::thread::JoinHandle.
template <class F>
bool panics_on_thread(F body) {
  bool panicked = false;
  std::thread thread([&] {
    try {
      body();
    } catch (...) {
      panicked = true;
    }
  });
  thread.join();
  return panicked;
}

// The message of the ferrite::Panic `body` raises on this thread; fails the
// test (and returns "") if it raises none.
template <class F>
std::string panic_of(F body) {
  try {
    body();
  } catch (const ::ferrite::Panic& p) {
    return p.what();
  }
  ADD_FAILURE() << "no panic";
  return "";
}

// Like panics_on_thread, for a body that panics while a destructor runs
// `in_unwind` during the unwinding: the way Rust's *_access_in_unwind tests
// reach a lock from a thread that is already panicking.
template <class F>
bool panics_running_in_unwind(F in_unwind) {
  struct Unwinder {
    F& in_unwind;
    ~Unwinder() { in_unwind(); }
  };
  return panics_on_thread([&] {
    Unwinder unwinder{in_unwind};
    ::ferrite::panic("unwinding");
  });
}

// The value behind `lock` (a Mutex, or an RwLock through a read lock),
// copied out under the lock: a guard cannot be dereferenced as a temporary.
template <class Lock>
auto copy_of(const Lock& lock) {
  if constexpr (requires { lock.read(); }) {
    auto guard = lock.read();
    return **guard;
  } else {
    auto guard = lock.lock();
    return **guard;
  }
}

// Poisons `lock` (a Mutex, or anything with lock() and is_poisoned()) the way
// Rust's tests do: a thread panics while holding it.
template <class Lock>
void poison(const Lock& lock) {
  const bool panicked = panics_on_thread([&] {
    auto guard = lock.lock();
    ::ferrite::panic("panic while holding the lock");
  });
  ASSERT_TRUE(panicked);
  ASSERT_TRUE(lock.is_poisoned());
}

}  // namespace ferrite::testing
