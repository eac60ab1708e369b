// EXPECT: Scope::spawn: the lambda casts const away from 'cn' (captured by reference), but int is not safe to mutate
// A const reference to a non-const int, captured, and its const cast away.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  const int& cn = n;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { const_cast<int&>(cn) = 2; });
  });
  return n == 2 ? 0 : 1;
}
