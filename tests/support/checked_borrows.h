// tests/support/checked_borrows.h — the base of the test fixtures whose tests
// exercise the checked borrows (FERRITE_CHECKED_BORROWS): in a build without
// them, every such test is skipped.
#pragma once

#include "ferrite/detail/borrow.h"
#include "gtest/gtest.h"

namespace ferrite::testing {

class CheckedBorrowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!detail::kCheckedBorrows) GTEST_SKIP() << "built with FERRITE_CHECKED_BORROWS=0";
  }
};

}  // namespace ferrite::testing
