// EXPECT: Scope::spawn: the closure 'inc' that the lambda borrows modifies 'n' (captured by reference), but int is not safe to mutate
// A closure that writes its own borrow, borrowed by two threads and called:
// its call operator is const, but what it captured by reference is not.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  auto inc = [&] { ++n; };
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { inc(); });
    s.spawn([&] { inc(); });
  });
  return n == 2 ? 0 : 1;
}
