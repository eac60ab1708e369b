// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// Taking a pointer to non-const of the referent.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      int* p = &n;
      *p = 1;
    });
  });
  return n == 1 ? 0 : 1;
}
