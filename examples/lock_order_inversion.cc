// lock_order_inversion — the report a lock-order inversion prints in a
// checked build (ferrite/deadlock_detection.h), before any thread is stuck.
//
// Two bank accounts, each behind its own Mutex. `transfer(from, to)` locks
// `from` then `to`, so a transfer from checking to savings takes the locks
// in one order and a transfer back takes them in the other. Run at the same
// moment on two threads, the two transfers can each hold one lock and wait
// for the other forever. Here they run one after the other, so this program
// could never hang; the detector still sees the two orders and refuses the
// second, naming both locks, where each was taken and by which thread.
//
//   bazel run //examples:lock_order_inversion
//
// Prints the report and exits 0; in a release build (NDEBUG) the detector
// is compiled out, and the program says so.
#include <cstdio>

#include "ferrite/deadlock_detection.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/thread.h"

namespace {

struct Account {
  ferrite::Mutex<long> balance;
};

// Moves `amount` from one account to the other: locks `from`, then `to`.
void transfer(const Account& from, const Account& to, long amount) {
  auto debit = from.balance.lock();
  auto credit = to.balance.lock();
  **debit -= amount;
  **credit += amount;
}

}  // namespace

int main() {
  if (!ferrite::detail::kLockOrderChecks) {
    std::puts("release build: the deadlock detector is compiled out");
    return 0;
  }
  Account checking{ferrite::Mutex<long>(100)};
  Account savings{ferrite::Mutex<long>(0)};

  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    // checking -> savings, on one thread, which ends before the next starts.
    s.spawn([&] { transfer(checking, savings, 30); }).join();
  });
  // savings -> checking: the opposite order. Refused before it waits.
  auto refused = ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    return s
        .spawn([&] {
          transfer(savings, checking, 10);
          return 0;
        })
        .join();
  });
  if (refused) {
    std::puts("no report: the second order was not refused");
    return 1;
  }
  std::printf("the second transfer panicked with:\n%s\n", refused.error().message().c_str());
  return 0;
}
