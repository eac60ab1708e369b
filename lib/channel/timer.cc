// lib/channel/timer.cc — the after() and tick() flavors (see
// ferrite/channel/timer.h; crossbeam-channel's flavors/{at,tick}.rs).
#include "ferrite/channel/timer.h"

#include <algorithm>
#include <chrono>

namespace ferrite::detail {

namespace {

Instant now() noexcept { return std::chrono::steady_clock::now(); }

}  // namespace

Instant saturating_add(Instant when, std::chrono::nanoseconds step) noexcept {
  if (when == kNoDeadline || step > kNoDeadline - when) return kNoDeadline;
  return when + step;
}

std::expected<Instant, TryRecvError> AtChannel::try_recv() noexcept {
  // All seq_cst: whoever flips `received_` first gets the one message.
  if (received_.load()) return std::unexpected(TryRecvError::Empty);
  if (now() < delivery_time_) return std::unexpected(TryRecvError::Empty);
  if (!received_.exchange(true)) return delivery_time_;
  return std::unexpected(TryRecvError::Empty);
}

std::expected<Instant, RecvTimeoutError> AtChannel::recv(Deadline deadline) noexcept {
  if (received_.load()) {
    // Delivered already: nothing will ever come.
    sleep_until(deadline);
    return std::unexpected(RecvTimeoutError::Timeout);
  }
  for (;;) {
    const Instant current = now();
    if (current >= delivery_time_) break;
    if (deadline != kNoDeadline && current >= deadline) {
      return std::unexpected(RecvTimeoutError::Timeout);
    }
    sleep_until(std::min(delivery_time_, deadline));
  }
  if (!received_.exchange(true)) return delivery_time_;
  sleep_until(deadline);  // another receiver took it
  return std::unexpected(RecvTimeoutError::Timeout);
}

bool AtChannel::start_recv(Token& token) noexcept {
  const auto result = try_recv();
  if (!result) return false;
  token.timer.delivery = *result;
  return true;
}

Deadline AtChannel::deadline_hint() const noexcept {
  return received_.load() ? kNoDeadline : delivery_time_;
}

bool AtChannel::is_empty() const noexcept { return received_.load() || now() < delivery_time_; }

Instant TickChannel::delivery() const noexcept {
  return Instant(std::chrono::nanoseconds(delivery_ns_.load()));
}

bool TickChannel::advance(Instant seen, Instant next) noexcept {
  std::int64_t expected = seen.time_since_epoch().count();
  return delivery_ns_.compare_exchange_strong(expected, next.time_since_epoch().count());
}

std::expected<Instant, TryRecvError> TickChannel::try_recv() noexcept {
  for (;;) {
    const Instant current = now();
    const Instant due = delivery();
    if (current < due) return std::unexpected(TryRecvError::Empty);
    if (advance(due, saturating_add(current, period_))) return due;
  }
}

std::expected<Instant, RecvTimeoutError> TickChannel::recv(Deadline deadline) noexcept {
  for (;;) {
    const Instant due = delivery();
    const Instant current = now();
    if (deadline != kNoDeadline && deadline < due) {
      if (current < deadline) sleep_until(deadline);
      return std::unexpected(RecvTimeoutError::Timeout);
    }
    if (advance(due, saturating_add(std::max(due, current), period_))) {
      if (current < due) sleep_until(due);
      return due;
    }
  }
}

bool TickChannel::start_recv(Token& token) noexcept {
  const auto result = try_recv();
  if (!result) return false;
  token.timer.delivery = *result;
  return true;
}

}  // namespace ferrite::detail
