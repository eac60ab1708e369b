// EXPECT: ThreadPool::execute: the lambda captures 'hits' (std::atomic<int>) by reference, but it may die before the pool runs the job
// A static pool outlives the call that queued the job.
#include <atomic>

#include "ferrite/thread_pool.h"

int run() {
  std::atomic<int> hits{0};
  static ferrite::ThreadPool pool(1);
  pool.execute([&hits] { hits += 1; });
  return 0;
}

int main() { return run(); }
