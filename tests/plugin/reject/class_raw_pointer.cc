// EXPECT: FERRITE_UNSAFE_IMPL_SEND(Handle) with a SAFETY note
// A raw-pointer field makes a class not Send, private or not; the message
// names the way to opt in when moving it is sound.
#include "ferrite/thread.h"

class Handle {
 public:
  explicit Handle(int* target) : target_(target) {}
  int get() const { return *target_; }

 private:
  int* target_;
};

int main() {
  static int value = 3;
  Handle handle(&value);
  return *ferrite::thread::spawn([handle] { return handle.get(); }).join() == 3 ? 0 : 1;
}
