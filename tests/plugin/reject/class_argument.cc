// EXPECT: thread::spawn: the argument's type Tally crosses, but Tally is not Send: its field 'count_'
// A class passed as an argument crosses with its fields, checked the same way.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

class Tally {
 public:
  Tally() = default;
  int get() const { return *count_; }

 private:
  ferrite::Rc<int> count_ = ferrite::make_rc<int>(5);
};

int main() {
  auto handle = ferrite::thread::spawn([](Tally t) { return t.get(); }, Tally());
  return *handle.join() == 5 ? 0 : 1;
}
