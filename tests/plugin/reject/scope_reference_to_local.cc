// EXPECT: Scope::spawn: the lambda borrows 'r' (int), a reference to an object that does not live long enough
// A reference declared in the scope's closure, bound to a local of it: the
// local dies before the scope joins.
#include "ferrite/thread.h"

int main() {
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    int local = 1;
    int& r = local;
    s.spawn([&] { return r; });
  });
  return 0;
}
