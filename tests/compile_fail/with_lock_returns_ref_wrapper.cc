// EXPECT: ferrite::Mutex::with_lock: f returns a borrow
// std::ref(value) is a reference in disguise: returned out of with_lock it
// outlives the lock like a plain `long&`. The way out, in the control build:
// return the value.
#include <functional>

#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<long> total(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto n = total.with_lock([](long& value) { return std::ref(value); });
  n.get() += 1;
  return static_cast<int>(n.get());
#else
  auto n = total.with_lock([](long& value) { return value; });
  return static_cast<int>(n);
#endif
}
