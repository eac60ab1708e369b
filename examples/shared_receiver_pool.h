// examples/shared_receiver_pool.h — the Rust book's thread pool (chapter 20),
// transcribed: workers that share one Receiver behind a Mutex.
//
// One mpsc channel of boxed jobs (Rust's `Box<dyn FnOnce() + Send>`, here a
// ferrite::SendFn: a std::function would hide whether the job is Send, so a
// channel refuses it) whose single Receiver the workers share as
// `Arc<Mutex<mpsc::Receiver<Job>>>`. A worker takes the lock, blocks in
// recv() *while holding it* (the named guard lives until recv() returns,
// as the temporary of `receiver.lock().unwrap().recv()` does in Rust), then
// releases it and runs the job. So idle workers queue on the mutex, and
// every job hand-off goes through it: the cost ferrite::ThreadPool avoids
// by giving each worker its own Receiver of a multi-consumer channel.
//
// As in the book: a panicking job kills its worker (the exception ends
// the worker thread), and the destructor drops the Sender, then joins every
// worker after each has drained the queue.
//
// Send/Sync: SharedReceiverPool is Send and Sync (default rule); execute() is const
// and thread-safe (mpsc::Sender::send is).
//
//   ferrite::examples::SharedReceiverPool pool(4);
//   pool.execute([] { /* ... */ });
//   // ~SharedReceiverPool runs every queued job and joins the workers
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <optional>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/mpsc.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/send_fn.h"
#include "ferrite/thread.h"

namespace ferrite::examples {

class SharedReceiverPool {
 public:
  using Job = SendFn<void()>;

  explicit SharedReceiverPool(std::size_t size) {
    FERRITE_ASSERT(size > 0, "SharedReceiverPool: size must be at least 1");
    auto [sender, receiver] = mpsc::channel<Job>();
    sender_.emplace(std::move(sender));
    auto shared = make_arc<Mutex<mpsc::Receiver<Job>>>(std::move(receiver));
    workers_.reserve(size);
    for (std::size_t id = 0; id < size; ++id) {
      workers_.push_back(thread::spawn([receiver = shared] {
        while (true) {
          std::expected<Job, mpsc::RecvError> message = [&receiver] {
            auto guard = receiver->lock();  // held through recv(), as in the book
            FERRITE_ASSERT(guard.has_value(),
                           "SharedReceiverPool: the receiver's mutex is poisoned");
            // The lock exists to let one worker at a time wait in recv(): not
            // the deadlock checked builds report for blocking under a lock.
            const BlockingUnderLockAllowed serialized_wait;
            return (*guard)->recv();
          }();
          if (!message) break;  // the pool is being dropped
          (*message)();
        }
      }));
    }
  }
  SharedReceiverPool(const SharedReceiverPool&) = delete;
  SharedReceiverPool& operator=(const SharedReceiverPool&) = delete;

  ~SharedReceiverPool() {
    sender_.reset();
    for (auto& worker : workers_) static_cast<void>(worker.join());
  }

  template <class F>
  requires(std::invocable<std::decay_t<F>&>&& Send<std::decay_t<F>>&&
               detail::Owned<std::decay_t<F>>) void execute(F&& f) const {
    static_cast<void>(sender_->send(Job(std::forward<F>(f))));
  }

 private:
  std::optional<mpsc::Sender<Job>> sender_;
  std::vector<thread::JoinHandle<void>> workers_;
};

}  // namespace ferrite::examples
