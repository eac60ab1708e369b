// ferrite/poison.h — lock poisoning: the error types shared by every lock.
//
// A lock is *poisoned* when a panic (a C++ exception, ferrite/panic.h)
// starts while one of its exclusive guards is alive: the data it protects
// may be half-updated, its invariant broken. Every later acquisition still
// succeeds, but hands its guard back *inside* a `PoisonError`, so the caller
// must decide: recover (`std::move(err).into_inner()`), or propagate.
// `clear_poison()` on the lock declares the data repaired.
//
//   ferrite::LockResult<ferrite::MutexGuard<int>> r = m.lock();
//   if (!r) {                                   // a thread panicked while holding m
//     ferrite::MutexGuard<int> g = std::move(r.error()).into_inner();
//     *g = 0;                                   // repair the invariant
//     m.clear_poison();
//   }
//
// This file offers:
//   PoisonError<G>      a guard (or value) that comes with the poison news;
//   TryLockError<G>     try_lock's error: WouldBlock, or Poisoned with a guard;
//   LockResult<G>       a std::expected<G, PoisonError<G>> (it derives from
//                       one and converts both ways) whose `*`, `->` and
//                       value() panic on a PoisonError;
//   TryLockResult<G>    the same over std::expected<G, TryLockError<G>>.
//
// Ignoring the poison is therefore a panic, never undefined behaviour:
//
//   auto guard = m.lock();
//   (**guard)["k"] = 2;     // Rust's m.lock().unwrap(): panics if m is poisoned
//
// Read results with `*r`, `r->`, r.value() (all checked; value() also works
// for a move-only guard, unlike libstdc++'s) and r.error(). `->` is for a
// named result only: on a temporary it would reach a guard that unlocks at
// the end of the statement. PoisonError's get_ref()/get_mut() likewise.
//
// When is a guard "panicking"? It records std::uncaught_exceptions() when it
// is created; if the count is higher when it is destroyed, an exception
// started while it was held, and the lock is poisoned. A guard taken while
// the thread was already unwinding (in a destructor) does not poison on that
// same unwinding, exactly like Rust's `poison::Guard`.
#pragma once

#include <atomic>
#include <exception>
#include <memory>
#include <expected>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif

namespace ferrite {

/// A guard (or, from into_inner()/get_mut(), the value or pointer itself)
/// returned despite the lock being poisoned.
///
/// Contract: holds exactly one G; `into_inner() &&` moves it out,
/// `get_ref()`/`get_mut()` borrow it. Send/Sync follow G's.
///
/// ```cpp
///   auto r = m.lock();
///   if (!r) std::puts(r.error().message().data());  // "poisoned lock: ..."
/// ```
template <class G>
class PoisonError {
 public:
  /// An error carrying `guard` (or the value or pointer) despite the poisoning.
  explicit PoisonError(G guard) noexcept(std::is_nothrow_move_constructible_v<G>)
      : guard_(std::move(guard)) {}

  /// Moves the carried guard.
  PoisonError(PoisonError&&) = default;
  /// Move-assigns the carried guard.
  PoisonError& operator=(PoisonError&&) = default;
  /// Drops the carried guard (unlocking, for a guard). Out of line: a lock
  /// result holds either a guard or this error, and keeping the rare error's
  /// unlock out of the result's destructor keeps that destructor small enough
  /// to be inlined where the guard is used.
  [[gnu::noinline]] ~PoisonError() = default;

  /// Recovers the guard (or value): the caller accepts the possibly broken data.
  G into_inner() && noexcept(std::is_nothrow_move_constructible_v<G>) {
    return std::move(guard_);
  }
  ///@{
  /// Borrow the guard (or value) of a named error. Not on a temporary: what
  /// they return would outlive it; move the guard out with into_inner().
  const G& get_ref() const& noexcept { return guard_; }
  G& get_mut() & noexcept { return guard_; }
  const G& get_ref() const&& = FERRITE_DELETE(
      "ferrite::PoisonError::get_ref on a temporary error would outlive it; take the guard: "
      "`auto guard = std::move(result.error()).into_inner();`");
  G& get_mut() && = FERRITE_DELETE(
      "ferrite::PoisonError::get_mut on a temporary error would outlive it; take the guard: "
      "`auto guard = std::move(result.error()).into_inner();`");
  ///@}

  /// Rust's Display text for PoisonError.
  static constexpr std::string_view message() noexcept {
    return "poisoned lock: another task failed inside";
  }

 private:
  G guard_;
};

/// Why a try_lock / try_read / try_write did not hand out a plain guard.
enum class TryLockErrorKind {
  WouldBlock,  ///< the lock is held elsewhere; nothing was acquired
  Poisoned,    ///< the lock was acquired, but it is poisoned (the guard is inside)
};

/// try_lock's error.
///
/// Contract: `kind()` says which; for Poisoned, `into_inner() &&` hands out the
/// acquired guard (for WouldBlock it panics: there is no guard).
/// `poison_error()` views the same as a PoisonError, or null for WouldBlock.
/// Send/Sync follow G's.
template <class G>
class TryLockError {
 public:
  // A WouldBlock error.
  TryLockError() noexcept = default;
  /// A Poisoned error carrying the acquired guard.
  explicit TryLockError(PoisonError<G> poisoned) noexcept(
      std::is_nothrow_move_constructible_v<G>)
      : poisoned_(std::move(poisoned)) {}

