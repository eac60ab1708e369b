// EXPECT: Scope::spawn: the lambda modifies 'first' (captured by reference), but int is not safe to mutate
// A structured binding captured by reference names the decomposed object.
#include <utility>

#include "ferrite/thread.h"

int main() {
  auto [first, second] = std::pair<int, int>(1, 2);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) { s.spawn([&] { first += second; }); });
  return first == 3 ? 0 : 1;
}
