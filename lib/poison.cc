// lib/poison.cc — the non-template half of ferrite/poison.h.
#include "ferrite/poison.h"

#include <string>
#include <utility>

#if FERRITE_DETAIL_FAST_UNCAUGHT_EXCEPTIONS

#include <cxxabi.h>

#include <exception>

namespace ferrite::detail {

namespace {

// The Itanium C++ ABI's per-thread exception globals (section 2.2.2, "Caught
// Exception Stack"): libstdc++ and libc++abi define `__cxa_eh_globals` with
// exactly these two leading members, and std::uncaught_exceptions() returns
// the second. <cxxabi.h> declares the type without defining it.
struct EhGlobals {
  void* caught_exceptions;
  unsigned int uncaught_exceptions;
};

}  // namespace

const unsigned int* uncaught_exception_count_address() noexcept {
  // SAFETY(poison-eh-globals): __cxa_get_globals() returns this thread's
  // __cxa_eh_globals, live for the whole thread, whose first two members the
  // Itanium ABI fixes as {__cxa_exception*, unsigned int}; EhGlobals mirrors
  // that prefix and we only read the count through it. tests/mutex_test.cc
  // (PanicCountTest) checks it against std::uncaught_exceptions() while
  // unwinding, nested.
  const auto* globals = reinterpret_cast<const EhGlobals*>(abi::__cxa_get_globals());
  return &globals->uncaught_exceptions;
}

}  // namespace ferrite::detail

#endif  // FERRITE_DETAIL_FAST_UNCAUGHT_EXCEPTIONS

namespace ferrite::detail {

void lock_result_unwrap_failed(const char* result, const char* access, TryLockErrorKind why) {
  std::string message(result);
  message += "::";
  message += access;
  if (why == TryLockErrorKind::Poisoned) {
    message +=
        ": the lock is poisoned: a thread panicked while holding it, so the data may be "
        "half-updated; check the result first, recover the data with "
        "std::move(result.error()).into_inner(), and clear_poison() once it is repaired";
  } else {
    message +=
        ": the lock would block: it is held elsewhere and nothing was acquired; check the "
        "result first: `if (auto guard = m.try_lock()) ...`";
  }
  panic(std::move(message));
}

}  // namespace ferrite::detail
