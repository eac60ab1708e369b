// What is safe to modify from two threads at once may be modified through a
// shared borrow: std::atomic, std::atomic_flag, std::atomic_ref, a field
// that is atomic, a Mutex through lock() / with_lock(), and values moved
// into the lambda (a SliceMut moved in and written).
#include <atomic>
#include <utility>

#include "ferrite/mutex.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "ferrite/vec.h"

struct Stats {
  std::atomic<int> hits{0};
};

int main() {
  std::atomic<int> count{0};
  std::atomic_flag flag;
  int plain = 0;
  std::atomic_ref<int> ref(plain);
  Stats stats;
  ferrite::Mutex<int> total(0);
  ferrite::Vec<int> data;
  for (int i = 0; i < 4; ++i) data.push(i);
  {
    auto [left, right] = *data.split_at_mut(2);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (int i = 0; i < 2; ++i) {
        s.spawn([&] {
          count += 1;
          count.fetch_add(1);
          count.store(3);
          ++count;
          static_cast<void>(flag.test_and_set());
          ref.fetch_add(1);
          ++stats.hits;
          auto guard = total.lock();
          **guard += 1;
          total.with_lock([](int& t) { t += 1; });
        });
      }
      s.spawn([half = std::move(left)]() mutable {
        for (int& x : half) x *= 10;
      });
      s.spawn([half = std::move(right)]() mutable {
        for (int& x : half) x *= 10;
      });
    });
  }
  {
    ferrite::ThreadPool pool(2);
    pool.execute([&count] { count += 1; });
    pool.execute([&pool, &count] { pool.execute([&count] { count.fetch_add(1); }); });
  }
  return count.load() > 0 ? 0 : 1;
}
