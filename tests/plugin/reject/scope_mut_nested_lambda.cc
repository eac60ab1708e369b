// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// A nested lambda that captures the capture by reference and writes it.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { [&] { ++n; }(); });
  });
  return n == 1 ? 0 : 1;
}
