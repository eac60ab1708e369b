// Nothing captured, values passed as arguments (checked by ferrite itself).
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"

int main() {
  auto handle = ferrite::thread::spawn([](int x) { return 2 * x; }, 21);
  ferrite::ThreadPool pool(1);
  auto task = pool.submit([] { return 7; });
  int r = *task.join();
  pool.shutdown();
  return *handle.join() == 42 && r == 7 ? 0 : 1;
}
