// lib/channel/counter.cc — the panic of a moved-from channel end (see
// ferrite/channel/counter.h), out of line so the handle templates stay small.
#include "ferrite/channel/counter.h"

#include <string>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

void moved_from_channel_end(const char* what) {
  std::string message(what);
  message += ": this channel end was moved from";
  panic(std::move(message));
}

}  // namespace ferrite::detail
