// lib/channel/context.cc — waiting contexts of blocked channel operations
// (see ferrite/channel/context.h; crossbeam-channel's context.rs).
//
// Parking is Rust's futex thread parker: the word is Empty, Notified or
// Parked; unpark() swaps in Notified and wakes only when it swapped out
// Parked, so a wake-up between "nothing selected yet" and sleeping is never
// lost, and an unpark with nobody parked costs one atomic exchange.
#include "ferrite/channel/context.h"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <thread>
#include <utility>

#include "ferrite/detail/futex.h"

namespace ferrite::detail {

struct ContextState {
  std::atomic<std::uintptr_t> select{0};
  std::atomic<void*> packet{nullptr};
  std::atomic<std::uint32_t> park{kEmpty};
  std::uintptr_t thread_id = current_thread_id();

  static constexpr std::uint32_t kEmpty = 0;
  static constexpr std::uint32_t kNotified = 1;
  static constexpr std::uint32_t kParked = 0xFFFFFFFFu;
};

namespace {

std::shared_ptr<ContextState> new_state() { return std::make_shared<ContextState>(); }

// One cached context per thread (crossbeam's thread-local CONTEXT cell).
thread_local std::shared_ptr<ContextState> cached_state;

// Parks the calling thread (the owner of `state`) until unpark() or
// `deadline`; may return spuriously. Callers re-check `select`.
void park_until(ContextState& state, Deadline deadline) noexcept {
  // ORDERING(channel-park-consume): acquire pairs with the release exchange
  // in unpark(): a consumed Notified token makes the selection that preceded
  // unpark() visible (callers re-read `select` with acquire anyway).
  if (state.park.fetch_sub(1, std::memory_order_acquire) == ContextState::kNotified) return;
  // Now Parked. futex_wait returns at once if unpark() already swapped in Notified.
  futex_wait(state.park, ContextState::kParked, deadline);
  // Back to Empty, whether woken, timed out or spurious: a Notified token
  // that arrives later is consumed by the next park and costs one spurious
  // wake-up, which wait_until tolerates.
  // ORDERING(channel-park-reset): acquire pairs with the release exchange in
  // unpark(), as above.
  state.park.exchange(ContextState::kEmpty, std::memory_order_acquire);
}

}  // namespace

Operation operation_hook(const void* address) noexcept {
  // SAFETY(channel-operation-hook): only the integer value of the address is
  // kept, as an id compared for equality; it is never turned back into a
  // pointer.
  return reinterpret_cast<Operation>(address);
}

std::uintptr_t current_thread_id() noexcept {
  thread_local const char marker = 0;
  return operation_hook(&marker);
}

bool Context::try_select(Selected outcome, Selected* actual) const noexcept {
  std::uintptr_t expected = Selected::waiting().raw();
  // ORDERING(channel-context-select): acq_rel; the release half publishes to
  // the waiting thread what the selector wrote before (e.g. a stored packet
  // is published separately, see store_packet); the acquire half (also on
  // failure) pairs with the winning selector's release so the loser sees its
  // writes. Paired with the acquire loads in selected() / wait_until().
  if (state_->select.compare_exchange_strong(expected, outcome.raw(), std::memory_order_acq_rel,
                                             std::memory_order_acquire)) {
    return true;
  }
  if (actual != nullptr) *actual = Selected::from_raw(expected);
  return false;
}

Selected Context::selected() const noexcept {
  // ORDERING(channel-context-selected): acquire pairs with the acq_rel
  // compare-exchange in try_select() that made the selection.
  return Selected::from_raw(state_->select.load(std::memory_order_acquire));
}

void Context::store_packet(void* packet) const noexcept {
  if (packet == nullptr) return;
  // ORDERING(channel-context-packet-store): release pairs with the acquire
  // load in wait_packet(): the selected thread sees the packet's contents.
  state_->packet.store(packet, std::memory_order_release);
}

void* Context::wait_packet() const noexcept {
  Backoff backoff;
  for (;;) {
    // ORDERING(channel-context-packet-load): acquire pairs with the release
    // store in store_packet().
    void* packet = state_->packet.load(std::memory_order_acquire);
    if (packet != nullptr) return packet;
    backoff.snooze();
  }
}

Selected Context::wait_until(Deadline deadline, PollWait poll) const noexcept {
  // Poll for a short time first: on a busy channel the partner is often
  // about to select us, and parking costs two system calls.
  do {
    const Selected sel = selected();
    if (!sel.is_waiting()) return sel;
  } while (poll.wait());
  for (;;) {
    const Selected sel = selected();
    if (!sel.is_waiting()) return sel;
    if (deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline) {
      // The deadline passed: abort, unless a selector won in the meantime.
      Selected actual = Selected::aborted();
      return try_select(Selected::aborted(), &actual) ? Selected::aborted() : actual;
    }
    park_until(*state_, deadline);
  }
}

void Context::park() const noexcept { park_until(*state_, kNoDeadline); }

void Context::unpark() const noexcept {
  // ORDERING(channel-unpark): release pairs with the acquire fetch_sub /
  // exchange in park_until(), ordering the selection before the wake-up.
  if (state_->park.exchange(ContextState::kNotified, std::memory_order_release) ==
      ContextState::kParked) {
    futex_wake_one(state_->park);
  }
}

std::uintptr_t Context::thread_id() const noexcept { return state_->thread_id; }

ContextLease::ContextLease()
    : context_(cached_state != nullptr ? std::exchange(cached_state, nullptr) : new_state()) {
  // A fresh wait: nothing selected, no packet. Only this thread can reach a
  // context taken from the cache (every waker entry was removed before it
  // was returned), so plain stores suffice.
  // ORDERING(channel-context-reset): relaxed; the context is private to this
  // thread until it is registered in a waker under that waker's lock, which
  // publishes these stores.
  context_.state_->select.store(Selected::waiting().raw(), std::memory_order_relaxed);
  // ORDERING(channel-context-reset-packet): relaxed, as above.
  context_.state_->packet.store(nullptr, std::memory_order_relaxed);
}

ContextLease::~ContextLease() {
  if (cached_state == nullptr) cached_state = std::move(context_.state_);
}

void sleep_until(Deadline deadline) noexcept {
  if (deadline == kNoDeadline) {
    for (;;) std::this_thread::sleep_for(std::chrono::hours(24));
  }
  std::this_thread::sleep_until(deadline);
}

}  // namespace ferrite::detail
