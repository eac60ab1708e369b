// EXPECT: not_Sync<ferrite::Cell<int>,
// EXPECT: because::it_mutates_through_const_without_synchronization,
// EXPECT: way_out::use_a_Mutex_an_RwLock_or_atomics>
// EXPECT-ERRORS: 1
// Arc<T> shares T between threads, so it crosses only when T is Sync; a Cell
// is not (use Arc<Mutex<T>> or atomics).
#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/mutex.h"
#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto shared = ferrite::make_arc<ferrite::Cell<int>>(0);
  auto h = ferrite::thread::spawn([](ferrite::Arc<ferrite::Cell<int>> c) { c->set(1); }, shared);
#else
  auto shared = ferrite::make_arc<ferrite::Mutex<int>>(0);
  auto h = ferrite::thread::spawn(
      [](ferrite::Arc<ferrite::Mutex<int>> m) { m->with_lock([](int& v) { v = 1; }); }, shared);
#endif
  return h.join().has_value() ? 0 : 1;
}
