// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// A channel moves each message to another thread; Rc's count is not atomic.
#include "ferrite/mpsc.h"
#include "ferrite/rc.h"
#include "ferrite/arc.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto [tx, rx] = ferrite::mpsc::channel<ferrite::Rc<int>>();
#else
  auto [tx, rx] = ferrite::mpsc::channel<ferrite::Arc<int>>();  // the way out
#endif
  return rx.try_recv().has_value() ? 1 : 0;
}
