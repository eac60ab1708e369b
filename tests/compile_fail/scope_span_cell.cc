// EXPECT: not_Send<std::span<ferrite::Cell<int>>,
// EXPECT: because::a_non_const_reference_is_a_mutable_alias,
// EXPECT: way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in>
// EXPECT-ERRORS: 1
// A std::span<T> is a T& to each element: two scoped threads given the same
// span of Cells would both write them. Only std::span<const T> of a Sync T
// crosses (or split a Vec with split_at_mut).
#include <span>

#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::Cell<int> cells[2] = {ferrite::Cell<int>(0), ferrite::Cell<int>(0)};
  std::span<ferrite::Cell<int>> view(cells);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](std::span<ferrite::Cell<int>> v) { v[0].set(1); }, view).join();
  });
#else
  const int numbers[2] = {1, 2};
  std::span<const int> view(numbers);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](std::span<const int> v) { return v[0]; }, view).join();
  });
#endif
}
