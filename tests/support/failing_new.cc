// tests/support/failing_new.cc — the replaced global operator new of
// tests/support/failing_new.h.
#include "tests/support/failing_new.h"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace {

thread_local unsigned failure_rate = 0;        // 0: never; n: one in n
thread_local std::uint64_t failure_state = 1;  // xorshift64 state, never 0
thread_local ferrite::testing::AllocationHook hook = nullptr;
thread_local void* hook_arg = nullptr;
thread_local bool in_hook = false;  // the hook's own allocations skip it
std::atomic<int> failures{0};

bool hook_says_fail() {
  if (hook == nullptr || in_hook) return false;
  in_hook = true;
  const bool fail = hook(hook_arg);
  in_hook = false;
  return fail;
}

bool should_fail() {
  if (hook_says_fail()) return true;
  if (failure_rate == 0) return false;
  if (failure_rate == 1) return true;
  failure_state ^= failure_state << 13;
  failure_state ^= failure_state >> 7;
  failure_state ^= failure_state << 17;
  return failure_state % failure_rate == 0;
}

}  // namespace

namespace ferrite::testing {

int failed_allocations() { return failures.load(); }

unsigned set_allocation_failure_rate(unsigned one_in, std::uint64_t seed) {
  const unsigned previous = failure_rate;
  failure_rate = one_in;
  failure_state = seed == 0 ? 1 : seed;
  return previous;
}

void set_allocation_hook(AllocationHook new_hook, void* arg) {
  hook = new_hook;
  hook_arg = arg;
}

}  // namespace ferrite::testing

void* operator new(std::size_t size) {
  if (should_fail()) {
    failures.fetch_add(1);
    throw std::bad_alloc();
  }
  if (void* memory = std::malloc(size == 0 ? 1 : size)) return memory;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, std::align_val_t alignment) {
  if (should_fail()) {
    failures.fetch_add(1);
    throw std::bad_alloc();
  }
  const auto align = static_cast<std::size_t>(alignment);
  const std::size_t rounded = (size + align - 1) / align * align;  // aligned_alloc's rule
  if (void* memory = std::aligned_alloc(align, rounded == 0 ? align : rounded)) return memory;
  throw std::bad_alloc();
}
void operator delete(void* memory) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::align_val_t) noexcept { std::free(memory); }
void operator delete(void* memory, std::size_t, std::align_val_t) noexcept { std::free(memory); }
