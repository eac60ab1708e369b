// EXPECT: thread::spawn: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A generic lambda's captures are as concrete as any other's.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  auto handle = ferrite::thread::spawn([rc](auto x) { return *rc + x; }, 1);
  return *handle.join() == 2 ? 0 : 1;
}
