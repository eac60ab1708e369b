// A user's program: includes ferrite's headers the documented way, links the
// compiled part of the library (panic.cc), and checks a few results; exits
// non-zero on any mismatch.
#include <cstdio>
#include <string>

#include "ferrite/ferrite.h"  // the umbrella header: every public header compiles together

static_assert(ferrite::Send<ferrite::Arc<int>> && !ferrite::Send<ferrite::Rc<int>>);

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "consumer_test: FAILED: %s\n", what);
      ++failures;
    }
  };
  auto shared = ferrite::make_arc<ferrite::RefCell<std::string>>("hello");
  check(shared.clone().strong_count() == 2, "Arc clone counts");
  try {
    auto reader = (*shared).borrow();
    auto writer = (*shared).borrow_mut();
    check(false, "borrow_mut while borrowed must panic");
  } catch (const ferrite::Panic& p) {
    check(std::string(p.what()).find("already borrowed") != std::string::npos,
          "the panic names the conflict");
  }
  *(*shared).borrow_mut() += ", user";
  const ferrite::Mutex<int> counter(0);
  ferrite::thread::scope([&counter](ferrite::thread::Scope& scope) {
    for (int i = 0; i < 4; ++i) scope.spawn([&counter] { counter.with_lock([](int& n) { ++n; }); });
  });
  check(counter.with_lock([](int& n) { return n; }) == 4, "Mutex + scoped threads");
  check(*(*shared).borrow() == "hello, user", "RefCell mutation through Arc");
  if (failures == 0) std::puts("consumer_test: ferrite works from a user's workspace");
  return failures == 0 ? 0 : 1;
}
