// EXPECT: ferrite::Rc<int>>': Rc<T> is not Send: Rc's reference count is not atomic; use Arc<T>
// Rc's count is not atomic: moving an Rc<int> to another thread must not compile.
#include "ferrite/marker.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void move_to_thread() { ferrite::detail::assert_send<ferrite::Rc<int>>(); }
#else
void move_to_thread() { ferrite::detail::assert_send<ferrite::Arc<int>>(); }  // the way out
#endif
