// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// A generic lambda: every instantiated call operator is checked.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&](auto step) { n += step; }, 1);
  });
  return n == 1 ? 0 : 1;
}
