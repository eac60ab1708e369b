// EXPECT: Scope::spawn: the lambda casts const away from 'n' (captured by reference), but int is not safe to mutate
// A const reference bound inside the thread, then its const cast away.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      const int& r = n;
      const_cast<int&>(r)++;
    });
  });
  return n == 1 ? 0 : 1;
}
