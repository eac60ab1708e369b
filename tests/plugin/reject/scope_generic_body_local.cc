// EXPECT: Scope::spawn: the lambda borrows 'local' (int), which does not live long enough
// The scope's closure written as a generic lambda: its locals die before
// the scope joins all the same.
#include "ferrite/thread.h"

int main() {
  ferrite::thread::scope([&](auto& s) {
    int local = 1;
    s.spawn([&] { return local; });
  });
  return 0;
}
