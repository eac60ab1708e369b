// EXPECT: Scope::spawn: the lambda casts const away from 'n' (captured by reference), but int is not safe to mutate
// A pointer to const taken inside the thread, then a C-style cast to int*.
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      const int* p = &n;
      *(int*)p = 3;
    });
  });
  return n == 3 ? 0 : 1;
}
