// EXPECT: Scope::spawn: the lambda captures 'cell' by reference, but ferrite::Cell<int> is not Sync
// Borrowing a structured binding borrows what it names: a Cell, here.
#include <tuple>

#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  auto [cell, n] = std::tuple<ferrite::Cell<int>, int>{ferrite::Cell<int>(0), 1};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&cell] { cell.set(1); });
  });
  return n == 1 ? 0 : 1;
}
