// Scoped threads may read what they borrow, hand it on as const, copy it
// into a mutable lambda, and queue more threads on the Scope (spawn is
// const): none of that modifies the referent.
#include <functional>
#include <utility>

#include "ferrite/thread.h"
#include "ferrite/vec.h"

struct Point {
  int x;
  int y;
};

int read(const int& x) { return x; }

int main() {
  int n = 2;
  int values[3] = {1, 2, 3};
  Point point{1, 2};
  ferrite::Vec<int> v;
  v.push(1);
  auto [first, second] = std::pair<int, int>(1, 2);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int i = 0; i < 2; ++i) {
      s.spawn([&] {
        int sum = n + point.x + point.y + read(n) + std::cref(n).get() + first + second;
        for (const auto& x : values) sum += x;
        for (int x : values) sum += x;
        for (int x : v) sum += x;
        const int& r = n;
        const int* p = &n;
        sum += r + *p + static_cast<int>(v.len()) + v[0];
        [&] { sum += n; }();
        [n]() mutable { ++n; }();  // its own copy
        return sum;
      });
    }
    s.spawn([&] { s.spawn([&n] { return n; }); });
    s.spawn([n]() mutable { return ++n; });
    s.spawn([&](auto step) { return n + step; }, 1);
  });
  return n == 2 ? 0 : 1;
}
