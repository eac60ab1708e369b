// EXPECT: ThreadPool::submit: the closure that the job returns borrows 'x' (int), a local of the job that dies when the job returns
// The job's result, a closure, borrows the job's own local: the caller gets
// it through TaskHandle::join after the local is gone.
#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool pool(2);
  auto handle = pool.submit([] {
    int x = 1;
    auto read = [&x] { return x; };
    return read;
  });
  return handle.join().value()() == 1 ? 0 : 1;
}
