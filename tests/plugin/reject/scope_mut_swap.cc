// EXPECT: Scope::spawn: the lambda modifies 'a' (captured by reference), but int is not safe to mutate
// std::swap takes both arguments as T&.
#include <utility>

#include "ferrite/thread.h"

int main() {
  int a = 1;
  int b = 2;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) { s.spawn([&] { std::swap(a, b); }); });
  return a == 2 ? 0 : 1;
}
