// EXPECT: Scope::spawn: the lambda captures 'this' by reference, but Counter is not Sync
// Capturing `this` shares the whole object, and with it the Rc's count.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

class Counter {
 public:
  int read_twice() const {
    return ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      auto a = s.spawn([this] { return *shared_; });
      return *a.join() + *shared_;
    });
  }

 private:
  ferrite::Rc<int> shared_ = ferrite::make_rc<int>(1);
};

int main() { return Counter().read_twice() == 2 ? 0 : 1; }
