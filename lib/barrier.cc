// lib/barrier.cc — ferrite::Barrier::wait (barrier.h), as Rust's Barrier.
#include "ferrite/barrier.h"

#include <cstddef>

#include "ferrite/detail/lock_order.h"
#include "ferrite/panic.h"

namespace ferrite {

BarrierWaitResult Barrier::wait() const {
  // Reported here, with the barrier's name: the wait below is on the
  // barrier's own mutex, which the caller cannot hold.
  detail::lock_order_before_blocking("ferrite::Barrier::wait");
  const BlockingUnderLockAllowed reported_above;
  // Nothing panics while the barrier's mutex is held (the predicate compares
  // integers), so it is never poisoned; a poisoned result would be a bug here.
  auto guard = state_.lock();
  FERRITE_ASSERT(guard.has_value(), "ferrite::Barrier: internal mutex poisoned");
  const std::size_t generation = (*guard)->generation;
  ++(*guard)->count;
  if ((*guard)->count < num_threads_) {
    // Wait for the leader to close this generation; the generation number
    // (not the count) tells a real release from a spurious wake-up.
    auto same_generation = [generation](detail::BarrierState& s) {
      return s.generation == generation;
    };
    auto released = all_arrived_.wait_while(std::move(*guard), same_generation);
    FERRITE_ASSERT(released.has_value(), "ferrite::Barrier: internal mutex poisoned");
    return BarrierWaitResult(false);
  }
  (*guard)->count = 0;
  ++(*guard)->generation;
  all_arrived_.notify_all();
  return BarrierWaitResult(true);
}

}  // namespace ferrite
