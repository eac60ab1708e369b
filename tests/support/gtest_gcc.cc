// GoogleTest and its main() as one translation unit, for the suites' GCC
// twins (tests/gcc.bzl): what GoogleTest's own gtest-all.cc and
// gtest_main.cc hold, which its Bazel package does not export.
#include <gtest/gtest.h>

#include "src/gtest-assertion-result.cc"
#include "src/gtest-death-test.cc"
#include "src/gtest-filepath.cc"
#include "src/gtest-matchers.cc"
#include "src/gtest-port.cc"
#include "src/gtest-printers.cc"
#include "src/gtest-test-part.cc"
#include "src/gtest-typed-test.cc"
#include "src/gtest.cc"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
