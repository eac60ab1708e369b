// EXPECT: Scope::spawn: the closure that a std::reference_wrapper refers to modifies 'n' (captured by reference), but int is not safe to mutate
// The closure handed over as std::cref: each thread calls the same closure.
#include <functional>

#include "ferrite/thread.h"

int main() {
  int n = 0;
  auto inc = [&] { ++n; };
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn(std::cref(inc));
    s.spawn(std::cref(inc));
  });
  return n == 2 ? 0 : 1;
}
