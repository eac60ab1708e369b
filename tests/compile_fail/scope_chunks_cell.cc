// EXPECT: not_Sync<ferrite::Cell<int>,
// EXPECT: because::it_mutates_through_const_without_synchronization,
// EXPECT: way_out::use_a_Mutex_an_RwLock_or_atomics>
// EXPECT-ERRORS: 1
// chunks(n) yields Slices, which are shared views: the range is as Send as a
// Slice<Cell<int>>, which is not (a Cell is not Sync).
#include "ferrite/cell.h"
#include "ferrite/thread.h"
#include "ferrite/vec.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::Vec<ferrite::Cell<int>> v;
  v.push(ferrite::Cell<int>(0));
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](ferrite::Chunks<ferrite::Cell<int>> c) { return c.begin() == c.end(); },
            v.chunks(1))
        .join();
  });
#else
  ferrite::Vec<int> v{1, 2};
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](ferrite::Chunks<int> c) { return c.begin() == c.end(); }, v.chunks(1)).join();
  });
#endif
}
