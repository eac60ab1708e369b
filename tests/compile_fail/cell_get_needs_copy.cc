// EXPECT: ferrite::Cell<T>::get: T must be trivially copyable (Rust's T: Copy)
// Cell::get copies the value in place. A copy constructor is user code: this
// one sets the very Cell it is being copied out of, which would destroy the
// value in the middle of its own copy. get() therefore needs a trivially
// copyable T; the way out, in the control build, is replace() (or take(),
// into_inner(), or a RefCell, which borrows).
#include <string>

#include "ferrite/cell.h"

struct Reentrant {
  const ferrite::Cell<Reentrant>* home = nullptr;
  std::string text;
  Reentrant() = default;
  Reentrant(const ferrite::Cell<Reentrant>* h, std::string t) : home(h), text(std::move(t)) {}
  Reentrant(const Reentrant& other) : home(other.home), text(other.text) {
    if (home != nullptr) home->set(Reentrant());
  }
  Reentrant(Reentrant&&) noexcept = default;
  Reentrant& operator=(const Reentrant&) = default;
  Reentrant& operator=(Reentrant&&) noexcept = default;
};

int main() {
  const ferrite::Cell<Reentrant> cell;
  cell.set(Reentrant(&cell, "a long enough string to live on the heap"));
#ifndef FERRITE_COMPILE_FAIL_CONTROL
  Reentrant copy = cell.get();
#else
  Reentrant copy = cell.replace(Reentrant());
#endif
  return copy.text.empty() ? 1 : 0;
}
