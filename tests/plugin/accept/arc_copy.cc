// An Arc's count is atomic: its copy may cross.
#include "ferrite/arc.h"
#include "ferrite/thread.h"

int main() {
  ferrite::Arc<int> arc = ferrite::make_arc<int>(1);
  auto handle = ferrite::thread::spawn([arc] { return *arc; });
  return *handle.join() == 1 ? 0 : 1;
}
