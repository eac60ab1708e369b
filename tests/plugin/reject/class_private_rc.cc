// EXPECT: thread::spawn: the lambda captures 'session' by copy, but Session is not Send: its field 'hits_'
// A class with a constructor and private fields: marker.h cannot see its
// fields and calls it Send; the plugin checks them, as Rust's auto traits do.
#include "ferrite/rc.h"
#include "ferrite/thread.h"

class Session {
 public:
  explicit Session(int id) : id_(id) {}
  int id() const { return id_ + *hits_; }

 private:
  int id_;
  ferrite::Rc<int> hits_ = ferrite::make_rc<int>(0);
};

int main() {
  Session session(1);
  return *ferrite::thread::spawn([session] { return session.id(); }).join() == 1 ? 0 : 1;
}
