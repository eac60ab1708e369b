// tests/support/failing_new.h — operator new that fails on demand, for the
// calling thread only, so a test can reach a library's out-of-memory paths.
//
// Linking tests:failing_new replaces the global operator new (and delete) of
// the test binary. Each thread has its own setting, off by default:
//
//   {
//     ferrite::testing::FailAllocations all;          // every allocation throws
//     EXPECT_THROW(v.push_back(1), std::bad_alloc);
//   }
//   {
//     ferrite::testing::FailAllocations some(4, seed);  // one in four, at random
//     try { tx.send(std::move(msg)); } catch (const std::bad_alloc&) { ... }
//   }
//
// While a FailAllocations is alive nothing else on that thread may allocate
// (GoogleTest's assertions do): keep its scope to the operation under test.
// failed_allocations() counts the failures injected on every thread.
//
// FailAllocationsWhen runs a function at each allocation of its thread and
// fails the allocations for which it returns true, so that a test can make an
// allocation fail just after some other thread has done its part:
//
//   ferrite::testing::FailAllocationsWhen fail(
//       [](void* arg) { return static_cast<Helper*>(arg)->did_its_part(); }, &helper);
#pragma once

#include <cstdint>

namespace ferrite::testing {

// How many allocations have been made to fail so far, on all threads.
int failed_allocations();

// Sets this thread's failure rate: 0 never fails, 1 always fails, n fails one
// allocation in n, chosen by a generator seeded with `seed`. Returns the
// previous rate. FailAllocations is the scoped way to use it.
unsigned set_allocation_failure_rate(unsigned one_in, std::uint64_t seed = 1);

// Makes this thread's allocations fail (one in `one_in`) for its lifetime.
class FailAllocations {
 public:
  explicit FailAllocations(unsigned one_in = 1, std::uint64_t seed = 1)
      : previous_(set_allocation_failure_rate(one_in, seed)) {}
  ~FailAllocations() { set_allocation_failure_rate(previous_); }
  FailAllocations(const FailAllocations&) = delete;
  FailAllocations& operator=(const FailAllocations&) = delete;

 private:
  unsigned previous_;
};

// Decides whether one allocation fails; `arg` is what was set with it.
using AllocationHook = bool (*)(void* arg);

// Sets this thread's hook (null: none): operator new calls hook(arg) before
// each allocation of this thread, except those the hook makes itself, and
// fails the allocation when it returns true. FailAllocationsWhen is the
// scoped way to use it.
void set_allocation_hook(AllocationHook hook, void* arg);

// Calls `hook(arg)` at each allocation of this thread for its lifetime.
class FailAllocationsWhen {
 public:
  FailAllocationsWhen(AllocationHook hook, void* arg) { set_allocation_hook(hook, arg); }
  ~FailAllocationsWhen() { set_allocation_hook(nullptr, nullptr); }
  FailAllocationsWhen(const FailAllocationsWhen&) = delete;
  FailAllocationsWhen& operator=(const FailAllocationsWhen&) = delete;
};

}  // namespace ferrite::testing
