// EXPECT: ferrite::RwLockWriteGuard: `*` and `->` on a temporary guard
// A pointer into an RwLock through a temporary write guard: the write lock
// is gone at the end of the statement, so the push_back below would race
// with readers. The way out, in the control build: name the guard.
#include <vector>

#include "ferrite/rwlock.h"

int main() {
  const ferrite::RwLock<std::vector<int>> table;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::vector<int>* rows = (*table.write()).operator->();
#else
  auto guard = table.write();
  std::vector<int>* rows = (*guard).operator->();
#endif
  rows->push_back(1);
  return 0;
}
