// EXPECT: not_owned<std::basic_string_view<char>,
// EXPECT: because::a_returned_borrow_outlives_the_thread,
// EXPECT: way_out::return_a_value>
// EXPECT-ERRORS: 1
// A pool job's result travels back through a channel after the job is gone:
// a string_view into the job's own string would dangle.
#include <string>
#include <string_view>

#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(1);
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto h = pool.submit([text = std::string("job")]() -> std::string_view { return text; });
#else
  auto h = pool.submit([text = std::string("job")]() -> std::string { return text; });
#endif
  return h.join().has_value() ? 0 : 1;
}
