// EXPECT: the receiver is an rvalue (a temporary, or std::move
// The idiomatic Rust spelling `sel.recv(&after(d))` in C++: the timer
// receiver is a temporary that is destroyed at the end of the statement, so
// no end is left to finish the selected operation with (`op.recv(rx)`), and
// a Select that kept its address would use a dead object. Select rejects
// rvalue ends; the way out, in the control build, is a variable that
// outlives the Select.
#include <chrono>

#include "ferrite/channel.h"

int main() {
  ferrite::channel::Select sel;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  sel.recv(ferrite::channel::after(std::chrono::milliseconds(1)));
  auto op = sel.select();
  return static_cast<int>(op.index());
#else
  auto timeout = ferrite::channel::after(std::chrono::milliseconds(1));
  sel.recv(timeout);
  auto op = sel.select();
  return op.recv(timeout) ? 0 : 1;
#endif
}
