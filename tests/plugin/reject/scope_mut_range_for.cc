// EXPECT: Scope::spawn: the lambda modifies 'values' (captured by reference) through a subobject of type int, but int is not safe to mutate
// A range-for with auto& writes the elements of the borrowed array.
#include "ferrite/thread.h"

int main() {
  int values[3] = {1, 2, 3};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      for (auto& x : values) x = 0;
    });
  });
  return values[0];
}
