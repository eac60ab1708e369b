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

}  // namespace ferrite::testing
