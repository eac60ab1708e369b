// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate
// std::ref hands out an int& (it takes its argument as T&).
#include <functional>

#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      auto r = std::ref(n);
      r.get() = 1;
    });
  });
  return n == 1 ? 0 : 1;
}
