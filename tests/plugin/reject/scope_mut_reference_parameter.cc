// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// Passing the referent to a function that takes int&.
#include "ferrite/thread.h"

void bump(int& x) { ++x; }

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) { s.spawn([&] { bump(n); }); });
  return n == 1 ? 0 : 1;
}
