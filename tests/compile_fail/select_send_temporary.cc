// EXPECT: the sender is an rvalue (a temporary, or std::move
// `sel.send(tx.clone())` registers a temporary sender, destroyed at the end
// of the statement: a Select that kept its address would use a dead object,
// and no end is left to finish the operation with `op.send(tx, msg)`.
// Select rejects rvalue ends; the way out, in the control build, is a
// variable that outlives the Select.
#include "ferrite/channel.h"

int main() {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
  ferrite::channel::Select sel;
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  sel.send(tx.clone());
  auto op = sel.select();
  return static_cast<int>(op.index());
#else
  auto tx2 = tx.clone();
  sel.send(tx2);
  auto op = sel.select();
  return op.send(tx2, 1) ? 0 : 1;
#endif
}
