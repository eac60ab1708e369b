// ferrite/thread_pool.h — a fixed set of worker threads running queued jobs.
//
// The Rust book's pool (chapter 20) shares one
// `Arc<Mutex<mpsc::Receiver<Job>>>` among its workers; this one is done the
// crossbeam way: one multi-consumer ferrite::channel carries the jobs,
// and every worker holds its own copy of the Receiver, so idle workers wait
// on the channel, not on a mutex around it.
//
//   ThreadPool(n)      starts n workers (default: available_parallelism()).
//   execute(f)         queues f(); its result, if any, is discarded.
//   submit(f)          queues f(); returns a TaskHandle<R> whose join() waits
//                      and returns std::expected<R, PanicPayload>.
//   panic_count()      how many jobs (execute or submit) have panicked.
//   thread_count()     n.
//   shutdown()         stops taking jobs from outside the pool, waits until
//                      every job has finished (jobs may still queue follow-up
//                      jobs while it waits), and joins every worker. The
//                      destructor does the same.
//
// Contract:
// * Jobs run in no particular order, each exactly once, on some worker.
// * A panicking job (any exception escaping it) never kills its worker: it
//   is counted in panic_count(); submit()'s handle also returns it from
//   join(). execute()'s exception object is destroyed after counting.
// * Shutdown drains. Once shutdown() (or the destructor) begins:
//   - execute()/submit() from outside the pool panic ("ThreadPool: the pool
//     is shut down ..."), and so do they from anywhere once shutdown() has
//     returned;
//   - a job of this pool, running on one of its workers, may still queue
//     follow-up jobs (recursive fan-out finishes: a parent that is halfway
//     through queueing its children when shutdown begins queues the rest);
//   - shutdown() returns when the queue is empty and no job is running, so
//     every job queued before it returns, by anyone, has run.
//   Why: a pool is mostly fed by fan-out work, where a job splits into jobs.
//   Closing at once would make a recursive job's result depend on when
//   another thread called shutdown(). rayon finishes spawned work the same
//   way (a spawn inside a job keeps the registry alive until it has run), and
//   the threadpool crate's join() waits for jobs queued by jobs. Java's
//   ThreadPoolExecutor.shutdown() instead rejects every later submit, from
//   inside a task too; its ForkJoinPool, made for recursive work, does not.
//   A job that queues itself forever therefore keeps shutdown() waiting.
// * Invalid: n == 0 (panics); calling shutdown() or destroying the pool from
//   one of its own jobs (it would join the calling worker: std::system_error
//   from std::thread::join, which is Rust's deadlock panic); a job that waits
//   for something only a later job can provide when every worker is waiting
//   the same way (the pool has n threads, not more).
// * execute/submit/panic_count/thread_count are const and thread-safe (Rust's
//   &self): share the pool as `const ThreadPool&` or `Arc<ThreadPool>`.
//   shutdown() may be called from any thread but not concurrently with the
//   destructor. Not copyable or movable.
//
// Send checks. The callable moves to a worker and its result back, so both
// must be Send (ferrite/marker.h), and own their data, exactly as for
// thread::spawn: a failing call is one error whose first line names the
// offending type, why and the way out (ferrite/detail/boundary.h); and
// `requires { pool.execute(f); }` is false. The same limit applies: a lambda
// is a class type, Send unless it opts out, so what it *captures* is not
// checked (see ferrite/thread.h).
//
// Send/Sync: ThreadPool is Send and Sync (default rule; all shared state is
// behind the channel, a RwLock and an atomic). TaskHandle<R> is a move-only
// class type (Send and Sync by the default rule; R was checked at submit).
//
// Example (also tests/thread_pool_test.cc, ThreadPoolTest.HeaderExample):
//
//   ferrite::ThreadPool pool(4);
//   std::atomic<int> done{0};
//   for (int i = 0; i < 8; ++i) pool.execute([&done] { done += 1; });
//   auto square = pool.submit([] { return 7 * 7; });
//   auto boom = pool.submit([]() -> int { ferrite::panic("no"); });
//   // *square.join() == 49; boom.join().error().message() == "no"
//   pool.shutdown();                   // done == 8, pool.panic_count() == 1
#pragma once

#include <cxxabi.h>

#include <atomic>
#include <cstddef>
#include <exception>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rwlock.h"
#include "ferrite/send_fn.h"
#include "ferrite/thread.h"

namespace ferrite {

template <class R>
class TaskHandle;

}  // namespace ferrite

