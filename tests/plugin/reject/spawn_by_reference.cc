// EXPECT: thread::spawn: the lambda captures 'total' (int) by reference, but nothing joins the thread before it dies
// A detached thread may outlive `total`: only thread::scope may lend a local.
#include "ferrite/thread.h"

int main() {
  int total = 0;
  auto handle = ferrite::thread::spawn([&total] { total += 1; });
  return handle.join().has_value() ? 0 : 1;
}
