// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// Binding a non-const reference to the referent is a write waiting to happen.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      int& r = n;
      r = 2;
    });
  });
  return n == 2 ? 0 : 1;
}