namespace ferrite::detail {

// A queued job. It returns true when it panicked but handled the panic itself
// (submit's jobs hand the panic to their TaskHandle); a job that throws is
// counted by the worker. Every job wraps a callable checked Send by
// execute/submit.
using PoolJob = SendFn<bool()>;

// What a submitted job sends back: the result itself when the channel can
// carry it (a noexcept move), otherwise boxed.
template <class R>
using TaskPacket = std::conditional_t<ChannelMessage<JoinResult<R>>, JoinResult<R>,
                                      std::unique_ptr<JoinResult<R>>>;

// The outcome a packet carries, moved out for join() (detail::take_outcome:
// a move that throws there becomes the join's panic).
template <class R>
JoinResult<R> unpack_task(TaskPacket<R>&& packet) {
  if constexpr (ChannelMessage<JoinResult<R>>) {
    return std::move(packet);  // a noexcept move
  } else {
    return take_outcome<R>(*packet);
  }
}

// Boxes an outcome for the result channel when it cannot travel as it is.
// The box is filled by moving the value, which may throw: then the packet
// carries that exception as the job's panic instead, so the outcome is never
// lost (only a failure to allocate the second box escapes, to the worker).
template <class R>
TaskPacket<R> pack_task(JoinResult<R>&& result) {
  if constexpr (ChannelMessage<JoinResult<R>>) {
    return std::move(result);
  } else {
    try {
      return std::make_unique<JoinResult<R>>(std::move(result));
    } catch (abi::__forced_unwind&) {
      throw;
    } catch (...) {
      return std::make_unique<JoinResult<R>>(std::unexpect, std::current_exception());
    }
  }
}

// Whether a packet carries a panic.
template <class R>
bool task_panicked(const TaskPacket<R>& packet) {
  if constexpr (ChannelMessage<JoinResult<R>>) {
    return !packet.has_value();
  } else {
    return !packet->has_value();
  }
}

// Runs `f` and returns its value, or the exception that escaped it.
template <class R, class F>
JoinResult<R> run_catching(F& f) {
  try {
    if constexpr (std::is_void_v<R>) {
      std::invoke(std::move(f));
      return JoinResult<R>();
    } else {
      return JoinResult<R>(std::in_place, std::invoke(std::move(f)));
    }
  } catch (abi::__forced_unwind&) {
    throw;  // thread cancellation is not a panic
  } catch (...) {
    return JoinResult<R>(std::unexpect, std::current_exception());
  }
}

// What the workers share with the pool (lib/thread_pool.cc): the panic count
// and the count of unfinished jobs that shutdown() waits on. Shared, so that
// workers never point into the pool.
struct PoolState;

// The part of ThreadPool that does not depend on the job (lib/thread_pool.cc).
class PoolCore {
 public:
  explicit PoolCore(std::size_t threads);
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;
  ~PoolCore();

  // Queues `job`; panics (naming `what`, e.g. "ThreadPool::execute") when the
  // pool is shut down, or shutting down and the caller is not one of its jobs.
  void enqueue(PoolJob job, const char* what) const;
  void shutdown();
  std::size_t panic_count() const noexcept;
  std::size_t thread_count() const noexcept { return threads_; }

 private:
  std::size_t threads_;
  std::shared_ptr<const PoolState> state_;
  // nullopt once shut down. Readers (enqueue) send under the read lock, so
  // shutdown's write lock waits for every send in progress.
  RwLock<std::optional<channel::Sender<PoolJob>>> sender_;
  // Emptied by the first shutdown(), which joins them while holding the lock,
  // so a concurrent shutdown() returns only after every worker is joined.
  Mutex<std::vector<thread::JoinHandle<void>>> workers_;
};

}  // namespace ferrite::detail

namespace ferrite {

/// TaskHandle<R> — the result of one ThreadPool::submit job.
///
/// Contract: join() waits until the job has run and returns its value, or its
/// panic as a PanicPayload; it may be called once (again, or on a moved-from
/// handle, it panics). Dropping the handle does not cancel the job: it still
/// runs and its result is destroyed. is_finished() polls. Move-only.
template <class R>
class TaskHandle {
 public:
  /// Takes over `other`'s job; `other` is left empty (joining it panics).
  TaskHandle(TaskHandle&& other) noexcept : result_(std::exchange(other.result_, std::nullopt)) {}
  /// Takes over `other`'s job; the job this handle had still runs, its result
  /// is destroyed.
  TaskHandle& operator=(TaskHandle&& other) noexcept {
    if (this != &other) result_ = std::exchange(other.result_, std::nullopt);
    return *this;
  }
  TaskHandle(const TaskHandle&) = delete;
  TaskHandle& operator=(const TaskHandle&) = delete;
  ~TaskHandle() = default;

