// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// A channel moves its messages to other threads; Rc's count is not atomic,
// so a channel of Rc<int> must be rejected (use Arc<int>).
#include "ferrite/arc.h"
#include "ferrite/channel.h"
#include "ferrite/rc.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void make_channel() { auto [tx, rx] = ferrite::channel::unbounded<ferrite::Rc<int>>(); }
#else
// The way out: Arc.
void make_channel() { auto [tx, rx] = ferrite::channel::unbounded<ferrite::Arc<int>>(); }
#endif
