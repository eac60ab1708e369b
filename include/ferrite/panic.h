// ferrite/panic.h — panics: Rust's `panic!` as a C++ exception.
//
// A panic is a `ferrite::Panic` exception escaping a scope. Locks record it
// (poisoning), `thread::spawn` returns it from `join()` as a `PanicPayload`,
// and `ThreadPool` counts it. Nothing here aborts: a panic unwinds like any
// other exception, so RAII guards release what they hold on the way out.
//
//   try {
//     ferrite::panic("ledger is unbalanced");
//   } catch (const ferrite::Panic& p) {
//     // p.what() == "ledger is unbalanced"; p.location() is the call site.
//   }
//
// Also here, because every header needs them:
//   FERRITE_ASSERT(cond, msg)     panics with `msg` when `cond` is false;
//   FERRITE_DEBUG_ASSERT(cond)    the same without NDEBUG, nothing with it;
//   FERRITE_CHECKED_BORROWS       1 unless NDEBUG (override with -D...=0|1):
//                                 enables run-time checks of borrow lifetimes.
#pragma once

#include <exception>
#include <memory>
#include <source_location>
#include <string>
#include <string_view>

#ifndef FERRITE_CHECKED_BORROWS
#ifdef NDEBUG
#define FERRITE_CHECKED_BORROWS 0
#else
#define FERRITE_CHECKED_BORROWS 1
#endif
#endif

namespace ferrite {

/// The exception thrown by `ferrite::panic`.
///
/// Contract: `what()` returns exactly the message given to `panic()`;
/// `location()` is where `panic()` was called. Copying never throws (the
/// message is shared), as an exception type should guarantee.
/// Send and Sync (an ordinary class type; its state is immutable).
class Panic : public std::exception {
 public:
  /// A panic with `message`, raised at `location` (the caller's, by default).
  explicit Panic(std::string message,
                 std::source_location location = std::source_location::current());

  /// The message given to panic().
  const char* what() const noexcept override;
  /// Where panic() was called.
  std::source_location location() const noexcept { return location_; }

 private:
  std::shared_ptr<const std::string> message_;
  std::source_location location_;
};

/// Throws `Panic(msg, location)`. Never returns.
///
/// ```cpp
///   ferrite::panic("index out of range");
/// ```
[[noreturn]] void panic(std::string msg,
                        std::source_location location = std::source_location::current());

/// What a panicking thread or job hands back: the exception that escaped it.
///
/// Contract: `exception()` is the captured exception (rethrow it with
/// `resume()` to continue unwinding, like Rust's `resume_unwind`); `message()`
/// is its `what()` if it derives from std::exception, else "unknown panic".
/// Send and Sync: std::exception_ptr may be passed between threads, and a
/// thrown object is only read through it.
///
/// ```cpp
///   ferrite::PanicPayload payload(std::make_exception_ptr(ferrite::Panic("boom")));
///   // payload.message() == "boom"
/// ```
class PanicPayload {
 public:
  /// Wraps the exception that escaped a thread or job.
  explicit PanicPayload(std::exception_ptr exception) noexcept : exception_(std::move(exception)) {}

  /// The captured exception.
  std::exception_ptr exception() const noexcept { return exception_; }
  /// The exception's what() if it derives from std::exception, else "unknown panic".
  std::string message() const;
  /// Rethrows the captured exception (Rust's `std::panic::resume_unwind`).
  [[noreturn]] void resume() const;

 private:
  std::exception_ptr exception_;
};

namespace detail {

// True while an exception is unwinding through the calling thread (the basis
// of thread::panicking() and of lock poisoning).
inline bool panicking() noexcept { return std::uncaught_exceptions() > 0; }

// Out of line so that the assertion macros stay small at every use.
[[noreturn]] void assert_failed(std::string_view condition, std::string_view message,
                                std::source_location location);

}  // namespace detail
}  // namespace ferrite

/// Panics with a message naming the condition when `cond` is false.
#define FERRITE_ASSERT(cond, msg)                                                      \
  do {                                                                                 \
    if (!(cond)) [[unlikely]]                                                          \
      ::ferrite::detail::assert_failed(#cond, (msg), std::source_location::current()); \
  } while (false)

#ifdef NDEBUG
#define FERRITE_DEBUG_ASSERT(cond) static_cast<void>(sizeof(static_cast<bool>(cond)))
#else
#define FERRITE_DEBUG_ASSERT(cond) FERRITE_ASSERT(cond, "debug assertion failed")
#endif
