// EXPECT: not_Send<std::shared_ptr<long>,
// EXPECT: because::every_copy_hands_out_a_mutable_reference,
// EXPECT: way_out::use<ferrite::Arc<long>>>
// EXPECT-ERRORS: 1
// std::shared_ptr is shallow-const: every copy's operator* hands out long&,
// so two threads each given a copy would both write. Use Arc<T> or
// std::shared_ptr<const T>.
#include <memory>

#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto total = std::make_shared<long>(0);
  auto h = ferrite::thread::spawn([](std::shared_ptr<long> p) { *p += 1; }, total);
#else
  std::shared_ptr<const long> total = std::make_shared<long>(0);
  auto h = ferrite::thread::spawn([](std::shared_ptr<const long> p) { return *p; }, total);
#endif
  return h.join().has_value() ? 0 : 1;
}
