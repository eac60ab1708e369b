// ferrite/version.h — which ferrite this is, at compile time.
//
//   #include "ferrite/version.h"
//   static_assert(FERRITE_VERSION_MAJOR == 0 && FERRITE_VERSION_MINOR >= 1);
//   std::puts("ferrite " FERRITE_VERSION_STRING);
//
// Versions follow Semantic Versioning (https://semver.org): before 1.0, a
// minor release may change the API (CHANGELOG.md says how). FERRITE_VERSION
// is one integer for comparisons in #if: major * 10000 + minor * 100 + patch.
//
// This file is the one place the version is written: the CMake build reads
// it for ferriteConfigVersion.cmake and ferrite.pc.
#pragma once

/// The major version: before 1, a minor release may change the API.
#define FERRITE_VERSION_MAJOR 0
/// The minor version.
#define FERRITE_VERSION_MINOR 1
/// The patch version: fixes only.
#define FERRITE_VERSION_PATCH 0

/// One integer for comparisons in `#if`: major * 10000 + minor * 100 + patch.
#define FERRITE_VERSION \
  (FERRITE_VERSION_MAJOR * 10000 + FERRITE_VERSION_MINOR * 100 + FERRITE_VERSION_PATCH)

#define FERRITE_DETAIL_VERSION_STR(x) #x
#define FERRITE_DETAIL_VERSION_XSTR(x) FERRITE_DETAIL_VERSION_STR(x)

/// "MAJOR.MINOR.PATCH", a string literal built from the three numbers above.
// clang-format off
#define FERRITE_VERSION_STRING                           \
  FERRITE_DETAIL_VERSION_XSTR(FERRITE_VERSION_MAJOR) "." \
  FERRITE_DETAIL_VERSION_XSTR(FERRITE_VERSION_MINOR) "." \
  FERRITE_DETAIL_VERSION_XSTR(FERRITE_VERSION_PATCH)
// clang-format on
