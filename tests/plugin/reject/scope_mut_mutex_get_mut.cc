// EXPECT: Scope::spawn: the lambda modifies 'm' (captured by reference), but ferrite::Mutex<int> is not safe to mutate from two threads (ferrite::SyncMut); lock it
// Mutex::get_mut() needs exclusive access: through a shared borrow, lock.
#include "ferrite/mutex.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Mutex<int> m(0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { **m.get_mut() += 1; });
    s.spawn([&] { **m.get_mut() += 1; });
  });
  return 0;
}
