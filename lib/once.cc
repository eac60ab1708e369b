// lib/once.cc — the slow path of ferrite::Once (once.h).
//
// Rust's futex Once (library/std/src/sys/sync/once/futex.rs). The state word
// moves kIncomplete/kPoisoned -> kRunning (one thread won the race) ->
// kQueued (others sleep on the word) -> kComplete or kPoisoned; the thread
// that leaves kRunning/kQueued wakes every sleeper if there are any.
#include <atomic>
#include <cstdint>

#include "ferrite/detail/futex.h"
#include "ferrite/once.h"
#include "ferrite/panic.h"

namespace ferrite {

namespace {

// Publishes the outcome of the running call when it ends, by return or by
// panic (then the Once is poisoned), and wakes the threads that queued.
class CompletionGuard {
 public:
  CompletionGuard(std::atomic<std::uint32_t>& state, std::uint32_t on_exit) noexcept
      : state_(state), on_exit_(on_exit) {}
  CompletionGuard(const CompletionGuard&) = delete;
  CompletionGuard& operator=(const CompletionGuard&) = delete;
  ~CompletionGuard() {
    // ORDERING(once-complete): release pairs with the acquire loads in
    // is_completed() and Once::call(): the call's writes happen before any
    // thread sees kComplete (or retries after kPoisoned).
    if (state_.exchange(on_exit_, std::memory_order_release) == 3) {
      detail::futex_wake_all(state_);
    }
  }
  void set_on_exit(std::uint32_t value) noexcept { on_exit_ = value; }

 private:
  std::atomic<std::uint32_t>& state_;
  std::uint32_t on_exit_;
};

}  // namespace

void Once::call(bool ignore_poisoning, ErasedCall f) const {
  static_assert(kQueued == 3, "CompletionGuard wakes sleepers on 3 (kQueued)");
  // ORDERING(once-call-load): acquire pairs with once-complete, so that a
  // kComplete seen here makes the completed call's writes visible.
  std::uint32_t state = state_.load(std::memory_order_acquire);
  for (;;) {
    switch (state) {
      case kPoisoned:
        if (!ignore_poisoning) {
          panic(
              "ferrite::Once: call_once on a poisoned Once (an earlier call panicked); use "
              "call_once_force to run it anyway");
        }
        [[fallthrough]];
      case kIncomplete: {
        // ORDERING(once-claim): acquire on success pairs with once-complete
        // (a poisoned attempt's partial writes are visible to the retry);
        // acquire on failure because the state read may be kComplete.
        if (!state_.compare_exchange_weak(state, kRunning, std::memory_order_acquire,
                                          std::memory_order_acquire)) {
          continue;
        }
        CompletionGuard guard(state_, kPoisoned);
        const OnceState once_state(state == kPoisoned);
        f.invoke(f.callable, once_state);
        guard.set_on_exit(kComplete);
        return;
      }
      case kRunning:
      case kQueued:
        // ORDERING(once-queue): acquire on failure, as the state read may be
        // kComplete. The bit only asks for a wake-up and needs no order on
        // success; acquire there too, since GCC 12 rejects a failure order
        // stronger than the success order (which C++17 allows).
        if (state == kRunning &&
            !state_.compare_exchange_weak(state, kQueued, std::memory_order_acquire,
                                          std::memory_order_acquire)) {
          continue;
        }
        detail::futex_wait(state_, kQueued);
        // ORDERING(once-recheck): acquire pairs with once-complete.
        state = state_.load(std::memory_order_acquire);
        break;
      case kComplete:
        return;
      default:
        panic("ferrite::Once: corrupted state");
    }
  }
}

void Once::reset() noexcept {
  // ORDERING(once-reset): relaxed; the caller has exclusive access (no other
  // thread may use the Once), which its own synchronization established.
  state_.store(kIncomplete, std::memory_order_relaxed);
}

}  // namespace ferrite
