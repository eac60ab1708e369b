// ferrite/detail/single_threaded.h — internal: whether this process has
// only ever had one thread, so that a lock or a counter may use plain loads
// and stores instead of atomic read-modify-writes.
//
// glibc keeps `__libc_single_threaded` true until the first pthread_create
// (std::thread, ferrite::thread) and never sets it back. It writes false in
// the creating thread before the new thread exists, so a thread that reads
// true is the only thread there is, and every thread created later reads
// false. glibc's own mutex and libstdc++'s shared_ptr take the same shortcut.
// A program that starts threads without pthread_create (a raw clone system
// call) must clear the flag itself, as glibc documents.
#pragma once

#if __has_include(<sys/single_threaded.h>)
#include <sys/single_threaded.h>
#define FERRITE_DETAIL_HAS_SINGLE_THREADED 1
#else
#define FERRITE_DETAIL_HAS_SINGLE_THREADED 0
#endif

namespace ferrite::detail {

// True only while no second thread has ever been created in this process.
inline bool process_is_single_threaded() noexcept {
#if FERRITE_DETAIL_HAS_SINGLE_THREADED
  return __libc_single_threaded != 0;
#else
  return false;
#endif
}

}  // namespace ferrite::detail
