// ferrite/channel/lock.h — internal: the lock that guards a channel's lists
// of blocked threads (a rendezvous channel's whole state, a SyncWaker's list).
//
// Not part of the public API (everything is in ferrite::detail).
//
// A plain scoped lock of a RawMutex, annotated for -Wthread-safety, that can
// be released early: a blocking operation registers itself under the lock,
// unlocks, and only then waits. It locks with RawMutex::lock_for_latency():
// every critical section under it is short, and a thread waiting for it is
// usually one whose partner waits in turn.
#pragma once

#include "ferrite/detail/thread_annotations.h"
#include "ferrite/mutex.h"

namespace ferrite::detail {

// Tag: the lock is already held (taken with try_lock()), adopt it.
struct AdoptLock {
  explicit AdoptLock() = default;
};
inline constexpr AdoptLock kAdoptLock{};

// Holds a RawMutex for one scope; unlock() releases it early.
class FERRITE_SCOPED_CAPABILITY ChannelLock {
 public:
  explicit ChannelLock(RawMutex& lock) noexcept FERRITE_ACQUIRE(lock) : lock_(&lock) {
    lock_->lock_for_latency();
  }
  // Takes over a lock the caller holds.
  ChannelLock(RawMutex& lock, AdoptLock) noexcept FERRITE_REQUIRES(lock) : lock_(&lock) {}
  ~ChannelLock() FERRITE_RELEASE() {
    if (lock_ != nullptr) lock_->unlock();
  }
  ChannelLock(const ChannelLock&) = delete;
  ChannelLock& operator=(const ChannelLock&) = delete;

  void unlock() noexcept FERRITE_RELEASE() {
    lock_->unlock();
    lock_ = nullptr;
  }

 private:
  RawMutex* lock_;
};

}  // namespace ferrite::detail
