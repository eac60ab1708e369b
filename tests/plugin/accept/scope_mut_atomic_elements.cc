// Atomic elements of a std::array reached through its non-const operator[] /
// at() (which have const twins), through a struct, `this`, a reference bound
// to an element, a generic lambda and a pool job: every write is to a
// std::atomic, so nothing is rejected.
#include <array>
#include <atomic>

#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
struct Counts {
  std::array<std::atomic<int>, 4> a{};
};
struct Worker {
  std::array<std::atomic<int>, 4> slots{};
  void run() {
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      s.spawn([this] {
        slots[1]++;
        slots.at(2).store(1);
      });
    });
  }
};
int main() {
  std::array<std::atomic<int>, 4> a{};
  Counts c;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int i = 0; i < 4; ++i)
      s.spawn([&, i] {
        a[i].fetch_add(1);
        c.a[i] += 1;
        auto& x = a[i];
        x++;
        std::atomic<int>& y = c.a.at(i);
        y--;
      });
    s.spawn([&](auto) { a[0]++; }, 1);
  });
  Worker w;
  w.run();
  ferrite::ThreadPool pool(1);
  pool.execute([&a] { a[3]++; });
  return a[1];
}
