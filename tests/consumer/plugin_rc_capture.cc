// EXPECT: thread::spawn: the lambda captures 'counter' by copy, but ferrite::Rc<int> is not Send
// A user's compile-fail test: with the ferrite-clang plugin on
// (`ferrite_check = True`), a lambda that carries an Rc to another thread
// does not compile. (The control half carries an Arc.)
#include "ferrite/arc.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
#ifdef FERRITE_COMPILE_FAIL_CONTROL
  auto counter = ferrite::make_arc<int>(1);
#else
  auto counter = ferrite::make_rc<int>(1);
#endif
  return *ferrite::thread::spawn([counter] { return *counter; }).join() == 1 ? 0 : 1;
}
