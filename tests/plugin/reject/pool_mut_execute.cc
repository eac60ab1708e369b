// EXPECT: ThreadPool::execute: the lambda modifies 'n' (captured by reference), but int is not safe to mutate from two threads
// A local declared before a local pool outlives the pool's jobs, but two
// jobs that both write it race.
#include "ferrite/thread_pool.h"

int main() {
  int n = 0;
  {
    ferrite::ThreadPool pool(2);
    pool.execute([&n] { ++n; });
    pool.execute([&n] { ++n; });
  }
  return n == 2 ? 0 : 1;
}
