// EXPECT: Scope::spawn: the lambda borrows 'local' (int), which does not live long enough
// The scope's closure passed by name rather than written in place.
#include "ferrite/thread.h"

int main() {
  auto body = [&](ferrite::thread::Scope& s) {
    int local = 1;
    s.spawn([&] { return local; });
  };
  ferrite::thread::scope(body);
  return 0;
}
