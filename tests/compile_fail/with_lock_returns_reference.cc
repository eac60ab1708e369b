// EXPECT: ferrite::Mutex::with_lock: f returns a borrow
// with_lock unlocks when f returns, so a reference that f returns into the
// data would be used with the mutex unlocked. The way out, in the control
// build: return a copy.
#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<long> total(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  long& n = total.with_lock([](long& value) -> long& { return value; });
  n += 1;
#else
  long n = total.with_lock([](long& value) { return value; });
#endif
  return static_cast<int>(n);
}
