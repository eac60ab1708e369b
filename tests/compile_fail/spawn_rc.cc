// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// The result of a thread crosses back to the thread that joins it: an Rc
// made on the new thread would then be counted from two threads without
// atomics. The first error line names the Rc, why, and the way out (Arc).
#include "ferrite/arc.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
ferrite::Rc<int> make_counter(int start) { return ferrite::make_rc<int>(start); }
#else
ferrite::Arc<int> make_counter(int start) { return ferrite::make_arc<int>(start); }
#endif

int main() {
  auto h = ferrite::thread::spawn(make_counter, 1);
  auto counter = h.join();
  return counter.has_value() && **counter == 1 ? 0 : 1;
}
