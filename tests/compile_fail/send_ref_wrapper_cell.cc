// EXPECT: not_Send<std::reference_wrapper<std::atomic<int>>,
// EXPECT: because::a_non_const_reference_is_a_mutable_alias,
// EXPECT: way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in>
// EXPECT-ERRORS: 1
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
