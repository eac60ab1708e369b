// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// Two scoped threads write a borrowed int, inside a generic scope closure.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](auto& s) {
    s.spawn([&] { ++n; });
    s.spawn([&] { ++n; });
  });
  return n == 2 ? 0 : 1;
}
