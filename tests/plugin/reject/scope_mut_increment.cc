// EXPECT: Scope::spawn: the lambda modifies 'n' (captured by reference), but int is not safe to mutate from two threads
// Two scoped threads that both write an int they borrow race: a shared
// borrow is read-only unless the type is ferrite::SyncMut (std::atomic).
#include "ferrite/thread.h"

int main() {
  int n = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { n++; });
    s.spawn([&] { n++; });
  });
  return n == 2 ? 0 : 1;
}
