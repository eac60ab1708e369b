// ferrite/send_fn.h — SendFn<R(Args...)>: a type-erased callable that may
// cross threads.
//
// `std::function`, `std::move_only_function` and `std::any` hide the type
// they store, so ferrite cannot tell whether what they hold is Send: they are
// neither Send nor Sync (ferrite/marker.h). SendFn checks the callable when
// it is stored instead: only a callable whose type is Send can be put in,
// so a SendFn itself is Send. It is not Sync (calling it needs `&`).
//
// Contract: constructed from any callable `F` with `F(Args...)` convertible
// to `R` and `Send<F>`; a callable that is not Send is rejected at compile
// time with the reason. Move-only (like std::move_only_function). Calling a
// moved-from SendFn panics. `operator bool` says whether it holds a callable.
//
//   ferrite::SendFn<int(int)> twice = [](int x) { return 2 * x; };
//   auto handle = ferrite::thread::spawn(std::move(twice), 21);  // join() -> 42
//
//   auto rc = ferrite::make_rc<int>(1);
//   ferrite::SendFn<int()> f = [rc] { return *rc; };  // accepted without the
//   // compiler plugin (a lambda's captures are invisible to C++); with it,
//   // rejected: the lambda captures an Rc
#pragma once

#include <concepts>
#include <functional>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

namespace ferrite {

template <class Signature>
class SendFn;

/// SendFn<R(Args...)> — a type-erased callable that may cross threads.
///
/// Holds any callable `F` with `F(Args...)` convertible to `R` whose type is
/// Send; a callable that is not Send is rejected at compile time with the
/// reason. So a SendFn is Send (not Sync: calling it needs a non-const
/// reference). Move-only, like std::move_only_function; calling a moved-from
/// SendFn panics.
///
/// ```cpp
///     ferrite::SendFn<int(int)> twice = [](int x) { return 2 * x; };
///     auto handle = ferrite::thread::spawn(std::move(twice), 21);  // join() -> 42
/// ```
template <class R, class... Args>
class SendFn<R(Args...)> {
  template <class F>
  static constexpr bool callable =
      !std::same_as<std::decay_t<F>, SendFn> && std::is_invocable_r_v<R, std::decay_t<F>&, Args...>;

 public:
  /// Stores `f` (decay-copied), whose type must be Send.
  template <class F>
    requires(callable<F> && Send<std::decay_t<F>>)
  SendFn(F&& f) : fn_(std::forward<F>(f)) {}  // NOLINT(google-explicit-constructor)

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
  template <class F>
    requires(callable<F> && !Send<std::decay_t<F>>)
  SendFn(F&& f) = FERRITE_DELETE(
      "SendFn: the callable is not Send (see the notes for its type); capture an Arc "
      "instead of an Rc, a Mutex or atomic instead of a Cell, and values instead of references");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

  /// Takes `other`'s callable; `other` is left empty.
  SendFn(SendFn&&) noexcept = default;
  /// Destroys this callable, then takes `other`'s; `other` is left empty.
  SendFn& operator=(SendFn&&) noexcept = default;
  SendFn(const SendFn&) = delete;
  SendFn& operator=(const SendFn&) = delete;
  ~SendFn() = default;

  /// Calls the stored callable. Panics if this SendFn was moved from.
  R operator()(Args... args) {
    if (!fn_) panic("SendFn: called after it was moved from");
    return fn_(std::forward<Args>(args)...);
  }

  /// True if it holds a callable (false once moved from).
  explicit operator bool() const noexcept { return static_cast<bool>(fn_); }

 private:
  std::move_only_function<R(Args...)> fn_;
};

}  // namespace ferrite
