// EXPECT: thread::spawn: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A structured binding is checked as the variable it names: copying `rc`
// copies an Rc.
#include <tuple>

#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  auto [rc, n] = std::tuple<ferrite::Rc<int>, int>{ferrite::make_rc<int>(1), 2};
  auto handle = ferrite::thread::spawn([rc] { return *rc; });
  return *handle.join() == 1 && n == 2 ? 0 : 1;
}
