// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// An error that carries the message back is exactly as Send as the message:
// an Rc must not cross inside a SendError.
#include "ferrite/arc.h"
#include "ferrite/channel_error.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::SendError<ferrite::Rc<int>> error(ferrite::make_rc<int>(1));
  auto h = ferrite::thread::spawn([](ferrite::SendError<ferrite::Rc<int>> e) { return *e.get_ref(); },
                                  std::move(error));
#else
  ferrite::SendError<ferrite::Arc<int>> error(ferrite::make_arc<int>(1));
  auto h = ferrite::thread::spawn([](ferrite::SendError<ferrite::Arc<int>> e) { return *e.get_ref(); },
                                  std::move(error));
#endif
  return h.join().has_value() ? 0 : 1;
}
