// EXPECT: type_is_Send<int *>': raw pointers are not Send
// An aggregate is Send only when every field is: after "an aggregate is Send only when every
// field is Send" for Job, the next error names the offending field's type, int *.
#include "ferrite/marker.h"

struct Job {
  int id;
  int* scratch;
};

#ifndef FERRITE_COMPILE_FAIL_CONTROL
void move_to_thread() { ferrite::detail::assert_send<Job>(); }
#else
void move_to_thread() { ferrite::detail::assert_send<int>(); }  // Job itself is the culprit
#endif
