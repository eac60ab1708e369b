// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// Every std container is judged by its elements: a deque of Rc moved to a
// thread would leave two threads updating one non-atomic count.
#include <deque>

#include "ferrite/arc.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::deque<ferrite::Rc<int>> items{ferrite::make_rc<int>(1)};
  auto h = ferrite::thread::spawn([](std::deque<ferrite::Rc<int>> d) { return d.size(); }, items);
#else
  std::deque<ferrite::Arc<int>> items{ferrite::make_arc<int>(1)};
  auto h = ferrite::thread::spawn([](std::deque<ferrite::Arc<int>> d) { return d.size(); }, items);
#endif
  return h.join().has_value() ? 0 : 1;
}