  /// Moves the error, with the guard of a Poisoned one.
  TryLockError(TryLockError&&) = default;
  /// Move-assigns the error, with the guard of a Poisoned one.
  TryLockError& operator=(TryLockError&&) = default;

  /// WouldBlock (nothing acquired) or Poisoned (the guard is inside).
  TryLockErrorKind kind() const noexcept {
    return poisoned_ ? TryLockErrorKind::Poisoned : TryLockErrorKind::WouldBlock;
  }
  /// True for WouldBlock: the lock is held elsewhere; nothing was acquired.
  bool is_would_block() const noexcept { return !poisoned_; }
  /// True for Poisoned: the lock was acquired, but it is poisoned.
  bool is_poisoned() const noexcept { return poisoned_.has_value(); }

  /// The guard of a Poisoned error. Panics for WouldBlock (nothing was acquired).
  G into_inner() && {
    if (!poisoned_) panic("ferrite::TryLockError::into_inner: WouldBlock carries no guard");
    return std::move(*poisoned_).into_inner();
  }
  /// The Poisoned error as a PoisonError, or null for WouldBlock.
  PoisonError<G>* poison_error() noexcept { return poisoned_ ? &*poisoned_ : nullptr; }
  /// The Poisoned error as a PoisonError, or null for WouldBlock.
  const PoisonError<G>* poison_error() const noexcept { return poisoned_ ? &*poisoned_ : nullptr; }

  /// Rust's Display texts.
  std::string_view message() const noexcept {
    return poisoned_ ? PoisonError<G>::message()
                     : std::string_view("try_lock failed because the operation would block");
  }

 private:
  std::optional<PoisonError<G>> poisoned_;
};

namespace detail {

// Panics for `*`, `->` or value() on a lock result that holds an error:
// "<result>::<access>: the lock is poisoned: ..." or "...: would block: ...".
// lib/poison.cc.
[[noreturn]] void lock_result_unwrap_failed(const char* result, const char* access,
                                            TryLockErrorKind why);

// What LockResult and TryLockResult add to std::expected<G, E>: reading the
// value of a result that holds an error panics (Rust's `unwrap()`) instead of
// being undefined behaviour, value() works with a move-only error, and `->`
// on a temporary result is rejected (it reaches a guard that is unlocked at
// the end of the statement). Every other member is std::expected's.
template <class G, class E>
class CheckedLockResult : public std::expected<G, E> {
  using Expected = std::expected<G, E>;

 public:
  using Expected::Expected;
  CheckedLockResult() = default;
  CheckedLockResult(Expected&& result) noexcept(std::is_nothrow_move_constructible_v<Expected>)
      : Expected(std::move(result)) {}

  // `*r` / r.value(): the value; panic if r holds an error.
  G& operator*() & { return checked("operator*"); }
  const G& operator*() const& { return checked("operator*"); }
  G&& operator*() && { return std::move(checked("operator*")); }
  const G&& operator*() const&& { return std::move(checked("operator*")); }

  G& value() & { return checked("value()"); }
  const G& value() const& { return checked("value()"); }
  G&& value() && { return std::move(checked("value()")); }
  const G&& value() const&& { return std::move(checked("value()")); }

  // `r->`: the value's members; panic if r holds an error. Only on a named
  // result: a temporary's value (a guard) is gone at the end of the statement.
  G* operator->() & { return std::addressof(checked("operator->")); }
  const G* operator->() const& { return std::addressof(checked("operator->")); }
  G* operator->() && = FERRITE_DELETE(
      "ferrite: `->` on a temporary lock result reaches a guard that is unlocked at the end of "
      "the statement; name the result first: `auto guard = m.lock();`, then `(*guard)->`");
  const G* operator->() const&& = FERRITE_DELETE(
      "ferrite: `->` on a temporary lock result reaches a guard that is unlocked at the end of "
      "the statement; name the result first: `auto guard = m.lock();`, then `(*guard)->`");

 private:
  G& checked(const char* access) {
    if (!this->has_value()) [[unlikely]] unwrap_failed(access);
    return Expected::operator*();
  }
  const G& checked(const char* access) const {
    if (!this->has_value()) [[unlikely]] unwrap_failed(access);
    return Expected::operator*();
  }

