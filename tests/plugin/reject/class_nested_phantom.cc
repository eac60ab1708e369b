// EXPECT: Outer is not Send: its field 'inner_': Inner is not Send: its field 'marker_'
// A PhantomNotSend member opts a class with constructors out, and the rule
// is recursive: a class holding that class is not Send either.
#include "ferrite/marker.h"
#include "ferrite/thread.h"

class Inner {
 public:
  Inner() = default;
  int value() const { return 4; }

 private:
  [[no_unique_address, maybe_unused]] ferrite::PhantomNotSend marker_;
};

class Outer {
 public:
  Outer() = default;
  int value() const { return inner_.value(); }

 private:
  Inner inner_;
};

int main() {
  Outer outer;
  return *ferrite::thread::spawn([outer] { return outer.value(); }).join() == 4 ? 0 : 1;
}
