// EXPECT: (aka 'std::reference_wrapper<std::atomic<int>>') does not satisfy 'Send'
// std::ref(x) is a T& in disguise, and a T& is never Send: two threads
// holding copies could both write. Even an atomic crosses only by const
// reference, inside a scope.
#include <atomic>
#include <functional>

#include "ferrite/thread.h"

int main() {
  std::atomic<int> total{0};
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
    s.spawn([](std::atomic<int>& t) { t.fetch_add(1); }, std::ref(total)).join();
#else
    s.spawn([](const std::atomic<int>& t) { return t.load(); }, std::cref(total)).join();
#endif
  });
}
