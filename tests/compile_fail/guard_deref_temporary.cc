// EXPECT: ferrite::MutexGuard: `*` and `->` on a temporary guard
// `**m.lock()` dereferences a guard that is a temporary: it unlocks at the
// end of the statement, so `n` would dangle, or be used with the mutex
// unlocked. The way out, in the control build: name the guard, which keeps
// the lock for as long as the reference is used.
#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<long> total(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  long& n = **total.lock();
#else
  auto guard = total.lock();
  long& n = **guard;
#endif
  n += 1;
  return 0;
}
