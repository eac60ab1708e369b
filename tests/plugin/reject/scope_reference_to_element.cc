// EXPECT: Scope::spawn: the lambda borrows 'first' (int), a reference to an object that does not live long enough
// A reference to an element of a vector local to the scope's closure,
// reached through operator[] and a pointer.
#include <vector>

#include "ferrite/thread.h"

int main() {
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    std::vector<int> local(4, 1);
    int* p = &local[0];
    int& first = *p;
    s.spawn([&] { return first; });
  });
  return 0;
}
