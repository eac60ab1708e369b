// EXPECT: ferrite::drop takes ownership, as Rust's drop(x) moves x: write drop(std::move(x))
// `drop(tx)` on a named Sender would either copy it (and drop nothing) or
// silently move from a variable the caller still names. The way out, in the
// control build: say std::move, as Rust's drop(tx) moves tx.
#include "ferrite/channel.h"
#include "ferrite/drop.h"

int main() {
  auto [tx, rx] = ferrite::channel::unbounded<int>();
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::drop(tx);
#else
  ferrite::drop(std::move(tx));
#endif
  return rx.recv() ? 1 : 0;
}
