// A class with a raw-pointer field that opted in after an audit, and one
// whose private fields are all Send: both cross.
#include "ferrite/arc.h"
#include "ferrite/thread.h"
#include "ferrite/unsafe.h"

class Handle {
 public:
  explicit Handle(const int* target) : target_(target) {}
  int get() const { return *target_; }

 private:
  const int* target_;
};

// SAFETY(plugin-accept-handle): the target is a static that is never written.
FERRITE_UNSAFE_IMPL_SEND(Handle);

class Owned {
 public:
  explicit Owned(int id) : id_(id) {}
  int get() const { return id_ + *shared_; }

 private:
  int id_;
  ferrite::Arc<int> shared_ = ferrite::make_arc<int>(1);
};

int main() {
  static const int value = 3;
  Handle handle(&value);
  Owned owned(1);
  auto a = ferrite::thread::spawn([handle] { return handle.get(); });
  auto b = ferrite::thread::spawn([owned] { return owned.get(); });
  return *a.join() + *b.join() == 5 ? 0 : 1;
}
