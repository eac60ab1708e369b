// EXPECT: not_owned<std::reference_wrapper<const ferrite::Vec<int>>,
// EXPECT: because::a_detached_thread_may_outlive_what_it_borrows,
// EXPECT: way_out::move_or_clone_the_value_in_or_borrow_it_inside_thread_scope>
// EXPECT-ERRORS: 1
// Rust's 'static: a JoinHandle that is dropped (a panic or an early return
// between spawn and join) detaches, and the thread would read a dead local.
// thread::spawn takes no borrow; thread::scope does.
#include <functional>

#include "ferrite/thread.h"
#include "ferrite/vec.h"

long sum(const ferrite::Vec<int>& v) {
  long total = 0;
  for (int x : v) total += x;
  return total;
}

int main() {
  ferrite::Vec<int> local{1, 2, 3};
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto h = ferrite::thread::spawn(sum, std::cref(local));
  return h.join().has_value() ? 0 : 1;
#else
  return ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    return s.spawn(sum, std::cref(local)).join().has_value() ? 0 : 1;
  });
#endif
}
