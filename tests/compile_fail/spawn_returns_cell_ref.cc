// EXPECT: (aka 'ferrite::Cell<int> &') does not satisfy 'Send'
// The result of a spawned callable crosses back to the joining thread; a
// Cell<int>& is Send only if Cell<int> is Sync, and it is not (its mutation
// through const& is unsynchronized).
#include "ferrite/cell.h"
#include "ferrite/thread.h"

ferrite::Cell<int> counter(0);

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto handle = ferrite::thread::spawn([]() -> ferrite::Cell<int>& { return counter; });
#else
  auto handle = ferrite::thread::spawn([]() -> int { return counter.get(); });
#endif
  return handle.join().has_value() ? 0 : 1;
}
