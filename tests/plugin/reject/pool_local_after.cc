// EXPECT: ThreadPool::execute: the lambda captures 'hits' (std::atomic<int>) by reference, but it may die before the pool runs the job
// `hits` is declared after the pool, so it dies first: the pool's destructor
// would run the job after `hits` is gone.
#include <atomic>

#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(2);
  std::atomic<int> hits{0};
  pool.execute([&hits] { hits += 1; });
  return 0;
}
