// EXPECT: Cell<int>>>': Arc<T> is Send only when T is Send and Sync; wrap the value in a Mutex
// Arc<T> shares `const T&` between threads, so T must be Sync; Cell<int> is not. The requirement
// reads 'type_is_Send<ferrite::Arc<ferrite::Cell<int>>>', and clang then prints the cause:
// 'type_is_Sync<ferrite::Cell<int>>': Cell<T> (RefCell<T>, UnsafeCell<T>) is not Sync: ...
#include "ferrite/marker.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void move_to_thread() { ferrite::detail::assert_send<ferrite::Arc<ferrite::Cell<int>>>(); }
#else
void move_to_thread() { ferrite::detail::assert_send<ferrite::Arc<int>>(); }  // Sync content
#endif
