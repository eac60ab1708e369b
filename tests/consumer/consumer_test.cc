// A user's program: includes ferrite's headers the documented way and checks
// a few results; exits non-zero on any mismatch.
#include <cstdio>

#include "ferrite/unsafe.h"

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "consumer_test: FAILED: %s\n", what);
      ++failures;
    }
  };
  check(sizeof(ferrite::UnsafeFn) == 1, "unsafe_fn tag is an empty type");
  if (failures == 0) std::puts("consumer_test: ferrite works from a user's workspace");
  return failures == 0 ? 0 : 1;
}
