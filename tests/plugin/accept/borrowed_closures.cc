// Closures borrowed by scoped threads, and closures that jobs return: a
// borrowed closure that reads, or writes atomics; one handed over as
// std::cref; a scoped job's result that borrows what outlives the scope; a
// result that holds its data by copy.
#include <atomic>
#include <functional>

#include "ferrite/arc.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"

int main() {
  int n = 2;
  std::atomic<int> hits{0};
  auto read = [&n] { return n; };
  auto hit = [&hits] { hits.fetch_add(1); };
  auto copy = [n] { return n; };
  int sum = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] { hit(); return read() + copy(); });
    s.spawn(std::cref(hit));
    auto handle = s.spawn([&] { return [&n] { return n; }; });
    sum = handle.join().value()();
  });
  auto owned = ferrite::thread::spawn([] {
    ferrite::Arc<int> shared = ferrite::make_arc<int>(3);
    int local = 4;
    return [shared, local] { return *shared + local; };
  });
  ferrite::ThreadPool pool(1);
  auto job = pool.submit([] { return [v = 5] { return v; }; });
  int total = sum + owned.join().value()() + job.join().value()() + hits.load();
  return total == 2 + 7 + 5 + 2 ? 0 : 1;
}
