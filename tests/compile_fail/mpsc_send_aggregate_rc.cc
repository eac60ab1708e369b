// EXPECT: not_Send<ferrite::Rc<int>,
// EXPECT: because::Rc_reference_count_is_not_atomic,
// EXPECT: way_out::use<ferrite::Arc<int>>>
// EXPECT-ERRORS: 1
// An aggregate is Send only when every field is: a Job whose `owner` field
// is an Rc would be counted from two threads without atomics once sent. The
// first error line names the field's type, Rc<int>, rather than Job, and
// the way out; sending on the rejected channel adds no error of its own.
#include <string>

#include "ferrite/arc.h"
#include "ferrite/mpsc.h"
#include "ferrite/rc.h"

struct Job {
  std::string name;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::Rc<int> owner;
#else
  ferrite::Arc<int> owner;
#endif
};

int main() {
  auto [tx, rx] = ferrite::mpsc::channel<Job>();
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  static_cast<void>(tx.send(Job{"build", ferrite::make_rc<int>(1)}));
#else
  static_cast<void>(tx.send(Job{"build", ferrite::make_arc<int>(1)}));
#endif
  return rx.recv().has_value() ? 0 : 1;
}
