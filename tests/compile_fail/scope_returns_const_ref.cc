// EXPECT: Scope::spawn: the result must own its data
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
  ferrite::thread::scope([](const ferrite::thread::Scope& s) {
    auto h = s.spawn(first, std::string("dangling"));
    return h.join().has_value();
  });
}
