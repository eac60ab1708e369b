// EXPECT: run_later: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A function marked FERRITE_THREAD_BOUNDARY is checked like thread::spawn.
#include <utility>

#include "ferrite/boundary.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

template <class F>
FERRITE_THREAD_BOUNDARY void run_later(F f) {
  auto handle = ferrite::thread::spawn(std::move(f));
  (void)handle.join();
}

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  run_later([rc] { (void)*rc; });
  return 0;
}
