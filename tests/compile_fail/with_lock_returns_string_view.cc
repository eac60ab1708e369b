// EXPECT: ferrite::Mutex::with_lock: f returns a borrow
// A string_view into a field of the locked data: once with_lock returns,
// another thread may append to the string and reallocate its buffer under
// the view. The way out, in the control build: return a std::string.
#include <string>
#include <string_view>

#include "ferrite/mutex.h"

struct User {
  std::string name;
  int visits;
};

int main() {
  const ferrite::Mutex<User> user(User{"ada", 0});
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::string_view name = user.with_lock([](User& u) { return std::string_view(u.name); });
#else
  std::string name = user.with_lock([](User& u) { return u.name; });
#endif
  return name.empty() ? 1 : 0;
}
