// A local ThreadPool runs every job, those its jobs queue included, before
// its destructor returns, and cannot be moved: a job may borrow the pool it
// runs on, and locals declared before the pool in the same function.
#include <atomic>

#include "ferrite/mutex.h"
#include "ferrite/thread_pool.h"

int count(const ferrite::ThreadPool& pool, int jobs) {
  std::atomic<int> hits{0};
  ferrite::ThreadPool own(1);
  // A pool reached through a reference parameter: a job may still borrow it.
  for (int i = 0; i < jobs; ++i) pool.execute([&pool] { pool.execute([] {}); });
  own.execute([&hits, jobs] { hits += jobs; });
  own.shutdown();
  return hits.load();
}

int main() {
  std::atomic<int> hits{0};
  ferrite::Mutex<int> total(0);
  int step = 1;  // not a constant: the lambdas capture it
  {
    ferrite::ThreadPool pool(2);
    // Jobs that queue jobs on their own pool, nested.
    pool.execute([&pool, &hits, step] {
      hits += step;
      pool.execute([&pool, &hits] {
        hits += 1;
        pool.execute([&hits] { hits += 1; });
      });
    });
    // A closure stored first, and [&].
    auto add = [&total] { total.with_lock([](int& t) { t += 1; }); };
    pool.execute(add);
    pool.execute([&] { hits += step; });
    auto handle = pool.submit([&hits] { return hits.load(); });
    // A job that queues a copy of itself.
    auto chain = [&pool, &hits](this const auto& self, int depth) -> void {
      hits += 1;
      if (depth > 0) pool.execute([self, depth] { self(depth - 1); });
    };
    chain(3);
    static_cast<void>(handle.join());
    static_cast<void>(count(pool, 2));
  }
  return hits.load() > 0 ? 0 : 1;
}
