// A Vec moved into the closure belongs to the new thread.
#include <utility>

#include "ferrite/thread.h"
#include "ferrite/vec.h"

int main() {
  ferrite::Vec<int> v;
  v.push(1);
  v.push(2);
  auto handle = ferrite::thread::spawn([v = std::move(v)] { return static_cast<int>(v.len()); });
  return *handle.join() == 2 ? 0 : 1;
}
