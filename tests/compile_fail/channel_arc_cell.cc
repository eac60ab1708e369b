// EXPECT: not_Sync<ferrite::Cell<int>,
// EXPECT: because::it_mutates_through_const_without_synchronization,
// EXPECT: way_out::use_a_Mutex_an_RwLock_or_atomics>
// EXPECT-ERRORS: 1
// An Arc shares its value between the threads that hold a clone: a message
// Arc<Cell<int>> would let two threads set one Cell. Arc<T> crosses only
// when T is Sync, and the first error line names the type that is not,
// Cell<int>, with the way out (a Mutex, an RwLock or atomics).
#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/channel.h"
#include "ferrite/mutex.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto [tx, rx] = ferrite::channel::bounded<ferrite::Arc<ferrite::Cell<int>>>(1);
  static_cast<void>(tx.send(ferrite::make_arc<ferrite::Cell<int>>(0)));
#else
  auto [tx, rx] = ferrite::channel::bounded<ferrite::Arc<ferrite::Mutex<int>>>(1);
  static_cast<void>(tx.send(ferrite::make_arc<ferrite::Mutex<int>>(0)));
#endif
  return rx.recv().has_value() ? 0 : 1;
}
