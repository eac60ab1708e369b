// ferrite/channel/context.h — internal: how a blocked channel operation waits
// to be selected (crossbeam-channel's context.rs).
//
// Not part of the public API (everything is in ferrite::detail).
//
// A thread that must block on one or more channel operations registers an
// *operation* (a unique id) together with its *Context* in the wakers of
// those channels, then waits on the context. Another thread completes the
// wait by *selecting* the context: one compare-exchange of the context's
// `select` word from Waiting to the chosen outcome (an operation id, Aborted
// or Disconnected). Exactly one selection wins, so a thread blocked in
// Select on several channels is woken for exactly one of them.
//
// Contexts are reference counted (wakers hold a reference while a thread is
// registered), so a waker may unpark a thread whose wait has already ended.
// Each thread caches one context (ContextLease), as crossbeam does.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include "ferrite/channel/wait.h"
#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

// An operation id: the address of an object that lives while the operation
// waits (a token on the stack, a Select entry), so ids of concurrently
// waiting operations differ. Addresses are never 0, 1 or 2.
using Operation = std::uintptr_t;

// The outcome of a wait: still Waiting, Aborted (timeout, or the thread
// aborted itself because an operation became ready while it registered),
// Disconnected (a channel was disconnected), or the operation that was
// selected.
class Selected {
 public:
  static constexpr Selected waiting() noexcept { return Selected(kWaiting); }
  static constexpr Selected aborted() noexcept { return Selected(kAborted); }
  static constexpr Selected disconnected() noexcept { return Selected(kDisconnected); }
  static constexpr Selected operation(Operation oper) noexcept { return Selected(oper); }
  static constexpr Selected from_raw(std::uintptr_t raw) noexcept { return Selected(raw); }

  constexpr std::uintptr_t raw() const noexcept { return raw_; }
  constexpr bool is_waiting() const noexcept { return raw_ == kWaiting; }
  constexpr bool is_operation() const noexcept { return raw_ > kDisconnected; }
  friend constexpr bool operator==(Selected, Selected) noexcept = default;

 private:
  static constexpr std::uintptr_t kWaiting = 0;
  static constexpr std::uintptr_t kAborted = 1;
  static constexpr std::uintptr_t kDisconnected = 2;
  constexpr explicit Selected(std::uintptr_t raw) noexcept : raw_(raw) {}
  std::uintptr_t raw_;
};

// The operation id of the object at `address` (see Operation).
Operation operation_hook(const void* address) noexcept;  // lib/channel/context.cc

// A number unique to the calling thread among live threads.
std::uintptr_t current_thread_id() noexcept;  // lib/channel/context.cc

// The shared state of one waiting thread. lib/channel/context.cc.
struct ContextState;

// A counted reference to a thread's waiting state (crossbeam's Context).
// Copying it shares the same state; any thread may select and unpark it, only
// the owning thread waits on it.
class Context {
 public:
  // Selects `outcome` if nothing is selected yet. On failure returns false
  // and stores what was selected before in `*actual` (if non-null).
  bool try_select(Selected outcome, Selected* actual = nullptr) const noexcept;
  // What is selected now (Waiting if nothing).
  Selected selected() const noexcept;
  // Publishes the packet of the selected operation (zero flavor); a null
  // packet is ignored.
  void store_packet(void* packet) const noexcept;
  // Spins until a packet is stored, then returns it.
  void* wait_packet() const noexcept;
  // Waits until something is selected, or until `deadline`, then returns the
  // selection (Aborted when the deadline passed first and the abort won).
  // Polls briefly with `poll` (ferrite/channel/wait.h says which kind),
  // then parks on a futex.
  Selected wait_until(Deadline deadline, PollWait poll) const noexcept;
  // Parks the owning thread until unpark(), or spuriously: callers re-check
  // what they wait for. Only the owning thread may call it.
  void park() const noexcept;
  // Wakes the owning thread if it is parked in wait_until or park.
  void unpark() const noexcept;
  // The owning thread's current_thread_id().
  std::uintptr_t thread_id() const noexcept;

 private:
  friend class ContextLease;
  explicit Context(std::shared_ptr<ContextState> state) noexcept : state_(std::move(state)) {}
  std::shared_ptr<ContextState> state_;
};

// Lends the calling thread its cached, reset Context for one wait (a fresh
// one if the cache is in use), and returns it to the cache afterwards.
// crossbeam's Context::with.
class ContextLease {
 public:
  ContextLease();  // may throw std::bad_alloc (before anything is registered)
  ~ContextLease();
  ContextLease(const ContextLease&) = delete;
  ContextLease& operator=(const ContextLease&) = delete;

  const Context& context() const noexcept { return context_; }

 private:
  Context context_;
};

// Sleeps until `deadline` (forever for kNoDeadline); for empty selects and
// the never() flavor.
void sleep_until(Deadline deadline) noexcept;  // lib/channel/context.cc

}  // namespace ferrite::detail
