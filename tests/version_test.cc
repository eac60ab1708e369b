// tests/version_test.cc — ferrite/version.h: the version macros agree.
//
// FERRITE_VERSION_STRING is "MAJOR.MINOR.PATCH" of the three numbers,
// FERRITE_VERSION packs them for #if, and the umbrella header carries them.
#include "ferrite/version.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

#include "ferrite/ferrite.h"

namespace {

// Usable in the preprocessor, as the header promises.
#if FERRITE_VERSION != \
    FERRITE_VERSION_MAJOR * 10000 + FERRITE_VERSION_MINOR * 100 + FERRITE_VERSION_PATCH
#error "FERRITE_VERSION does not pack MAJOR.MINOR.PATCH"
#endif

// A string literal, usable in concatenation and constant expressions.
constexpr std::string_view kBanner = "ferrite " FERRITE_VERSION_STRING;
static_assert(kBanner.starts_with("ferrite "));

TEST(Version, StringIsMajorMinorPatch) {
  const std::string expected = std::to_string(FERRITE_VERSION_MAJOR) + "." +
                               std::to_string(FERRITE_VERSION_MINOR) + "." +
                               std::to_string(FERRITE_VERSION_PATCH);
  EXPECT_EQ(std::string_view(FERRITE_VERSION_STRING), expected);
}

TEST(Version, NumbersAreInRange) {
  // Two decimal digits each for MINOR and PATCH, so FERRITE_VERSION is monotonic.
  EXPECT_GE(FERRITE_VERSION_MAJOR, 0);
  EXPECT_GE(FERRITE_VERSION_MINOR, 0);
  EXPECT_LT(FERRITE_VERSION_MINOR, 100);
  EXPECT_GE(FERRITE_VERSION_PATCH, 0);
  EXPECT_LT(FERRITE_VERSION_PATCH, 100);
}

TEST(Version, PackedMatchesParts) {
  EXPECT_EQ(FERRITE_VERSION / 10000, FERRITE_VERSION_MAJOR);
  EXPECT_EQ(FERRITE_VERSION / 100 % 100, FERRITE_VERSION_MINOR);
  EXPECT_EQ(FERRITE_VERSION % 100, FERRITE_VERSION_PATCH);
}

}  // namespace
