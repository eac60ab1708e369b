// EXPECT: Scope::spawn: the lambda casts const away from 'n' (captured by reference), but int is not safe to mutate
// The referent made const first and the const cast away: still a write.
#include <utility>

#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { const_cast<int&>(std::as_const(n)) += 1; });
    s.spawn([&] { const_cast<int&>(std::as_const(n)) += 1; });
  });
  return n == 2 ? 0 : 1;
}
