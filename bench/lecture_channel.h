// bench/lecture_channel.h — the channel of a concurrency lecture: a
// std::deque behind one std::mutex, and std::condition_variables for "not
// empty" and "not full" (capacity 0 = unbounded). bench/channel_bench.cc
// measures it as `lecture`: the design a library channel has to beat.
//
// Unlike bench/mutex_deque_channel.h (the same design on ferrite::Mutex and
// ferrite::Condvar, whose notify always asks the kernel), the standard
// library's condition variable skips the system call when nobody waits, so
// an uncontended send or receive is a lock, a deque operation and an unlock.
//
//   lecture::Channel<int> chan(1);   // bounded(1)
//   chan.send(5);
//   // chan.recv() == 5
//
// No disconnection: the benchmark sends and receives exactly as many messages.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <utility>

namespace lecture {

template <class T>
class Channel {
 public:
  explicit Channel(std::size_t capacity) : capacity_(capacity) {}

  void send(T value) {
    std::unique_lock lock(mutex_);
    if (capacity_ != 0) not_full_.wait(lock, [&] { return queue_.size() < capacity_; });
    queue_.push_back(std::move(value));
    lock.unlock();
    not_empty_.notify_one();
  }

  T recv() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return !queue_.empty(); });
    T value = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    if (capacity_ != 0) not_full_.notify_one();
    return value;
  }

 private:
  const std::size_t capacity_;
  std::mutex mutex_;
  std::condition_variable not_empty_;
  std::condition_variable not_full_;
  std::deque<T> queue_;
};

}  // namespace lecture
