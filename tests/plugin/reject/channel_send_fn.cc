// EXPECT: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A closure sent on a channel runs on the receiver's thread.
#include "ferrite/channel.h"
#include "ferrite/rc.h"
#include "ferrite/send_fn.h"

int main() {
  auto [tx, rx] = ferrite::channel::unbounded<ferrite::SendFn<int()>>();
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  (void)tx.send(ferrite::SendFn<int()>([rc] { return *rc; }));
  auto job = rx.recv();
  return job && (*job)() == 1 ? 0 : 1;
}
