// EXPECT: read-only variable is not assignable
// Arc::get() is shared access, like `*`: every clone has it, so two threads
// writing through it would race. It returns `const T*`; the way out, in the
// control build, is get_mut() on the sole handle (or a Mutex inside the Arc).
#include "ferrite/arc.h"

int main() {
  auto counter = ferrite::make_arc<long>(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto other = counter.clone();
  *other.get() += 1;
#else
  *counter.get_mut() += 1;
#endif
  return 0;
}
