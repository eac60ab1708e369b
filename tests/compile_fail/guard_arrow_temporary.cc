// EXPECT: ferrite::MutexGuard: `*` and `->` on a temporary guard
// `(*m.lock())->` reaches the data through a temporary guard: the pointer
// that `->` hands out (here, kept by asking for it by name) dangles once the
// guard unlocks at the end of the statement. The way out, in the control
// build: name the guard.
#include <string>

#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<std::string> name("ferrite");
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::string* p = (*name.lock()).operator->();
#else
  auto guard = name.lock();
  std::string* p = (*guard).operator->();
#endif
  p->push_back('!');
  return 0;
}
