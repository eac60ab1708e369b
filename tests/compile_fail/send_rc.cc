// EXPECT: because 'ferrite::Rc<int>' does not satisfy 'Send'
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
