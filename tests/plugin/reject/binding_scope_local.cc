// EXPECT: Scope::spawn: the lambda borrows 'x' (int), which does not live long enough
// A structured binding borrows the object it was decomposed from, which dies
// when the closure passed to thread::scope returns.
#include "ferrite/thread.h"

struct Point {
  int x;
  int y;
};

int main() {
  ferrite::thread::scope([](ferrite::thread::Scope& s) {
    Point p{1, 2};
    auto [x, y] = p;
    s.spawn([&x] { return x; });
    (void)y;
  });
  return 0;
}
