// tests/support/vec_values.h — a Vec's elements as plain ints, for
// EXPECT_EQ against a std::vector<int> literal. Elements are ints or test
// types with value() (tests/support/test_types.h).
#pragma once

#include <type_traits>
#include <vector>

#include "ferrite/vec.h"

namespace ferrite::testing {

template <class T>
std::vector<int> values(const Vec<T>& v) {
  std::vector<int> out;
  for (const T& x : v) {
    if constexpr (std::is_same_v<T, int>) {
      out.push_back(x);
    } else {
      out.push_back(x.value());
    }
  }
  return out;
}

}  // namespace ferrite::testing
