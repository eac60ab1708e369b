// EXPECT: ThreadPool::execute: the lambda captures 'inner' (std::atomic<int>) by reference, but it may die before the pool runs the job
// `inner` is a local of the outer job, which returns before the inner job runs.
#include <atomic>

#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(1);
  pool.execute([&pool] {
    std::atomic<int> inner{0};
    pool.execute([&inner] { inner += 1; });
  });
  return 0;
}
