// lib/thread.cc — the non-template half of ferrite/thread.h.
#include "ferrite/thread.h"

#include <sched.h>

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/panic.h"

namespace ferrite::thread {

bool panicking() noexcept { return detail::panicking(); }

ThreadId current_id() noexcept { return std::this_thread::get_id(); }

void yield_now() noexcept { std::this_thread::yield(); }

std::size_t available_parallelism() noexcept {
  // The affinity mask first (what Rust does before consulting cgroups): a
  // process pinned to 2 of 16 CPUs can run 2 threads at once.
  cpu_set_t set;
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
