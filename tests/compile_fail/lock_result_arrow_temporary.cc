// EXPECT: `->` on a temporary lock result reaches a guard that is unlocked
// `m.lock()->` reaches the guard inside a temporary LockResult, whose
// members look like those of a named guard: `m.lock()->operator->()` would
// hand out a pointer to the data that outlives the lock. The way out, in the
// control build: name the result.
#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<long> total(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  long* p = total.lock()->operator->();
#else
  auto guard = total.lock();
  long* p = guard->operator->();
#endif
  *p += 1;
  return 0;
}
