// EXPECT: ThreadPool::execute: the lambda captures 'log' (ferrite::RefCell<int>) by reference, but it may die before the pool runs the job
// A pool's worker runs the job later, on another thread, after `log` may be gone.
#include "ferrite/cell.h"
#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(2);
  ferrite::RefCell<int> log(0);
  pool.execute([&log] { *log.borrow_mut() += 1; });
  pool.shutdown();
  return 0;
}
