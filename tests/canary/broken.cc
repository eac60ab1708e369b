// A deliberately broken program: each mode commits one bug that exactly one
// sanitizer must catch. The canary tests in this package pass only when the
// instrumented build of this binary is stopped with the expected report, which
// proves the _asan and _tsan twins really are instrumented.
#include <climits>
#include <cstdio>
#include <string_view>
#include <thread>

#include "ferrite/unsafe.h"

namespace {

// Each bug returns 0 when it goes unnoticed (the uninstrumented control).
volatile int sink;

int heap_use_after_free() {
  int* value = new int(7);
  delete value;
  sink = *value;  // ASan: heap-use-after-free
  return 0;
}

int signed_overflow() {
  volatile int big = INT_MAX;
  sink = big + 1;  // UBSan: signed integer overflow
  return 0;
}

int data_race() {
  int counter = 0;  // shared without synchronization: TSan: data race
  std::thread other([&counter] {
    for (int i = 0; i < 1000; ++i) ++counter;
  });
  for (int i = 0; i < 1000; ++i) ++counter;
  other.join();
  sink = counter;
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fputs("usage: broken heap-use-after-free|signed-overflow|data-race\n", stderr);
    return 2;
  }
  // SAFETY(canary-argv): argc == 2, so argv[1] is a valid C string.
  std::string_view mode(FERRITE_UNSAFE_BUFFERS(argv[1]));
  if (mode == "heap-use-after-free") return heap_use_after_free();
  if (mode == "signed-overflow") return signed_overflow();
  if (mode == "data-race") return data_race();
  std::fputs("unknown mode\n", stderr);
  return 2;
}
