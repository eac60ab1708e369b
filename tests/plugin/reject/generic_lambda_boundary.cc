// EXPECT: thread::spawn: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A boundary called inside a generic lambda: checked in each instantiation.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  auto start = [](auto value) {
    auto rc = ferrite::make_rc<decltype(value)>(value);
    return ferrite::thread::spawn([rc] { return *rc; }).join().value();
  };
  return start(0);
}
