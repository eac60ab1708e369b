// ferrite/detail/deadline.h — internal: the absolute deadlines of every timed
// wait in ferrite, and channel::Instant.
//
// Not part of the public API (everything but channel::Instant is in
// ferrite::detail). Deadlines are `std::chrono::steady_clock` time points
// (CLOCK_MONOTONIC), so a timed wait is not stretched or cut short by changes
// of the wall clock. A `*_timeout(d)` operation turns its duration into a
// deadline once, with deadline_after(), and retries against that deadline.
#pragma once

#include <chrono>

namespace ferrite::detail {

// An absolute deadline; `kNoDeadline` waits without limit.
using Deadline = std::chrono::steady_clock::time_point;
inline constexpr Deadline kNoDeadline = Deadline::max();

// The deadline `timeout` from now, for any std::chrono duration (integral or
// floating). Zero, negative and NaN timeouts give "now" (already expired);
// timeouts longer than about 95 years give kNoDeadline (no overflow).
template <class Rep, class Period>
Deadline deadline_after(std::chrono::duration<Rep, Period> timeout) noexcept {
  if (timeout > std::chrono::duration<double>(3.0e9)) return kNoDeadline;
  const Deadline now = std::chrono::steady_clock::now();
  if (!(timeout > std::chrono::duration<Rep, Period>::zero())) return now;
  return now + std::chrono::ceil<std::chrono::nanoseconds>(timeout);
}

}  // namespace ferrite::detail

namespace ferrite::channel {

// A point in time: what after() and tick() deliver, and what the
// `*_deadline` operations of channels and Select take. The same type as a
// Deadline (std::chrono::steady_clock::time_point).
using Instant = detail::Deadline;

}  // namespace ferrite::channel
