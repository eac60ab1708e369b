// EXPECT: SendFn: the lambda captures 'hits' (std::atomic<int>) by reference, but nothing joins the thread
// A SendFn may cross any boundary later, to another pool or thread: what it
// stores must own its data, whatever it is first handed to.
#include <atomic>
#include <utility>

#include "ferrite/send_fn.h"
#include "ferrite/thread_pool.h"

int main() {
  std::atomic<int> hits{0};
  ferrite::ThreadPool pool(1);
  ferrite::SendFn<void()> job([&hits] { hits += 1; });
  pool.execute(std::move(job));
  return 0;
}
