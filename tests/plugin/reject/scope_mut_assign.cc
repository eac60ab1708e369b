// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// An assignment through an explicit by-reference capture.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&n] { n = 1; });
    s.spawn([&n] { n = 2; });
  });
  return n > 0 ? 0 : 1;
}
