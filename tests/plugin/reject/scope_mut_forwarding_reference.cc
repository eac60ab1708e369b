// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// A forwarding reference that deduces int& binds a non-const reference.
#include "ferrite/thread.h"

template <class T>
void set(T&& x) {
  x = 1;
}

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) { s.spawn([&] { set(n); }); });
  return n == 1 ? 0 : 1;
}
