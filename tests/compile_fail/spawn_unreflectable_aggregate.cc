// EXPECT: requirement 'fields_are_visible<Payload>': ferrite cannot see the fields of this aggregate
// ferrite reads an aggregate's fields through structured bindings; a field
// that converts from anything (std::any) hides them. Rather than a silent
// yes (this one holds an Rc), the check is an error asking for an explicit
// opt-in or opt-out.
#include <any>

#include "ferrite/arc.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"

#ifndef FERRITE_COMPILE_FAIL_CONTROL
struct Payload {
  std::any tag;
  ferrite::Rc<int> count;
};
Payload make_payload() { return Payload{0, ferrite::make_rc<int>(1)}; }
#else
struct Payload {
  int tag;
  ferrite::Arc<int> count;
};
Payload make_payload() { return Payload{0, ferrite::make_arc<int>(1)}; }
#endif

int main() {
  auto h = ferrite::thread::spawn([](Payload p) { return p.count.strong_count(); }, make_payload());
  return h.join().has_value() ? 0 : 1;
}
