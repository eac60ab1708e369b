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
#include <variant>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/condvar.h"
#include "ferrite/deadlock_detection.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

// Shared by the pool and its workers as const (the workers own a
// std::shared_ptr<const PoolState> each): its counters are atomics, mutable
// through const as Rust's atomics are through a shared reference.
struct PoolState {
  mutable std::atomic<std::size_t> panics{0};
  // Jobs queued and not yet finished; a running job counts until it returns,
  // so this cannot reach zero while a job may still queue another.
  mutable std::atomic<std::size_t> unfinished{0};
  // Set by shutdown() (under the sender's write lock): from then on only the
  // pool's own jobs may queue.
  mutable std::atomic<bool> closing{false};
  // shutdown() waits on `drained` for `unfinished` to reach zero; the worker
  // that brings it there while `closing` notifies under `drain_lock`.
  Mutex<std::monostate> drain_lock;
  Condvar drained;
};

}  // namespace ferrite::detail

// SAFETY(pool-state-sync): every mutable field of PoolState is a std::atomic,
// and its other fields (a Mutex, a Condvar) are Sync: writing through
// `const PoolState&` from several threads is what the atomics are for.
// (ferrite's aggregate rule refuses every mutable field, atomic or not.)
FERRITE_UNSAFE_IMPL_SYNC(ferrite::detail::PoolState);

namespace ferrite::detail {
namespace {

// The pool whose job this thread is running (a worker's), or null.
thread_local const PoolState* running_pool = nullptr;

// The pool's locks are never poisoned (nothing panics while holding them);
// recovering keeps that an assumption rather than a crash.
template <class G>
G recover(LockResult<G>&& result) {
  if (result.has_value()) return std::move(*result);
  return std::move(result.error()).into_inner();
}

// Counts one job as finished; wakes shutdown() when it was the last one.
// If this load of `closing` misses shutdown()'s store, that store comes later
// in the seq_cst order than our decrement, so shutdown()'s own check of
// `unfinished` sees zero and it does not wait.
void finish_job(const PoolState& state) {
  if (state.unfinished.fetch_sub(1) == 1 && state.closing.load()) {
    auto lock = recover(state.drain_lock.lock());
    state.drained.notify_all();
  }
}

// Counts the job as finished when it goes out of scope, even when thread
// cancellation unwinds through the worker, so that shutdown() never waits
// for a job that can no longer finish.
class FinishedOnExit {
 public:
  explicit FinishedOnExit(const PoolState& state) noexcept : state_(state) {}
  FinishedOnExit(const FinishedOnExit&) = delete;
  FinishedOnExit& operator=(const FinishedOnExit&) = delete;
  ~FinishedOnExit() { finish_job(state_); }

 private:
  const PoolState& state_;
};

// A worker: runs jobs until every Sender is gone and the queue is drained.
void work(const channel::Receiver<PoolJob>& jobs, const PoolState& state) {
  running_pool = &state;
  while (auto received = jobs.recv()) {
    const FinishedOnExit finished(state);
    bool panicked = false;
    {
      // Destroyed at the end of this block: a job's captures are gone before
      // it counts as finished.
      PoolJob job = std::move(*received);
      try {
        panicked = job();
      } catch (abi::__forced_unwind&) {
        throw;  // thread cancellation must finish unwinding; it is not a panic
      } catch (...) {
        panicked = true;
      }
    }
    if (panicked) state.panics.fetch_add(1);
  }
}

}  // namespace

PoolCore::PoolCore(std::size_t threads) : threads_(threads), state_(std::make_shared<PoolState>()) {
  if (threads == 0) panic("ThreadPool: the number of threads must be at least 1");
  auto [tx, rx] = channel::unbounded<PoolJob>();
  **sender_.get_mut() = std::move(tx);
  try {
    auto workers = recover(workers_.lock());
    workers->reserve(threads);
    for (std::size_t i = 0; i < threads; ++i) {
      workers->push_back(thread::spawn([jobs = rx, state = state_] { work(jobs, *state); }));
    }
  } catch (...) {
    shutdown();  // the workers already started exit once the sender is gone
    throw;
  }
}

PoolCore::~PoolCore() { shutdown(); }

std::size_t PoolCore::panic_count() const noexcept { return state_->panics.load(); }

void PoolCore::enqueue(PoolJob job, const char* what) const {
  auto reader = recover(sender_.read());
  const std::optional<channel::Sender<PoolJob>>& sender = *reader;
  // A job of this pool may queue while shutdown() drains; nobody else may.
  const bool own_job = running_pool == state_.get();
  if (!sender.has_value() || (state_->closing.load() && !own_job)) {
    panic(std::string(what) + ": the pool is shut down; no job can be queued after shutdown()");
  }
  state_->unfinished.fetch_add(1);
  // The workers hold receivers until the sender is gone, so this succeeds.
  auto sent = sender->send(std::move(job));
  FERRITE_ASSERT(sent.has_value(), "ThreadPool: every worker has exited");
}

void PoolCore::shutdown() {
  auto workers = recover(workers_.lock());
  // `workers_` serializes shutdowns and nothing else: no worker or job ever
  // takes it, so the waits below (for the drain, for each worker) can hold it.
  const BlockingUnderLockAllowed serialized_shutdown;
  const thread::ThreadId self = thread::current_id();
  for (const auto& worker : *workers) {
    if (worker.id() == self) {
      panic(
          "ThreadPool::shutdown: called from one of the pool's own jobs (it would join "
          "itself); shut the pool down from outside it");
    }
  }
  // Under the write lock, so every enqueue from outside that began before it
  // has counted its job, and every one after it sees `closing`.
  {
    auto writer = recover(sender_.write());
    if (!writer->has_value()) return;  // already shut down (workers were joined)
    state_->closing.store(true);
  }
  {
    auto lock = recover(state_->drain_lock.lock());
    lock = recover(state_->drained.wait_while(
        std::move(lock), [this](std::monostate&) { return state_->unfinished.load() != 0; }));
  }
  // Nothing is queued or running, and only a running job could queue: dropping
  // the only Sender disconnects the channel, and each worker's recv() fails.
  {
    auto sender = recover(sender_.write());
    sender->reset();
  }
  for (auto& worker : *workers) static_cast<void>(worker.join());
  workers->clear();
}

}  // namespace ferrite::detail
