// EXPECT: not_Sync<std::unique_ptr<long>,
// EXPECT: because::a_const_unique_ptr_hands_out_a_mutable_reference,
// EXPECT: way_out::use<std::unique_ptr<const long>>>
// EXPECT-ERRORS: 1
// const std::unique_ptr<long>& still hands out long& (operator* is const), so
// std::cref(u) into two scoped threads would let both write *u. A unique_ptr
// is Sync only as unique_ptr<const T>.
#include <functional>
#include <memory>

#include "ferrite/thread.h"

int main() {
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  auto u = std::make_unique<long>(0);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](const std::unique_ptr<long>& p) { *p += 1; }, std::cref(u)).join();
  });
#else
  std::unique_ptr<const long> u = std::make_unique<long>(0);
  ferrite::thread::scope([&](const ferrite::thread::Scope& s) {
    s.spawn([](const std::unique_ptr<const long>& p) { return *p; }, std::cref(u)).join();
  });
#endif
}
