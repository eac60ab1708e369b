// EXPECT: Scope::spawn: the lambda modifies 'r' (captured by reference), but int is not safe to mutate
// An init-capture by reference is a borrow like any other.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) { s.spawn([&r = n] { ++r; }); });
  return n == 1 ? 0 : 1;
}
