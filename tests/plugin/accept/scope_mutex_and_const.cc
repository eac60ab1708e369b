// A scoped thread may borrow what is Sync: a Mutex, const data.
#include <vector>

#include "ferrite/mutex.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Mutex<int> total(0);
  const std::vector<int> data = {1, 2, 3};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      int sum = 0;
      for (int x : data) sum += x;
      auto guard = total.lock();
      **guard += sum;
    });
    s.spawn([&total, &data] {
      auto guard = total.lock();
      **guard += static_cast<int>(data.size());
    });
  });
  auto guard = total.lock();
  return **guard == 9 ? 0 : 1;
}
