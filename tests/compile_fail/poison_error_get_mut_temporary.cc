// EXPECT: ferrite::PoisonError::get_mut on a temporary error would outlive it
// get_mut() on the PoisonError inside a temporary LockResult borrows a guard
// that unlocks at the end of the statement; `**` on it would then reach the
// data unlocked. The way out, in the control build: move the guard out of a
// named result with into_inner().
#include <utility>

#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<long> total(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::MutexGuard<long>& guard = total.lock().error().get_mut();
#else
  auto result = total.lock();
  if (result) return 0;
  ferrite::MutexGuard<long> guard = std::move(result.error()).into_inner();
#endif
  *guard += 1;
  return 0;
}
