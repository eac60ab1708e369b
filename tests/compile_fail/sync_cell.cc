// EXPECT: type_is_Sync<ferrite::Cell<int>>': Cell<T> (RefCell<T>, UnsafeCell<T>) is not Sync
// Cell is Send but never Sync: it mutates through const& without synchronization.
#include "ferrite/marker.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void share_between_threads() { ferrite::detail::assert_sync<ferrite::Cell<int>>(); }
#else
void share_between_threads() { ferrite::detail::assert_sync<int>(); }  // plain data is Sync
#endif
