// EXPECT: not_Send<ferrite::MutexGuard<int>,
// EXPECT: because::a_lock_is_released_by_the_thread_that_took_it,
// EXPECT: way_out::lock_it_inside_the_other_thread>
// EXPECT-ERRORS: 1
// A lock must be released by the thread that took it: a MutexGuard cannot be
// handed to another thread, even a scoped one.
#include "ferrite/mutex.h"
#include "ferrite/thread.h"

int main() {
  const ferrite::Mutex<int> balance(0);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
    ferrite::MutexGuard<int> guard = std::move(*balance.lock());
    s.spawn([](ferrite::MutexGuard<int> g) { return *g; }, std::move(guard)).join();
#else
    s.spawn([](const ferrite::Mutex<int>& m) { return m.with_lock([](int& v) { return v; }); },
            std::cref(balance))
        .join();
#endif
  });
}
