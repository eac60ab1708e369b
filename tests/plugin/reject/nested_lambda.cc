// EXPECT: thread::spawn: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// The outer lambda captures the inner one, and the inner one holds the Rc.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  auto inner = [rc] { return *rc; };
  auto handle = ferrite::thread::spawn([inner] { return inner(); });
  return *handle.join() == 1 ? 0 : 1;
}
