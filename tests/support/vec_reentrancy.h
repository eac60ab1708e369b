// tests/support/vec_reentrancy.h — elements whose own code reaches the Vec
// that holds them: the hostile programs of the re-entrancy tests, which
// panic in checked builds (tests/vec_test.cc) and stay memory-safe without
// the checks (tests/vec_release_test.cc).
#pragma once

#include <utility>

#include "ferrite/vec.h"
#include "tests/support/test_types.h"

namespace ferrite::testing {

// An element's link to the Vec that holds it. A move takes the link along
// (the moved-from element no longer reaches the Vec), so only the element
// that is in the Vec acts; the Counted catches leaks and double destruction.
template <class Element>
struct LinkedToItsVec {
  Vec<Element>* owner = nullptr;
  Counted counted;
  LinkedToItsVec(Vec<Element>* o, int value) : owner(o), counted(value) {}
  LinkedToItsVec(LinkedToItsVec&& other) noexcept
      : owner(std::exchange(other.owner, nullptr)), counted(std::move(other.counted)) {}
  LinkedToItsVec& operator=(LinkedToItsVec&& other) noexcept {
    owner = std::exchange(other.owner, nullptr);
    counted = std::move(other.counted);
    return *this;
  }
  int value() const { return counted.value(); }
};

// An element whose constructor emplaces into the Vec being emplaced into.
struct EmplacesOnConstruction {
  Counted counted;
  EmplacesOnConstruction(Vec<EmplacesOnConstruction>* owner, int value) : counted(value) {
    if (owner != nullptr) owner->emplace(nullptr, -1);
  }
  int value() const { return counted.value(); }
};

// Two EmplacesOnConstruction (0 and 1) in a Vec that is full (the next
// emplace reallocates) or has room.
inline Vec<EmplacesOnConstruction> two_emplaced(bool full) {
  Vec<EmplacesOnConstruction> v = Vec<EmplacesOnConstruction>::with_capacity(full ? 2 : 8);
  v.emplace(nullptr, 0);
  v.emplace(nullptr, 1);
  return v;
}

}  // namespace ferrite::testing
