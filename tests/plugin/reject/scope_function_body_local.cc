// EXPECT: Scope::spawn: the lambda borrows 'local' (int), which does not live long enough
// The Scope handed to a plain function (or a function object) that spawns
// on it: the function's locals die when it returns, before the join.
#include "ferrite/thread.h"

void body(ferrite::thread::Scope& s) {
  int local = 1;
  ferrite::thread::Scope& scope = s;
  scope.spawn([&] { return local; });
}

int main() {
  ferrite::thread::scope(body);
  return 0;
}
