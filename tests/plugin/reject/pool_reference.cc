// EXPECT: ThreadPool::execute: the lambda captures 'hits' (std::atomic<int>) by reference, but it may die before the pool runs the job
// The pool is the caller's: it runs the job after this function returns.
#include <atomic>

#include "ferrite/thread_pool.h"

void queue(const ferrite::ThreadPool& pool) {
  std::atomic<int> hits{0};
  pool.execute([&hits] { hits += 1; });
}

int main() {
  ferrite::ThreadPool pool(1);
  queue(pool);
  return 0;
}
