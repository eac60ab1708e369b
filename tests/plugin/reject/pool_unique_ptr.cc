// EXPECT: ThreadPool::execute: the lambda captures 'hits' (std::atomic<int>) by reference, but it may die before the pool runs the job
// A pool behind a pointer can outlive the function: moved out, the job runs
// after `hits` is gone.
#include <atomic>
#include <memory>

#include "ferrite/thread_pool.h"

std::unique_ptr<ferrite::ThreadPool> start() {
  std::atomic<int> hits{0};
  auto pool = std::make_unique<ferrite::ThreadPool>(1);
  pool->execute([&hits] { hits += 1; });
  return pool;
}

int main() { return start() ? 0 : 1; }
