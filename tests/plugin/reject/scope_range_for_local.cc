// EXPECT: Scope::spawn: the lambda borrows 'x' (int), a reference to an object that does not live long enough
// A range-for over a vector local to the scope's closure: each element dies
// with the vector, before the scope joins.
#include <vector>

#include "ferrite/thread.h"

int main() {
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    std::vector<int> local(4, 1);
    for (int& x : local) s.spawn([&] { return x; });
  });
  return 0;
}
