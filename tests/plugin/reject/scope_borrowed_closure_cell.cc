// EXPECT: Scope::spawn: the closure 'bump' that the lambda borrows holds 'c' by copy, and every thread that borrows the closure uses it, but ferrite::Cell<int> is not Sync
// A closure holding a Cell by copy, borrowed by two threads: both reach the
// one Cell through the shared closure.
#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Cell<int> c(0);
  auto bump = [c] { c.set(c.get() + 1); };
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { bump(); });
    s.spawn([&] { bump(); });
  });
  return 0;
}
