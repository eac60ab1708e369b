// EXPECT: the receiver is an rvalue (a temporary, or std::move
// `sel.recv(std::move(rx))` hands Select an expiring receiver: whoever
// receives the move may destroy it before select() runs, and the operation
// could not be finished with `op.recv(rx)` on the moved-from end. Select
// rejects rvalue ends; the way out, in the control build, is to register
// the receiver itself (an lvalue that outlives the Select).
#include <utility>

#include "ferrite/channel.h"

int main() {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  static_cast<void>(tx.send(1));
  ferrite::channel::Select sel;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  sel.recv(std::move(rx));
#else
  sel.recv(rx);
#endif
  auto op = sel.select();
  return op.recv(rx) ? 0 : 1;
}
