// EXPECT: Cell<int>>>': a reference T& (or std::reference_wrapper<T>) is Send only when T is Sync
// std::ref(cell) is a reference in disguise, so spawn(f, std::ref(cell)) is rejected
// (requirement 'type_is_Send<std::reference_wrapper<ferrite::Cell<int>>>').
#include <functional>

#include "ferrite/marker.h"

void move_to_thread() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::detail::assert_send<std::reference_wrapper<ferrite::Cell<int>>>();
#else
  ferrite::detail::assert_send<std::reference_wrapper<const int>>();  // a Sync referent
#endif
}
