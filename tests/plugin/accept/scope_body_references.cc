// References declared inside the scope's closure that refer to what
// outlives the scope: an outer vector's element picked by a local index or
// a range-for, an outer object's member, what an outer pointer points to. The
// scope's closure may be generic or named.
#include <atomic>
#include <vector>

#include "ferrite/thread.h"

struct Totals {
  std::atomic<int> sum{0};
};

int main() {
  std::vector<std::atomic<int>> slots(4);
  Totals totals;
  Totals* outer = &totals;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (int i = 0; i < 4; ++i) {
      std::atomic<int>& slot = slots[static_cast<std::size_t>(i)];
      std::atomic<int>& sum = outer->sum;
      const Totals& all = *outer;
      s.spawn([&] {
        slot.fetch_add(1);
        sum.fetch_add(1);
        return all.sum.load();
      });
    }
  });
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    for (auto& slot : slots) s.spawn([&] { slot.fetch_add(1); });
  });
  auto body = [&](auto& s) {
    auto& first = slots[0];
    s.spawn([&] { first.fetch_add(1); });
  };
  ferrite::thread::scope(body);
  return totals.sum.load() == 4 && slots[0].load() == 3 ? 0 : 1;
}
