// EXPECT: not_Send<std::function<void ()>,
// EXPECT: because::type_erasure_hides_the_type_it_holds,
// EXPECT: way_out::use<ferrite::SendFn<void ()>>>
// EXPECT-ERRORS: 1
// std::function hides the type it stores (here a lambda holding an Rc), so
// ferrite cannot check it: type-erased wrappers are never Send. SendFn checks
// the callable when it is stored.
#include <functional>

#include "ferrite/send_fn.h"
#include "ferrite/thread.h"

void run(std::function<void()> f) { f(); }
void run_checked(ferrite::SendFn<void()> f) { f(); }

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::function<void()> job = [] {};
  auto h = ferrite::thread::spawn(run, std::move(job));
#else
  ferrite::SendFn<void()> job = [] {};
  auto h = ferrite::thread::spawn(run_checked, std::move(job));
#endif
  return h.join().has_value() ? 0 : 1;
}
