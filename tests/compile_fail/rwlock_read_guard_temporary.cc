// EXPECT: ferrite::RwLockReadGuard: `*` and `->` on a temporary guard
// A reference into an RwLock through a temporary read guard: the read lock
// is gone at the end of the statement, and a writer may then change (or
// reallocate) the string under `s`. The way out, in the control build: name
// the guard.
#include <string>

#include "ferrite/rwlock.h"

int main() {
  const ferrite::RwLock<std::string> config("v1");
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  const std::string& s = **config.read();
#else
  auto guard = config.read();
  const std::string& s = **guard;
#endif
  return s.empty() ? 1 : 0;
}
