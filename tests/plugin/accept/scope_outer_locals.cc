// Locals declared before thread::scope outlive every scoped thread; the
// Scope itself may be borrowed to spawn more threads.
#include <atomic>

#include "ferrite/thread.h"

int main() {
  std::atomic<int> hits{0};
  const int step = 2;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      hits += step;
      s.spawn([&hits] { hits += 1; });
    });
  });
  return hits == 3 ? 0 : 1;
}
