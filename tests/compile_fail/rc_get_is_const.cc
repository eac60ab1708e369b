// EXPECT: read-only variable is not assignable
// Rc::get() is shared access, like `*`: it returns `const T*`, so a clone
// cannot mutate a value other clones are reading. The way out, in the
// control build, is get_mut() on the sole handle (or an Rc<RefCell<T>>).
#include "ferrite/rc.h"

int main() {
  auto counter = ferrite::make_rc<long>(0);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto other = counter.clone();
  *other.get() += 1;
#else
  *counter.get_mut() += 1;
#endif
  return 0;
}
