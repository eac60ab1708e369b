// lib/thread.cc — the non-template half of ferrite/thread.h.
#include "ferrite/thread.h"

#include <pthread.h>
#include <sched.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FERRITE_ASAN_FAKE_STACKS 1
#endif
#endif
#if !defined(FERRITE_ASAN_FAKE_STACKS) && defined(__SANITIZE_ADDRESS__)
#define FERRITE_ASAN_FAKE_STACKS 1
#endif
#ifdef FERRITE_ASAN_FAKE_STACKS
#include <sanitizer/asan_interface.h>
#endif

// Scope::spawn's borrow check compares addresses on the calling thread's
// stack, taking "deeper in the call chain" to mean "at a lower address": true
// of every target ferrite supports.
#if !(defined(__linux__) && (defined(__x86_64__) || defined(__aarch64__)))
#error "ferrite: Scope::spawn's borrow check assumes a stack that grows down (x86-64 or AArch64 Linux); check that assumption before porting lib/thread.cc"
#endif

namespace ferrite::thread {

bool panicking() noexcept { return detail::panicking(); }

ThreadId current_id() noexcept { return std::this_thread::get_id(); }

void yield_now() noexcept { std::this_thread::yield(); }

std::size_t available_parallelism() noexcept {
  // The affinity mask first (what Rust does before consulting cgroups): a
  // process pinned to 2 of 16 CPUs can run 2 threads at once.
  cpu_set_t set;
  // SAFETY(available-parallelism-zero): CPU_ZERO memsets exactly sizeof(set)
  // bytes of the local cpu_set_t.
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int count = CPU_COUNT(&set);
    if (count > 0) return static_cast<std::size_t>(count);
  }
  const unsigned hardware = std::thread::hardware_concurrency();
  return hardware == 0 ? 1 : hardware;
}

}  // namespace ferrite::thread

