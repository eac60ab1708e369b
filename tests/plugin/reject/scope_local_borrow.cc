// EXPECT: Scope::spawn: the lambda borrows 'local' (int), which does not live long enough
// `local` dies when the closure returns, before thread::scope joins the thread.
#include "ferrite/thread.h"

int main() {
  ferrite::thread::scope([](ferrite::thread::Scope& s) {
    int local = 1;
    s.spawn([&local] { return local; });
  });
  return 0;
}
