// EXPECT: not_owned<const std::basic_string<char> &,
// EXPECT: because::a_returned_borrow_outlives_the_thread,
// EXPECT: way_out::return_a_value>
// EXPECT-ERRORS: 1
// A scoped thread may borrow, but its result must own its data: a reference
// returned into the thread's own copy of its arguments dies with the thread.
#include <string>

#include "ferrite/thread.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
const std::string& first(const std::string& s) { return s; }
#else
std::string first(const std::string& s) { return s; }
#endif

int main() {
  const bool joined = ferrite::thread::scope([](const ferrite::thread::Scope& s) -> bool {
    auto h = s.spawn(first, std::string("dangling"));
    return h.join().has_value();
  });
  return joined ? 0 : 1;
}
