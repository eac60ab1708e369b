// EXPECT: not_Send<std::reference_wrapper<ferrite::Vec<int>>,
// EXPECT: because::a_non_const_reference_is_a_mutable_alias,
// EXPECT: way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in>
// EXPECT-ERRORS: 2
// std::ref(v) is a mutable alias: spawn(push_many, std::ref(v)) twice would
// let two threads push into one Vec at once. A non-const reference is never
// Send, even when its referent is Sync; move the Vec in (or use a scope and
// split_at_mut for disjoint halves).
#include <functional>

#include "ferrite/thread.h"
#include "ferrite/vec.h"

void push_many(ferrite::Vec<int>& v) {
  for (int i = 0; i < 100; ++i) v.push(i);
}
ferrite::Vec<int> push_many_owned(ferrite::Vec<int> v) {
  push_many(v);
  return v;
}

int main() {
  ferrite::Vec<int> v;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto a = ferrite::thread::spawn(push_many, std::ref(v));
  auto b = ferrite::thread::spawn(push_many, std::ref(v));
  return a.join().has_value() && b.join().has_value() ? 0 : 1;
#else
  auto a = ferrite::thread::spawn(push_many_owned, std::move(v));
  return a.join().has_value() ? 0 : 1;
#endif
}
