// EXPECT: Scope::spawn: the lambda borrows 'r' (const int), a reference to an object that does not live long enough
// A temporary whose life a reference in the scope's closure extends dies
// with that closure, before the scope joins.
#include "ferrite/thread.h"

int make() { return 5; }

int main() {
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    const int& r = make();
    s.spawn([&] { return r; });
  });
  return 0;
}
