// ferrite/once.h — one-time initialization: Once and OnceLock<T>.
//
// Rust's std::sync::Once and std::sync::OnceLock for C++.
//
// `Once` runs a callable exactly once however many threads race to run it:
// the first caller runs it, the others block (in the kernel, not spinning)
// until it finishes, and every caller returns after it completed.
//
//   static const ferrite::Once init_logging;
//   init_logging.call_once([] { install_logger(); });
//
// `OnceLock<T>` is a thread-safe OnceCell: a slot written at most once,
// readable through `const T&` by every thread afterwards.
//
//   static const ferrite::OnceLock<Config> config;
//   const Config& c = config.get_or_init([] { return load_config(); });
//
// Panics. If the callable of `call_once` panics, the Once is *poisoned*: the
// panic propagates to its caller, threads blocked on it wake up and panic
// too, and every later `call_once` panics. `call_once_force(f)` runs `f`
// anyway, telling it through `OnceState::is_poisoned()`; if it completes,
// the Once is completed (no longer poisoned). An initializer of `OnceLock`
// that panics propagates to its caller and leaves the lock uninitialized:
// the next caller (or a waiting one) runs its own initializer.
//
// Invalid: calling a Once (or initializing a OnceLock) again from inside its
// own callable deadlocks, as in Rust.
//
// Implementation (lib/once.cc): Rust's futex Once — one 32-bit state word
// (incomplete, poisoned, running, queued, complete); waiters sleep on it.
//
// Send/Sync (ferrite/marker.h): Once and OnceState are Send and Sync.
// OnceLock<T> is Send if T is Send, Sync if T is Send and Sync (one thread
// writes the T, all read it).
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "ferrite/detail/futex.h"
#include "ferrite/detail/value_type.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

namespace ferrite {

template <class T>
class OnceLock;

/// What call_once_force tells its callable.
///
/// Contract: `is_poisoned()` is true when an earlier call panicked, so the
/// state it was initializing may be half-built.
class OnceState {
 public:
  /// True when an earlier call panicked: the state may be half-built.
  bool is_poisoned() const noexcept { return poisoned_; }

 private:
  friend class Once;
  explicit OnceState(bool poisoned) noexcept : poisoned_(poisoned) {}
  bool poisoned_;
};

/// A one-time initialization primitive.
///
/// Contract:
/// * `call_once(f)`: if no call has completed, runs `f()` on exactly one of
///   the racing threads; the others block until it returns. Returns once a
///   call has completed. Panics if the Once is poisoned (an earlier callable
///   panicked) — also in threads that were blocked waiting for that callable.
///   If `f` panics, the panic propagates and the Once becomes poisoned.
/// * `call_once_force(f)`: the same, but runs `f(const OnceState&)` even if
///   the Once is poisoned; completing clears the poison.
/// * `is_completed()`: true once a call completed; a true result also makes
///   everything that call did visible to the caller.
/// * Not copyable or movable.
class Once {
 public:
  constexpr Once() noexcept = default;
  Once(const Once&) = delete;
  Once& operator=(const Once&) = delete;

  /// Runs `f()` if no call has completed, on exactly one of the racing threads;
  /// the others block until it returns. Panics if the Once is poisoned; if `f`
  /// panics, the panic propagates and the Once becomes poisoned.
  template <class F>
    requires std::invocable<F>
  void call_once(F&& f) const {
    if (is_completed()) return;
    auto run = [&f](const OnceState&) { std::invoke(std::forward<F>(f)); };
    call(false, erase(run));
  }

  /// As call_once(), but runs `f(const OnceState&)` even if the Once is
  /// poisoned; completing clears the poison.
  template <class F>
    requires std::invocable<F, const OnceState&>
  void call_once_force(F&& f) const {
    if (is_completed()) return;
    auto run = [&f](const OnceState& state) { std::invoke(std::forward<F>(f), state); };
    call(true, erase(run));
  }

  /// True once a call has completed; everything that call did is then visible.
  bool is_completed() const noexcept {
    // ORDERING(once-is-completed): acquire pairs with the release exchange
    // that publishes kComplete in lib/once.cc: the completed call's writes
    // (e.g. OnceLock's value) are visible after a true result.
    return state_.load(std::memory_order_acquire) == kComplete;
  }