namespace ferrite::detail {

namespace {

std::uintptr_t address_of(const volatile void* pointer) noexcept {
  // SAFETY(scope-address): the pointer becomes a number that is only
  // compared with other numbers, never turned back into a pointer.
  return reinterpret_cast<std::uintptr_t>(pointer);
}

// The end (highest address, exclusive) of the calling thread's stack
// mapping, which also holds its thread_local objects; 0 when unknown.
// Computed once per thread, on the first spawn with a borrow from a thread
// other than the one that entered the scope.
std::uintptr_t thread_stack_end() noexcept {
  thread_local std::uintptr_t end = 0;
  if (end == 0) {
    pthread_attr_t attributes;
    if (pthread_getattr_np(pthread_self(), &attributes) == 0) {
      void* lowest = nullptr;
      std::size_t size = 0;
      if (pthread_attr_getstack(&attributes, &lowest, &size) == 0) end = address_of(lowest) + size;
      pthread_attr_destroy(&attributes);
    }
  }
  return end;
}

// Under ASan with detect_stack_use_after_return, an address-taken local
// lives in a "fake frame" on the heap, which ASan ties to the real stack
// position of its function's frame: that position when `address` is in a
// live fake frame of the calling thread, else 0. Positions compare as real
// frames do (deeper is lower).
std::uintptr_t fake_frame_position([[maybe_unused]] const volatile void* address) noexcept {
#ifdef FERRITE_ASAN_FAKE_STACKS
  void* fake_stack = __asan_get_current_fake_stack();
  if (fake_stack == nullptr) return 0;
  // SAFETY(scope-asan-query): ASan's query only compares `address` with its
  // fake frames; nothing is read or written through it.
  void* queried = const_cast<void*>(address);
  return address_of(__asan_addr_is_in_fake_stack(fake_stack, queried, nullptr, nullptr));
#else
  return 0;
#endif
}

[[noreturn, gnu::cold]] void borrow_dies_before_join(std::size_t argument, bool on_scoped_thread) {
  const std::string which = "Scope::spawn: argument " + std::to_string(argument) + " borrows ";
  if (on_scoped_thread) {
    panic(which +
          "a local of the scoped thread that spawns it (it dies when that thread returns, before "
          "the scope joins the new one); borrow what was declared before thread::scope, or move "
          "it into the thread");
  }
  panic(which +
        "a local of the scope's closure (it dies before the scope joins its threads); declare it "
        "before thread::scope, or move it into the thread");
}

}  // namespace

// Not inlined, so that its frame separates the callers' from f's: every
// object of the callers (everything declared before thread::scope) lies at
// or above __builtin_dwarf_cfa() — the stack pointer at the call on x86-64,
// this frame's frame record on AArch64 — and every frame that body() opens
// lies below this frame, so below it too.
[[gnu::noinline]] void ScopeData::run_body(void (*body)(void*), void* context) {
  entered_by_ = std::this_thread::get_id();
  body_frames_top_ = address_of(__builtin_dwarf_cfa());
  // With fake frames, this frame's own (the marker's) stands between the
  // callers' and f's: ASan records each at a lower position than its caller's.
  volatile char marker = 0;
  body_fake_frames_top_ = fake_frame_position(&marker);
  body(context);
}

// Not inlined: its frame lies below those of the caller of Scope::spawn,
// whose arguments are checked.
[[gnu::noinline]] SpawnFrame ScopeData::spawn_frame() const noexcept {
  SpawnFrame frame;
  frame.low_ = address_of(__builtin_frame_address(0));
  if (std::this_thread::get_id() == entered_by_) {
    frame.high_ = body_frames_top_;
    frame.fake_high_ = body_fake_frames_top_;
  } else {
    // Every frame of this thread dies before the scope joins (it is a scoped
    // thread, or a thread that itself must end first).
    frame.on_scoped_thread_ = true;
    frame.high_ = thread_stack_end();
    frame.fake_high_ = UINTPTR_MAX;
  }
  return frame;
}

void SpawnFrame::check(std::size_t argument, const volatile void* address,
                       std::size_t bytes) const {
  if (bytes == 0) return;
  const std::uintptr_t begin = address_of(address);
  // [begin, begin + bytes) meets [low_, high_), without overflow.
  bool dies = begin < high_ && (begin >= low_ || low_ - begin < bytes);
  if (!dies) {
    const std::uintptr_t position = fake_frame_position(address);
    dies = position != 0 && position < fake_high_;
  }
  if (dies) borrow_dies_before_join(argument, on_scoped_thread_);
}

ScopedThread::~ScopedThread() {
  // Every path joins before the last reference goes (the scope joins all);
  // this only guards against std::thread's terminate-on-destruction.
  join();
}

void ScopedThread::start(std::thread thread) {
  std::lock_guard<std::mutex> lock(mutex_);
  id_ = thread.get_id();
  thread_ = std::move(thread);
}

void ScopedThread::join() noexcept {
  std::lock_guard<std::mutex> lock(mutex_);
  if (joined_ || !thread_.joinable()) return;
  thread_.join();
  joined_ = true;
}

void ScopedThread::set_panicked(PanicPayload payload) noexcept {
  payload_.emplace(std::move(payload));
  panic_unobserved_.store(true);
}

void ScopeData::add(std::shared_ptr<ScopedThread> thread) {
  try {
    std::lock_guard<std::mutex> lock(mutex_);
    threads_.push_back(thread);
  } catch (...) {
    thread->join();
    throw;
  }
}

void ScopeData::join_all() noexcept {
  // Scoped threads may spawn more threads while we join: repeat until a pass
  // finds nothing new. A thread registers before its spawner finishes, and
  // the spawner is joined in some pass, so nothing is missed.
  std::size_t joined = 0;
  for (;;) {
    std::vector<std::shared_ptr<ScopedThread>> pending;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (joined == threads_.size()) return;
      pending.assign(threads_.begin() + static_cast<std::ptrdiff_t>(joined), threads_.end());
      joined = threads_.size();
    }
    for (const auto& thread : pending) thread->join();
  }
}

void ScopeData::finish() {
  join_all();
  std::lock_guard<std::mutex> lock(mutex_);
  for (const auto& thread : threads_) {
    if (thread->panic_unobserved()) {
      const std::optional<PanicPayload>& payload = thread->payload();
      panic("thread::scope: a scoped thread panicked: " +
            (payload.has_value() ? payload->message() : std::string("unknown panic")));
    }
  }
}

void join_twice(const char* handle) {
  panic(std::string("thread::") + handle +
        "::join: the thread was already joined (join may be called once; a moved-from handle "
        "has no thread)");
}

}  // namespace ferrite::detail
