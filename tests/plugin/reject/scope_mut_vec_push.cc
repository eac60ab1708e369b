// EXPECT: Scope::spawn: the lambda modifies 'v' (captured by reference), but ferrite::Vec<int> is not safe to mutate
// A non-const member function (Vec::push) through a by-reference capture.
#include "ferrite/vec.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Vec<int> v;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { v.push(1); });
    s.spawn([&] { v.push(2); });
  });
  return v.len() == 2 ? 0 : 1;
}
