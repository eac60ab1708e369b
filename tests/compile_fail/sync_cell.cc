// EXPECT: not_Sync<ferrite::Cell<int>,
// EXPECT: because::it_mutates_through_const_without_synchronization,
// EXPECT: way_out::use_a_Mutex_an_RwLock_or_atomics>
// EXPECT-ERRORS: 1
// std::cref(cell) into a scoped thread shares the Cell: Cell::set is const,
// so both threads could write it. A Cell is not Sync.
#include <functional>

#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Cell<int> hits(0);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
    s.spawn([](const ferrite::Cell<int>& c) { c.set(1); }, std::cref(hits)).join();
#else
    const int start = hits.get();  // share a Sync copy instead
    s.spawn([](const int& n) { return n; }, std::cref(start)).join();
#endif
  });
}
