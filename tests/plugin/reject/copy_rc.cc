// EXPECT: thread::spawn: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A copy of an Rc on another thread races on its non-atomic count.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  auto handle = ferrite::thread::spawn([rc] { return *rc; });
  return *handle.join() == 1 ? 0 : 1;
}
