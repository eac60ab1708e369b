// lib/channel/wait.cc — what the waits of channel operations ask the kernel
// (see ferrite/channel/wait.h).
#include "ferrite/channel/wait.h"

#include <sched.h>
#include <sys/resource.h>

#include <thread>

namespace ferrite::detail {

bool yield_and_report_switch() noexcept {
  // RUSAGE_THREAD cannot fail for the calling thread with a valid buffer;
  // were it to, both counts stay 0 and we report "no switch" (keep yielding).
  rusage before{};
  static_cast<void>(::getrusage(RUSAGE_THREAD, &before));
  std::this_thread::yield();
  rusage after{};
  static_cast<void>(::getrusage(RUSAGE_THREAD, &after));
  return after.ru_nivcsw != before.ru_nivcsw;
}

int current_cpu() noexcept { return ::sched_getcpu(); }  // -1 on failure

}  // namespace ferrite::detail
