// EXPECT: not_Send<std::reference_wrapper<ferrite::Cell<int>>,
// EXPECT: because::a_non_const_reference_is_a_mutable_alias,
// EXPECT: way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in>
// EXPECT-ERRORS: 1
// A non-const reference is a mutable alias: std::ref(cell) handed to a
// scoped thread would let two threads write the same Cell. Only std::cref of
// a Sync type crosses, and a Cell is not Sync.
#include <functional>

#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Cell<int> hits(0);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
    s.spawn([](ferrite::Cell<int>& c) { c.set(c.get() + 1); }, std::ref(hits)).join();
#else
    s.spawn([](int start) { return start + 1; }, hits.get()).join();  // pass the value
#endif
  });
}
