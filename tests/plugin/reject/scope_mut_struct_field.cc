// EXPECT: Scope::spawn: the lambda modifies 'point' (captured by reference) through a subobject of type int, but int is not safe to mutate
// A write to a field of a borrowed struct.
#include "ferrite/thread.h"

struct Point {
  int x;
  int y;
};

int main() {
  Point point{0, 0};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { point.x = 1; });
    s.spawn([&] { point.y = 1; });
  });
  return point.x + point.y == 2 ? 0 : 1;
}
