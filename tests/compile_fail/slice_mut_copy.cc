// EXPECT: ferrite::SliceMut is not copyable
// A SliceMut is Rust's `&mut [T]`, which is not Copy: a copy would be a
// second mutable view of the same elements, that no borrow count could tell
// apart from the first. The way out, in the control build, is to move the
// view, or to take a shared view of it.
#include <utility>

#include "ferrite/vec.h"

int main() {
  ferrite::Vec<int> v{1, 2, 3};
  ferrite::SliceMut<int> m = v.as_mut_slice();
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  ferrite::SliceMut<int> alias = m;
  alias[0] = 10;
#else
  ferrite::SliceMut<int> moved = std::move(m);
  moved[0] = 10;
#endif
  return 0;
}
