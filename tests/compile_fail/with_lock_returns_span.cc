// EXPECT: ferrite::Mutex::with_lock: f returns a borrow
// A std::span over the locked vector: after with_lock returns, a push_back
// on another thread may reallocate the elements it points at. The way out,
// in the control build: return a copy of the elements.
#include <span>
#include <vector>

#include "ferrite/mutex.h"

int main() {
  const ferrite::Mutex<std::vector<int>> samples(std::vector<int>{1, 2, 3});
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  std::span<int> view = samples.with_lock([](std::vector<int>& v) { return std::span<int>(v); });
#else
  std::vector<int> view = samples.with_lock([](std::vector<int>& v) { return v; });
#endif
  return view.size() == 3 ? 0 : 1;
}
