// EXPECT: not_owned<const std::basic_string<char> &,
// EXPECT: because::a_returned_borrow_outlives_the_thread,
// EXPECT: way_out::return_a_value>
// EXPECT-ERRORS: 1
// join() would hand back a reference into the thread's own copy of its
// argument, destroyed when the thread finished: results own their data.
#include <string>

#include "ferrite/thread.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
const std::string& first(const std::string& s) { return s; }
#else
std::string first(const std::string& s) { return s; }
#endif

int main() {
  auto h = ferrite::thread::spawn(first, std::string("dangling"));
  return h.join().has_value() ? 0 : 1;
}
