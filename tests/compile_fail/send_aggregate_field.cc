// EXPECT: not_Send<int *,
// EXPECT: because::a_raw_pointer_may_alias_anything,
// EXPECT: way_out::pass_ownership_or_opt_in_after_an_audit>
// EXPECT-ERRORS: 1
// An aggregate is Send only when every field is: a raw pointer field makes
// Job not Send, and thread::spawn rejects it as an argument.
#include "ferrite/thread.h"

struct Job {
  int id;
  int* scratch;
};
struct OwnedJob {
  int id;
  int scratch;
};

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto h = ferrite::thread::spawn([](Job job) { return job.id; }, Job{1, nullptr});
#else
  auto h = ferrite::thread::spawn([](OwnedJob job) { return job.id; }, OwnedJob{1, 0});
#endif
  return h.join().has_value() ? 0 : 1;
}
