// EXPECT: Cell<int> &>': a reference T& (or std::reference_wrapper<T>) is Send only when T is Sync
// Handing another thread a Cell<int>& would let two threads mutate it unsynchronized
// (requirement 'type_is_Send<ferrite::Cell<int> &>', then the Cell's own "is not Sync" error).
#include "ferrite/marker.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void move_to_thread() { ferrite::detail::assert_send<ferrite::Cell<int>&>(); }
#else
void move_to_thread() { ferrite::detail::assert_send<ferrite::Cell<int>>(); }  // move the value
#endif
