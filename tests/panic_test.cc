// tests/panic_test.cc — ferrite/panic.h.
#include "ferrite/panic.h"

#include <exception>
#include <source_location>
#include <stdexcept>
#include <string>

#include "gtest/gtest.h"

namespace {

TEST(PanicTest, HeaderExample) {
  try {
    ferrite::panic("ledger is unbalanced");
    FAIL() << "panic returned";
  } catch (const ferrite::Panic& p) {
    EXPECT_STREQ(p.what(), "ledger is unbalanced");
    EXPECT_STREQ(p.location().file_name(), std::source_location::current().file_name());
  }
}

TEST(PanicTest, WhatIsExactlyTheMessage) {
  const std::string message = "index 7 out of range for length 3";
  EXPECT_THROW(
      {
        try {
          ferrite::panic(message);
        } catch (const std::exception& e) {
          EXPECT_EQ(std::string(e.what()), message);
          throw;
        }
      },
      ferrite::Panic);
}

TEST(PanicTest, LocationIsTheCallSite) {
  const unsigned line = std::source_location::current().line() + 2;
  try {
    ferrite::panic("here");
  } catch (const ferrite::Panic& p) {
    EXPECT_EQ(p.location().line(), line);
    EXPECT_STREQ(p.location().file_name(), __FILE__);
  }
}

TEST(PanicTest, ExplicitLocationIsKept) {
  const std::source_location where = std::source_location::current();
  ferrite::Panic p("custom", where);
  EXPECT_EQ(p.location().line(), where.line());
  EXPECT_STREQ(p.what(), "custom");
}

TEST(PanicTest, CopiesShareTheMessage) {
  ferrite::Panic original("shared");
  ferrite::Panic copy = original;
  EXPECT_STREQ(copy.what(), "shared");
  EXPECT_EQ(copy.what(), original.what());  // same storage: copying cannot throw
  static_assert(std::is_nothrow_copy_constructible_v<ferrite::Panic>);
}

TEST(PanicTest, EmptyMessage) {
  ferrite::Panic p("");
  EXPECT_STREQ(p.what(), "");
}

TEST(PanicPayloadTest, HeaderExample) {
  ferrite::PanicPayload payload(std::make_exception_ptr(ferrite::Panic("boom")));
  EXPECT_EQ(payload.message(), "boom");
}

TEST(PanicPayloadTest, MessageOfStdException) {
  ferrite::PanicPayload payload(std::make_exception_ptr(std::runtime_error("io failed")));
  EXPECT_EQ(payload.message(), "io failed");
}

TEST(PanicPayloadTest, MessageOfNonStdException) {
  ferrite::PanicPayload payload(std::make_exception_ptr(42));
  EXPECT_EQ(payload.message(), "unknown panic");
}

TEST(PanicPayloadTest, MessageOfNullPayload) {
  ferrite::PanicPayload payload(nullptr);
  EXPECT_EQ(payload.message(), "unknown panic");
  EXPECT_THROW(payload.resume(), ferrite::Panic);
}

TEST(PanicPayloadTest, ExceptionIsTheCapturedOne) {
  std::exception_ptr captured;
  try {
    ferrite::panic("captured");
  } catch (...) {
    captured = std::current_exception();
  }
  ferrite::PanicPayload payload(captured);
  EXPECT_EQ(payload.exception(), captured);
  try {
    std::rethrow_exception(payload.exception());
  } catch (const ferrite::Panic& p) {
    EXPECT_STREQ(p.what(), "captured");
  }
}

TEST(PanicPayloadTest, ResumeRethrowsTheSameException) {
  ferrite::PanicPayload payload(std::make_exception_ptr(std::logic_error("again")));
  try {
    payload.resume();
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "again");
    return;
  }
  FAIL() << "resume did not throw";
}

TEST(PanicDetailTest, PanickingDuringUnwinding) {
  struct Probe {
    bool* seen;
    ~Probe() { *seen = ferrite::detail::panicking(); }
  };
  EXPECT_FALSE(ferrite::detail::panicking());
  bool seen = false;
  try {
    Probe probe{&seen};
    ferrite::panic("unwind");
  } catch (const ferrite::Panic&) {
    EXPECT_FALSE(ferrite::detail::panicking());  // caught: no longer unwinding
  }
  EXPECT_TRUE(seen);
  bool seen_normally = true;
  { Probe probe{&seen_normally}; }
  EXPECT_FALSE(seen_normally);
}

TEST(PanicAssertTest, AssertPanicsWithConditionAndMessage) {
  int len = 3;
  try {
    FERRITE_ASSERT(len > 5, "too short");
    FAIL() << "assert passed";
  } catch (const ferrite::Panic& p) {
    EXPECT_EQ(std::string(p.what()), "too short: len > 5");
  }
  EXPECT_NO_THROW(FERRITE_ASSERT(len == 3, "never"));
}

TEST(PanicAssertTest, DebugAssertFollowsNdebug) {
#ifdef NDEBUG
  EXPECT_NO_THROW(FERRITE_DEBUG_ASSERT(1 == 2));
#else
  EXPECT_THROW(FERRITE_DEBUG_ASSERT(1 == 2), ferrite::Panic);
#endif
  EXPECT_NO_THROW(FERRITE_DEBUG_ASSERT(1 == 1));
}

}  // namespace
