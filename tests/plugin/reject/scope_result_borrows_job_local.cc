// EXPECT: Scope::spawn: the closure that the job returns borrows 'total' (int), a local of the job
// A scoped job's result may borrow what outlives the scope, not the job's
// own locals (here a generic lambda's).
#include "ferrite/thread.h"

int main() {
  int result = 0;
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    auto handle = s.spawn([](auto... parts) {
      int total = (0 + ... + parts);
      auto get = [&total] { return total; };
      return get;
    });
    result = handle.join().value()();
  });
  return result;
}
