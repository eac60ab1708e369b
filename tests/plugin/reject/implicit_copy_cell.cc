// EXPECT: the lambda captures 'cell' by copy, but ferrite::Cell<int *> is not Send
// [=] copies the Cell, and the raw pointer inside it, to the new thread.
#include "ferrite/cell.h"
#include "ferrite/thread.h"

int main() {
  int value = 1;
  ferrite::Cell<int*> cell(&value);
  auto handle = ferrite::thread::spawn([=] { (void)cell; });
  return handle.join().has_value() ? 0 : 1;
}
