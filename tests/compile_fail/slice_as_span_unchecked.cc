// EXPECT: a std::span is not a counted borrow
// A std::span escapes the checked borrows: once the Slice it came from is
// gone, nothing stops the Vec from reallocating under it. Taking one is
// therefore unchecked; the way out, in the control build, is the unsafe_fn
// overload (whose caller keeps the span within the Slice's life).
#include <span>

#include "ferrite/vec.h"

int main() {
  ferrite::Vec<int> v{1, 2, 3};
  ferrite::Slice<int> s = v.as_slice();
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::span<const int> escaped = s.as_span();
#else
  std::span<const int> escaped = s.as_span(ferrite::unsafe_fn);
#endif
  return escaped[0] == 1 ? 0 : 1;
}
