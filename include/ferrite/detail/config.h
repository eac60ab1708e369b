// ferrite/detail/config.h — internal: what ferrite needs of the compiler,
// checked once, and the few spellings that differ between the compilers it
// supports. Not part of the public API; every header that needs one of the
// macros below includes it.
//
// Supported: clang 19 or later, and GCC 12 or later, in C++23 mode
// (-std=c++23; GCC 12 calls it -std=c++2b). Clang-only checks
// (-Wunsafe-buffer-usage, the thread-safety analysis, the ferrite-clang
// plugin) are simply absent under GCC; the library behaves the same.
#pragma once

#if __cplusplus <= 202002L
#error "ferrite needs C++23: compile with -std=c++23 (GCC 12: -std=c++2b)"
#endif

#if defined(__clang__)
#if __clang_major__ < 19
#error "ferrite needs clang 19 or later (or GCC 12 or later)"
#endif
#elif defined(__GNUC__)
#if __GNUC__ < 12
#error "ferrite needs GCC 12 or later (or clang 19 or later)"
#endif
#else
#error "ferrite supports clang 19+ and GCC 12+ only"
#endif

// `= FERRITE_DELETE("reason")`: a deleted function whose reason the compiler
// prints. `= delete("reason")` is C++26 (P2573); clang 19 accepts it in
// C++23 as an extension (silenced where it is used), GCC 12 does not, and
// gets a plain `= delete`, which rejects the same calls without the reason.
#if defined(__clang__)
#define FERRITE_DELETE(reason) delete (reason)
#else
#define FERRITE_DELETE(reason) delete
#endif