  [[noreturn]] void unwrap_failed(const char* access) const {
    if constexpr (std::is_same_v<E, PoisonError<G>>) {
      lock_result_unwrap_failed("ferrite::LockResult", access, TryLockErrorKind::Poisoned);
    } else {
      lock_result_unwrap_failed("ferrite::TryLockResult", access, Expected::error().kind());
    }
  }
};

}  // namespace detail

/// The result of acquiring a lock (lock(), read(), write(), Condvar::wait*),
/// of get_mut() and of into_inner(): the G, or the G inside a PoisonError.
///
/// Contract: a std::expected<G, PoisonError<G>> (it derives from one, converts
/// to and from one, and keeps every member: has_value(), `bool`, error(),
/// value_or, and the monadic operations where the standard library has
/// them), except that `*r`, `r->` and r.value() panic when r holds a
/// PoisonError — Rust's `lock().unwrap()` — where std::expected's would be
/// undefined behaviour; value() also works for a move-only G; `->` is only
/// for a named result. Send/Sync follow G's.
///
/// ```cpp
///   auto guard = m.lock();     // a LockResult<MutexGuard<T>>
///   **guard += 1;              // panics here if m is poisoned
/// ```
template <class G>
class LockResult : public detail::CheckedLockResult<G, PoisonError<G>> {
  using Checked = detail::CheckedLockResult<G, PoisonError<G>>;

 public:
  using Checked::Checked;
  LockResult() = default;
  /// From the plain std::expected (the conversion back is to a base class).
  LockResult(std::expected<G, PoisonError<G>>&& result) noexcept(
      std::is_nothrow_move_constructible_v<G>)
      : Checked(std::move(result)) {}
};

/// The result of try_lock(), try_read(), try_write(): the guard, or a
/// TryLockError (WouldBlock, or Poisoned with the guard inside).
///
/// Contract: as LockResult, over std::expected<G, TryLockError<G>>; `*r`,
/// `r->` and r.value() panic on an error, saying whether it was WouldBlock
/// (nothing acquired) or Poisoned. Send/Sync follow G's.
template <class G>
class TryLockResult : public detail::CheckedLockResult<G, TryLockError<G>> {
  using Checked = detail::CheckedLockResult<G, TryLockError<G>>;

 public:
  using Checked::Checked;
  TryLockResult() = default;
  /// From the plain std::expected (the conversion back is to a base class).
  TryLockResult(std::expected<G, TryLockError<G>>&& result) noexcept(
      std::is_nothrow_move_constructible_v<G>)
      : Checked(std::move(result)) {}
};

namespace detail {

// The poison bit of one lock.
//
// Only the holder of the lock sets it (in a guard's destructor, before the
// unlock), and lock() reads it after acquiring, so the lock's own
// acquire/release orders these accesses; is_poisoned()/clear_poison() from
// outside the lock are inherently racy snapshots, as in Rust.
class PoisonFlag {
 public:
  bool get() const noexcept {
    // ORDERING(poison-flag-read): relaxed; readers either hold the lock
    // (whose acquire pairs with the release unlock that followed the
    // poisoning store) or accept a snapshot (is_poisoned()).
    return failed_.load(std::memory_order_relaxed);
  }
  void set() noexcept {
    // ORDERING(poison-flag-set): relaxed; written by the lock's holder just
    // before its release unlock, which publishes it to the next acquirer.
    failed_.store(true, std::memory_order_relaxed);
  }
  void clear() noexcept {
    // ORDERING(poison-flag-clear): relaxed, like Rust's clear_poison: a racing
    // panic may poison again, and a racing reader may see either value.
    failed_.store(false, std::memory_order_relaxed);
  }

 private:
  std::atomic<bool> failed_{false};
};

#if defined(__GLIBCXX__) || defined(_LIBCPPABI_VERSION)
#define FERRITE_DETAIL_FAST_UNCAUGHT_EXCEPTIONS 1
// The address of this thread's count of uncaught exceptions, inside the C++
// runtime's per-thread exception globals (lib/poison.cc).
const unsigned int* uncaught_exception_count_address() noexcept;
#else
#define FERRITE_DETAIL_FAST_UNCAUGHT_EXCEPTIONS 0
#endif

// std::uncaught_exceptions(), inlined. Every guard reads the count twice
// (creation, destruction); through libstdc++ each read is a call that looks
// up a dynamic TLS block, which doubled the cost of an uncontended
// lock/unlock (bench/mutex_bench.cc). Here the runtime's counter is located
// once per thread and then read directly.
inline int uncaught_exceptions() noexcept {
#if FERRITE_DETAIL_FAST_UNCAUGHT_EXCEPTIONS
  static thread_local constinit const unsigned int* count
      __attribute__((tls_model("initial-exec"))) = nullptr;
  if (count == nullptr) [[unlikely]] count = uncaught_exception_count_address();
  return static_cast<int>(*count);
#else
  return std::uncaught_exceptions();
#endif
}

// Remembers how many exceptions were in flight when a guard was created.
class PanicCount {
 public:
  PanicCount() noexcept : at_creation_(detail::uncaught_exceptions()) {}
  // True when an exception started since creation (the guard is being
  // destroyed by a panic that began while it was held).
  bool panicked_since() const noexcept { return detail::uncaught_exceptions() > at_creation_; }

 private:
  int at_creation_;
};

}  // namespace detail

}  // namespace ferrite

#if defined(__clang__)
#pragma clang diagnostic pop
#endif
