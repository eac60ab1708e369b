// EXPECT: not_Sync<Counter,
// EXPECT: because::a_mutable_field_is_writable_through_const,
// EXPECT: way_out::drop_mutable_or_make_the_field_a_Mutex_or_atomic>
// EXPECT-ERRORS: 1
// A mutable field is writable through const&: shared through an Arc, two
// threads would both write `hits`. Such an aggregate is not Sync, so
// Arc<Counter> is not Send.
#include "ferrite/arc.h"
#include "ferrite/thread.h"

struct Counter {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  mutable long hits;
#else
  long hits;
#endif
};

int main() {
  auto shared = ferrite::make_arc<Counter>(Counter{0});
  auto h = ferrite::thread::spawn([](ferrite::Arc<Counter> c) { return c->hits; }, shared);
  return h.join().has_value() ? 0 : 1;
}
