// EXPECT: MutexGuard<T> (and the RwLock guards) is not Send
// A MutexGuard must be released by the thread that acquired it: moving one
// across a thread boundary (the shared Send check every boundary runs) must
// not compile. The way out, in the control build: move the Mutex's owner
// (an Arc<Mutex<int>>) instead, and lock inside the other thread.
#include "ferrite/arc.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<int> balance(0);
  auto guard = balance.lock();
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::detail::assert_send<ferrite::MutexGuard<int>>();
#else
  ferrite::detail::assert_send<ferrite::Arc<ferrite::Mutex<int>>>();
#endif
}
