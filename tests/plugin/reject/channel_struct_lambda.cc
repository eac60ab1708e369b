// EXPECT: channel::Sender::send: the lambda captures 'rc' by copy, but ferrite::Rc<int> is not Send
// A struct holding a lambda carries the lambda's captures across.
#include "ferrite/channel.h"
#include "ferrite/rc.h"

template <class F>
struct Job {
  F run;
};

int main() {
  ferrite::Rc<int> rc = ferrite::make_rc<int>(1);
  auto make = [rc] { return *rc; };
  auto [tx, rx] = ferrite::channel::unbounded<Job<decltype(make)>>();
  (void)tx.send(Job<decltype(make)>{make});
  auto job = rx.recv();
  return job && job->run() == 1 ? 0 : 1;
}
