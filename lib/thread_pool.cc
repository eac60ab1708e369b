// lib/thread_pool.cc — the non-template half of ferrite/thread_pool.h: the
// workers' loop, start-up and shutdown.
#include "ferrite/thread_pool.h"

#include <cxxabi.h>

#include <atomic>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"

namespace ferrite::detail {
namespace {

// The pool's locks are never poisoned (nothing panics while holding them);
// recovering keeps that an assumption rather than a crash.
template <class G>
G recover(LockResult<G>&& result) {
  if (result.has_value()) return std::move(*result);
  return std::move(result.error()).into_inner();
}

// A worker: runs jobs until every Sender is gone and the queue is drained.
void work(const channel::Receiver<PoolJob>& jobs, std::atomic<std::size_t>& panics) {
  while (auto job = jobs.recv()) {
    bool panicked = false;
    try {
      panicked = (*job)();
    } catch (abi::__forced_unwind&) {
      throw;  // thread cancellation must finish unwinding; it is not a panic
    } catch (...) {
      panicked = true;
    }
    if (panicked) panics.fetch_add(1);
  }
}

}  // namespace

PoolCore::PoolCore(std::size_t threads)
    : threads_(threads), panics_(std::make_shared<std::atomic<std::size_t>>(0)) {
  if (threads == 0) panic("ThreadPool: the number of threads must be at least 1");
  auto [tx, rx] = channel::unbounded<PoolJob>();
  **sender_.get_mut() = std::move(tx);
  try {
    auto workers = recover(workers_.lock());
    workers->reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) {
      workers->push_back(thread::spawn([jobs = rx, panics = panics_] { work(jobs, *panics); }));
    }
  } catch (...) {
    shutdown();  // the workers already started exit once the sender is gone
    throw;
  }
}

PoolCore::~PoolCore() { shutdown(); }

void PoolCore::enqueue(PoolJob job, const char* what) const {
  auto reader = recover(sender_.read());
  const std::optional<channel::Sender<PoolJob>>& sender = *reader;
  if (!sender.has_value()) {
    panic(std::string(what) + ": the pool is shut down; no job can be queued after shutdown()");
  }
  // The workers hold receivers until the sender is gone, so this succeeds.
  auto sent = sender->send(std::move(job));
  FERRITE_ASSERT(sent.has_value(), "ThreadPool: every worker has exited");
}

void PoolCore::shutdown() {
  auto workers = recover(workers_.lock());
  const thread::ThreadId self = thread::current_id();
  for (const auto& worker : *workers) {
    if (worker.id() == self) {
      panic(
          "ThreadPool::shutdown: called from one of the pool's own jobs (it would join "
          "itself); shut the pool down from outside it");
    }
  }
  // Dropping the only Sender disconnects the channel: each worker drains what
  // is queued, then its recv() fails and it exits.
  recover(sender_.write())->reset();
  for (auto& worker : *workers) static_cast<void>(worker.join());
  workers->clear();
}

}  // namespace ferrite::detail
