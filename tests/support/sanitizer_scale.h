// tests/support/sanitizer_scale.h — which sanitizer a test binary is built
// with, so that stress tests can scale their counts down where instrumented
// code runs 5 to 20 times slower.
//
//   using ferrite::testing::kSanitized;
//   constexpr int kIterations = kSanitized ? 50'000 : 1'000'000;
//   const int jobs = 50'000 / kScale;  // kScale: 10 when sanitized, else 1
//
// kAddressSanitizer is true in a test's _asan twin, kThreadSanitizer in its
// _tsan twin (sanitizers/defs.bzl), neither in the plain build.
#pragma once

namespace ferrite::testing {

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define FERRITE_TESTING_TSAN 1
#endif
#if __has_feature(address_sanitizer)
#define FERRITE_TESTING_ASAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define FERRITE_TESTING_TSAN 1
#endif
#if defined(__SANITIZE_ADDRESS__)
#define FERRITE_TESTING_ASAN 1
#endif

#ifdef FERRITE_TESTING_TSAN
inline constexpr bool kThreadSanitizer = true;
#else
inline constexpr bool kThreadSanitizer = false;
#endif
#ifdef FERRITE_TESTING_ASAN
inline constexpr bool kAddressSanitizer = true;
#else
inline constexpr bool kAddressSanitizer = false;
#endif
#undef FERRITE_TESTING_TSAN
#undef FERRITE_TESTING_ASAN

// True in the _asan and _tsan builds.
inline constexpr bool kSanitized = kThreadSanitizer || kAddressSanitizer;

// What stress tests divide their counts by: cut tenfold where sanitizers slow
// the code down.
inline constexpr int kScale = kSanitized ? 10 : 1;

}  // namespace ferrite::testing
