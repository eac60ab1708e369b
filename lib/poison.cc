// lib/poison.cc — the non-template half of ferrite/poison.h.
#include "ferrite/poison.h"

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
