// EXPECT: thread::spawn: the lambda captures 'moved' by copy, but ferrite::Rc<int> is not Send
// Moving an Rc into the closure does not make its count atomic: a clone may stay behind.
#include <utility>

#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  ferrite::Rc<int> keep = rc.clone();
  auto handle = ferrite::thread::spawn([moved = std::move(rc)] { return *moved; });
  return *handle.join() == *keep ? 0 : 1;
}
