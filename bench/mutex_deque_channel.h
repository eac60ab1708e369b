// bench/mutex_deque_channel.h — the textbook channel, the baseline of
// bench/channel_bench.cc: a Mutex<std::deque<T>> with Condvars, plus a
// capacity (0 = unbounded) and disconnection by counting the handles.
//
//   auto [tx, rx] = mutex_deque::channel<int>(1);   // bounded(1)
//   tx.send(5);
//   // *rx.recv() == 5
//
// Senders and receivers are copyable; the last sender's destruction wakes
// receivers, which drain and then get nullopt. Not a rendezvous channel:
// capacity 0 means unbounded.
#pragma once

#include <cstddef>
#include <deque>
#include <memory>
#include <optional>
#include <utility>

#include "ferrite/condvar.h"
#include "ferrite/mutex.h"

namespace mutex_deque {

template <class T>
struct State {
  std::deque<T> queue;
  std::size_t senders = 1;
  std::size_t receivers = 1;
};

template <class T>
struct Shared {
  explicit Shared(std::size_t cap) : capacity(cap) {}
  const std::size_t capacity;  // 0: unbounded
  ferrite::Mutex<State<T>> state;
  ferrite::Condvar not_empty;
  ferrite::Condvar not_full;
};

// What Sender and Receiver share: a handle of the channel, counted in the
// State member `kCount`. The last handle of its kind wakes the waiters on
// `kOtherSide` to see the disconnection.
template <class T, std::size_t State<T>::*kCount, ferrite::Condvar Shared<T>::*kOtherSide>
class Handle {
 public:
  explicit Handle(std::shared_ptr<Shared<T>> shared) : shared_(std::move(shared)) {}
  Handle(const Handle& other) : shared_(other.shared_) {
    shared_->state.with_lock([](State<T>& s) { ++(s.*kCount); });
  }
  Handle& operator=(const Handle&) = delete;
  ~Handle() {
    const bool last = shared_->state.with_lock([](State<T>& s) { return --(s.*kCount) == 0; });
    if (last) ((*shared_).*kOtherSide).notify_all();
  }

 protected:
  std::shared_ptr<Shared<T>> shared_;
};

template <class T>
class Sender : public Handle<T, &State<T>::senders, &Shared<T>::not_empty> {
 public:
  using Sender::Handle::Handle;

  // False if every receiver is gone.
  bool send(T value) const {
    Shared<T>& shared = *this->shared_;
    auto guard = *shared.state.lock();
    if (shared.capacity != 0) {
      guard = *shared.not_full.wait_while(std::move(guard), [&](State<T>& s) {
        return s.receivers > 0 && s.queue.size() >= shared.capacity;
      });
    }
    if (guard->receivers == 0) return false;
    guard->queue.push_back(std::move(value));
    shared.not_empty.notify_one();
    return true;
  }
};

template <class T>
class Receiver : public Handle<T, &State<T>::receivers, &Shared<T>::not_full> {
 public:
  using Receiver::Handle::Handle;

  // nullopt once the queue is empty and every sender is gone.
  std::optional<T> recv() const {
    Shared<T>& shared = *this->shared_;
    auto guard = *shared.not_empty.wait_while(
        *shared.state.lock(), [](State<T>& s) { return s.queue.empty() && s.senders > 0; });
    if (guard->queue.empty()) return std::nullopt;
    std::optional<T> value(std::move(guard->queue.front()));
    guard->queue.pop_front();
    if (shared.capacity != 0) shared.not_full.notify_one();
    return value;
  }
};

template <class T>
std::pair<Sender<T>, Receiver<T>> channel(std::size_t capacity) {
  auto shared = std::make_shared<Shared<T>>(capacity);
  return {Sender<T>(shared), Receiver<T>(shared)};
}

}  // namespace mutex_deque
