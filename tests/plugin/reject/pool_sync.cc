// EXPECT: ThreadPool::execute: the lambda captures 'log' by reference, but ferrite::RefCell<int> is not Sync
// `log` outlives the pool's jobs, but two jobs could borrow it at once.
#include "ferrite/cell.h"
#include "ferrite/thread_pool.h"

int main() {
  ferrite::RefCell<int> log(0);
  ferrite::ThreadPool pool(2);
  pool.execute([&log] { *log.borrow_mut() += 1; });
  return 0;
}
