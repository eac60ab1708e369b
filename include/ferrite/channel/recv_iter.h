// ferrite/channel/recv_iter.h — internal: the iterators of a receiver
// (channel::Receiver<T>::iter() / try_iter(), and mpsc::Receiver<T>'s).
//
// Not part of the public API (everything is in ferrite::detail).
#pragma once

#include <cstddef>
#include <iterator>
#include <optional>
#include <utility>

namespace ferrite::detail {

// An input iterator that receives until the channel is disconnected
// (kBlocking) or until it is empty (!kBlocking). It holds the message last
// received; `*it` is that message (move it out if you like).
template <class Rx, class T, bool kBlocking>
class RecvIterator {
 public:
  using value_type = T;
  using difference_type = std::ptrdiff_t;
  using reference = T&;
  using iterator_concept = std::input_iterator_tag;

  RecvIterator() = default;
  explicit RecvIterator(const Rx* rx) : rx_(rx) { advance(); }

  T& operator*() const { return *current_; }
  T* operator->() const { return &*current_; }
  RecvIterator& operator++() {
    advance();
    return *this;
  }
  void operator++(int) { advance(); }
  friend bool operator==(const RecvIterator& it, std::default_sentinel_t) noexcept {
    return !it.current_.has_value();
  }

 private:
  void advance() {
    current_.reset();
    if constexpr (kBlocking) {
      if (auto result = rx_->recv()) current_.emplace(std::move(*result));
    } else {
      if (auto result = rx_->try_recv()) current_.emplace(std::move(*result));
    }
  }

  const Rx* rx_ = nullptr;
  mutable std::optional<T> current_;
};

// A range over a receiver: `for (T& msg : rx.iter())`.
template <class Rx, class T, bool kBlocking>
class RecvRange {
 public:
  explicit RecvRange(const Rx* rx) noexcept : rx_(rx) {}
  RecvIterator<Rx, T, kBlocking> begin() const { return RecvIterator<Rx, T, kBlocking>(rx_); }
  std::default_sentinel_t end() const noexcept { return {}; }

 private:
  const Rx* rx_;
};

}  // namespace ferrite::detail
