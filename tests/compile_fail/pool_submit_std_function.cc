// EXPECT: not_Send<std::function<int ()>,
// EXPECT: because::type_erasure_hides_the_type_it_holds,
// EXPECT: way_out::use<ferrite::SendFn<int ()>>>
// EXPECT-ERRORS: 1
// A std::function hides the callable it stores (here one that holds an Rc),
// so a pool cannot check what its job would take to a worker. The first
// error line names the std::function and the way out: a SendFn, which
// checks the callable when it is stored.
#include <functional>

#include "ferrite/rc.h"
#include "ferrite/send_fn.h"
#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(1);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::function<int()> job = [count = ferrite::make_rc<int>(1)] { return *count; };
#else
  ferrite::SendFn<int()> job = [] { return 1; };
#endif
  auto h = pool.submit(std::move(job));
  return h.join().has_value() ? 0 : 1;
}