 private:
  template <class T>
  friend class OnceLock;

  // A callable without its type, for the out-of-line slow path.
  struct ErasedCall {
    void* callable;
    void (*invoke)(void* callable, const OnceState& state);
  };

  template <class Run>
  static ErasedCall erase(Run& run) noexcept {
    return {std::addressof(run), [](void* callable, const OnceState& state) {
              // SAFETY(once-erased-call): `callable` is std::addressof(run),
              // a Run that outlives the call (erase's caller runs it first).
              (*static_cast<Run*>(callable))(state);
            }};
  }

  // lib/once.cc: the slow path of call_once / call_once_force.
  void call(bool ignore_poisoning, ErasedCall f) const;
  // lib/once.cc: back to "incomplete" (exclusive access: OnceLock::take).
  void reset() noexcept;

  static constexpr std::uint32_t kIncomplete = 0;
  static constexpr std::uint32_t kPoisoned = 1;
  static constexpr std::uint32_t kRunning = 2;
  static constexpr std::uint32_t kQueued = 3;  // running, and threads sleep on the word
  static constexpr std::uint32_t kComplete = 4;

  mutable std::atomic<std::uint32_t> state_{kIncomplete};
};

/// A slot that is written once, then shared read-only between threads.
///
/// Contract:
/// * `get()`: the value, or null if not (yet) initialized. Never blocks.
/// * `set(v)`: stores `v` if uninitialized (blocking while another thread
///   initializes); returns std::unexpected(v) — the value handed back — if
///   the lock was (or got) initialized first.
/// * `get_or_init(f)`: the value, running `f()` to create it if needed, on
///   exactly one thread; others block until it is done. If `f` panics, the
///   panic propagates and the lock stays uninitialized; a blocked thread then
///   runs its own initializer.
/// * `get_mut()`, `take()`, `std::move(l).into_inner()`: exclusive access
///   (non-const: no other thread may use the lock meanwhile). `take()` leaves
///   it uninitialized.
/// * Not copyable or movable; destroying it destroys the value, if any.
template <class T>
class OnceLock {
  static_assert(detail::ObjectValue<T>, "ferrite::OnceLock<T>: T must be a non-array object type");

 public:
  constexpr OnceLock() noexcept = default;
  OnceLock(const OnceLock&) = delete;
  OnceLock& operator=(const OnceLock&) = delete;

  /// The value once initialized, else null. Never blocks.
  const T* get() const noexcept { return once_.is_completed() ? std::addressof(*value_) : nullptr; }

  /// Initializes the lock with `value` if it is not yet initialized (waiting for
  /// an initialization in progress); otherwise hands `value` back as the error.
  std::expected<void, T> set(T value) const
    requires std::move_constructible<T>
  {
    bool stored = false;
    once_.call_once_force([&](const OnceState&) {
      value_.emplace(std::move(value));
      stored = true;
    });
    if (stored) return {};
    return std::unexpected<T>(std::move(value));
  }

  /// The value, running `f()` to create it if needed, on exactly one thread;
  /// others block until it is done. If `f` panics, the lock stays uninitialized.
  template <class F>
    requires std::invocable<F> && std::constructible_from<T, std::invoke_result_t<F>>
  const T& get_or_init(F&& f) const {
    once_.call_once_force(
        [&](const OnceState&) { value_.emplace(std::invoke(std::forward<F>(f))); });
    return *value_;
  }

  /// The value through a non-const lock (exclusive access), or null.
  T* get_mut() noexcept { return value_ ? std::addressof(*value_) : nullptr; }

  /// Moves the value out, if any, leaving the lock uninitialized (exclusive access).
  std::optional<T> take()
    requires std::move_constructible<T>
  {
    std::optional<T> taken = std::exchange(value_, std::nullopt);
    once_.reset();
    return taken;
  }

  /// Moves the value out, if any (exclusive access).
  std::optional<T> into_inner() &&
    requires std::move_constructible<T>
  {
    return take();
  }

 private:
  Once once_;
  // Written only inside once_'s single running call; read only after
  // once_.is_completed() (acquire) or with exclusive access.
  mutable std::optional<T> value_;
};

}  // namespace ferrite
