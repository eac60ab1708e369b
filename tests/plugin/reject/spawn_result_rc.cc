// EXPECT: thread::spawn: the closure that the job returns captures 'mine' by copy, but ferrite::Rc<int> is not Send
// The job's result crosses back to the joining thread: a closure holding an
// Rc would leave a copy of the count in each thread.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

int main() {
  auto handle = ferrite::thread::spawn([] {
    ferrite::Rc<int> mine = ferrite::make_rc<int>(2);
    return [mine] { return *mine; };
  });
  return handle.join().value()() == 2 ? 0 : 1;
}
