// EXPECT: ThreadPool::submit: the closure that the job returns borrows 'total' (int), but the result comes back through the handle and may outlive it
// The job may borrow 'total' (declared before the pool), but the closure it
// returns goes out through the TaskHandle, which can outlive both.
#include "ferrite/thread_pool.h"

int main() {
  int total = 3;
  ferrite::ThreadPool pool(1);
  auto handle = pool.submit([&total] { return [&total] { return total; }; });
  return handle.join().value()() == 3 ? 0 : 1;
}