  /// Waits until the job has run; its value, or its panic as a PanicPayload.
  /// A second call, or one on a moved-from handle, panics.
  detail::JoinResult<R> join() {
    if (!result_.has_value()) {
      panic(
          "TaskHandle::join: already joined (join may be called once; a moved-from handle "
          "has no job)");
    }
    // Reported before the handle gives up its job: a join refused by the
    // report (kPanic) leaves the handle joinable.
    detail::lock_order_before_blocking("ferrite::TaskHandle::join");
    channel::Receiver<detail::TaskPacket<R>> result = std::move(*result_);
    result_.reset();
    const BlockingUnderLockAllowed reported_above;  // the recv() below is this join
    // Every queued job runs, and its sender lives in the job: recv() fails
    // only if the job was destroyed without running, which the pool never does.
    auto packet = result.recv();
    FERRITE_ASSERT(packet.has_value(), "TaskHandle::join: the job was dropped without running");
    return detail::unpack_task<R>(std::move(*packet));
  }
  /// True once the job has finished (join() will not block). False after join().
  bool is_finished() const { return result_.has_value() && !result_->is_empty(); }

 private:
  friend class ThreadPool;
  explicit TaskHandle(channel::Receiver<detail::TaskPacket<R>> result)
      : result_(std::move(result)) {}

  std::optional<channel::Receiver<detail::TaskPacket<R>>> result_;
};

/// ThreadPool — see the file comment for the contract.
class ThreadPool {
 public:
  /// Starts `threads` workers; panics if threads == 0. If a thread cannot be
  /// started, the ones already started are joined and std::system_error
  /// propagates.
  explicit ThreadPool(std::size_t threads = thread::available_parallelism()) : core_(threads) {}
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;
  // Runs every queued job, then joins every worker (shutdown()). Destroying
  // the pool from one of its own jobs terminates the process (invalid).
  ~ThreadPool() = default;

  /// Queues f() (f is decay-copied); the result is discarded.
  template <class F>
  requires(detail::SendSpawnable<F>&& detail::OwnedSpawnable<F>) void execute(F&& f) const {
    core_.enqueue(
        [fn = std::decay_t<F>(std::forward<F>(f))]() mutable {
          std::invoke(std::move(fn));
          return false;
        },
        "ThreadPool::execute");
  }

  /// Queues f() (f is decay-copied); join() the handle for its result.
  template <class F>
  requires(detail::SendSpawnable<F>&& detail::OwnedSpawnable<F>) TaskHandle<
      detail::SpawnResult<F>> submit(F&& f) const {
    using R = detail::SpawnResult<F>;
    auto [tx, rx] = channel::bounded<detail::TaskPacket<R>>(1);
    core_.enqueue(
        [fn = std::decay_t<F>(std::forward<F>(f)), tx = std::move(tx)]() mutable {
          detail::TaskPacket<R> packet = detail::pack_task<R>(detail::run_catching<R>(fn));
          const bool panicked = detail::task_panicked<R>(packet);
          // Fails only when the handle is gone: then nobody wants the result.
          static_cast<void>(tx.send(std::move(packet)));
          return panicked;
        },
        "ThreadPool::submit");
    return TaskHandle<R>(std::move(rx));
  }

  /// A call that breaks the rules above: see thread::spawn's (the callable
  /// and its result cross, and own their data). Static for the reason
  /// Scope::spawn's is.
  template <class F>
    requires(detail::Spawnable<F> && !(detail::SendSpawnable<F> && detail::OwnedSpawnable<F>))
  static detail::UnscopedSpawnRejection<detail::SpawnResult<F>, std::decay_t<F>> execute(F&& f);
  /// The rejection overload of submit(), as execute()'s above.
  template <class F>
    requires(detail::Spawnable<F> && !(detail::SendSpawnable<F> && detail::OwnedSpawnable<F>))
  static detail::UnscopedSpawnRejection<detail::SpawnResult<F>, std::decay_t<F>> submit(F&& f);

  /// How many jobs have panicked so far (execute and submit alike).
  std::size_t panic_count() const noexcept { return core_.panic_count(); }
  /// The number of workers.
  std::size_t thread_count() const noexcept { return core_.thread_count(); }
  /// Stops accepting jobs from outside the pool, waits until the queue is
  /// empty and no job is running (running jobs may still queue follow-ups),
  /// then joins every worker. Idempotent; a second caller returns once the
  /// workers are joined. Called from one of the pool's own jobs, it panics (it
  /// would join itself).
  void shutdown() { core_.shutdown(); }

 private:
  detail::PoolCore core_;
};

}  // namespace ferrite
