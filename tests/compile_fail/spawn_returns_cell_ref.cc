// EXPECT: not_Send<ferrite::Cell<int> &,
// EXPECT: because::a_non_const_reference_is_a_mutable_alias,
// EXPECT: way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in>
// EXPECT-ERRORS: 1
// The result of a spawned callable crosses back to the joining thread; a
// Cell<int>& is Send only if Cell<int> is Sync, and it is not (its mutation
// through const& is unsynchronized).
#include "ferrite/cell.h"
#include "ferrite/thread.h"

ferrite::Cell<int> counter(0);

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto handle = ferrite::thread::spawn([]() -> ferrite::Cell<int>& { return counter; });
#else
  auto handle = ferrite::thread::spawn([]() -> int { return counter.get(); });
#endif
  return handle.join().has_value() ? 0 : 1;
}
