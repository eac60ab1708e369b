// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// thread::spawn moves each argument to the new thread; Rc's count is not
// atomic, so an Rc argument must be rejected (use Arc<int>).
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Rc<int> shared = ferrite::make_rc<int>(1);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto handle = ferrite::thread::spawn([](ferrite::Rc<int> value) { return *value; }, shared);
#else
  auto handle = ferrite::thread::spawn([](int value) { return value; }, *shared);
#endif
  return handle.join().has_value() ? 0 : 1;
}
