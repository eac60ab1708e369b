// EXPECT: not_owned<std::reference_wrapper<const ferrite::Vec<int>>,
// EXPECT: because::a_message_may_outlive_what_it_borrows,
// EXPECT: way_out::send_the_value_itself_or_an_Arc>
// EXPECT-ERRORS: 1
// A message may be received after its sender's frame is gone: a
// reference_wrapper to a producer's local would dangle. Messages own their
// data (send the Vec itself, or an Arc).
#include <functional>

#include "ferrite/arc.h"
#include "ferrite/channel.h"
#include "ferrite/vec.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto [tx, rx] = ferrite::channel::unbounded<std::reference_wrapper<const ferrite::Vec<int>>>();
#else
  auto [tx, rx] = ferrite::channel::unbounded<ferrite::Arc<ferrite::Vec<int>>>();
#endif
  return rx.try_recv().has_value() ? 1 : 0;
}
