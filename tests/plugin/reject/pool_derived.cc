// EXPECT: ThreadPool::execute: the lambda captures 'pool' (Pool) by reference, but it may die before the pool runs the job
// A class derived from ThreadPool loses its own members before the
// ThreadPool destructor runs the jobs that still use them.
#include <atomic>

#include "ferrite/thread_pool.h"

struct Pool : ferrite::ThreadPool {
  using ThreadPool::ThreadPool;
  std::atomic<int> jobs{0};
};

int main() {
  Pool pool(1);
  pool.execute([&pool] { pool.jobs += 1; });
  return 0;
}
