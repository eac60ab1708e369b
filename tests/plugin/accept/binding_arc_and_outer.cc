// Structured bindings cross as what they name: a copied Arc, and a borrow of
// a Sync value decomposed before thread::scope.
#include <atomic>
#include <tuple>

#include "ferrite/arc.h"
#include "ferrite/thread.h"

struct Totals {
  std::atomic<int> hits{0};
  int step = 2;
};

int main() {
  auto [arc, unused] = std::tuple<ferrite::Arc<int>, int>{ferrite::make_arc<int>(1), 0};
  auto handle = ferrite::thread::spawn([arc] { return *arc; });
  Totals totals;
  auto& [hits, step] = totals;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&hits, &step] { hits += step; });
  });
  return *handle.join() == 1 && hits == 2 && unused == 0 ? 0 : 1;
}
