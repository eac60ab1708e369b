// EXPECT: ferrite::Mutex::with_lock: f returns a borrow
// A `const char*` into the locked string outlives the lock as surely as a
// reference does (and dangles at the string's next reallocation). The way
// out, in the control build: return a std::string.
#include <string>

#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<std::string> greeting("hello");
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  const char* text = greeting.with_lock([](std::string& s) { return s.c_str(); });
#else
  std::string text = greeting.with_lock([](std::string& s) { return s; });
#endif
  return text[0] == 'h' ? 0 : 1;
}
