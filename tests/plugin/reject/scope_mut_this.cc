// EXPECT: Scope::spawn: the lambda modifies *this (captured by reference as 'this') through a subobject of type int, but int is not safe to mutate
// [this] borrows *this: a write to a field through it is a write to the
// referent.
#include "ferrite/thread.h"

class Counter {
 public:
  int run() {
    ferrite::thread::scope([this](ferrite::thread::Scope& s) {
      s.spawn([this] { ++count_; });
      s.spawn([this] { ++count_; });
    });
    return count_;
  }

 private:
  int count_ = 0;
};

int main() { return Counter().run() == 2 ? 0 : 1; }
