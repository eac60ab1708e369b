// EXPECT: Scope::spawn: the lambda captures 'cell' by reference, but ferrite::Cell<int> is not Sync
// Two scoped threads would write the Cell through shared references without a lock.
#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Cell<int> cell(0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { cell.set(1); });
    s.spawn([&] { cell.set(2); });
  });
  return cell.get() > 0 ? 0 : 1;
}
