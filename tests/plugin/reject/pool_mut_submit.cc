// EXPECT: ThreadPool::submit: the lambda modifies 'v' (captured by reference), but std::vector<int> is not safe to mutate
// The same through submit: push_back is a non-const member.
#include <vector>

#include "ferrite/thread_pool.h"

int main() {
  std::vector<int> v;
  {
    ferrite::ThreadPool pool(2);
    auto first = pool.submit([&v] { v.push_back(1); });
    auto second = pool.submit([&v] { v.push_back(2); });
    static_cast<void>(first.join());
    static_cast<void>(second.join());
  }
  return v.size() == 2 ? 0 : 1;
}
