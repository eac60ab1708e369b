// ferrite/channel/rmw.h — internal: the atomic read-modify-writes and fences
// of the channels' per-message paths, which a process that has only ever
// had one thread does as plain loads and stores.
//
// Not part of the public API (everything is in ferrite::detail).
//
// A lock-prefixed instruction (a compare-exchange, a fetch_or, a seq_cst
// fence) costs tens of cycles even when its cache line is already ours;
// the bounded flavor pays two per message, the unbounded flavor four and a
// fence. A program that sends and receives on one thread (a work queue
// filled and drained in turns, an event loop) pays them for nothing: glibc's
// own mutex skips its atomic instructions while no second thread has ever
// existed, so a std::deque behind a std::mutex measured about 30% less CPU
// time per message than the flavors did there (docs/BENCHMARKS.md, "One
// thread: the channels without atomic instructions").
//
// Each helper below asks ferrite/detail/single_threaded.h at the moment of
// the operation, never earlier: the flag goes from true to false, for good,
// when this thread creates another (glibc clears it before the new thread
// exists), so a call that reads true runs while no other thread exists at
// all. Nothing can then read or write the word between our load and our
// store, and a thread created afterwards sees both: pthread_create
// synchronizes everything the creating thread did before it with the new
// thread's start. An operation that spans two helper calls (a claim, then
// the write that publishes the message) may see the flag change between
// them (the message's move constructor may start a thread): each call
// decides for itself, and the one after the change is the real atomic
// instruction, with its documented ordering.
#pragma once

#include <atomic>

#include "ferrite/detail/single_threaded.h"

namespace ferrite::detail {

// word.compare_exchange_weak(expected, desired, success, failure); in a
// single-threaded process a load, a comparison and a store.
template <class V>
bool compare_exchange_weak_unless_alone(std::atomic<V>& word, V& expected, V desired,
                                        std::memory_order success,
                                        std::memory_order failure) noexcept {
  if (process_is_single_threaded()) {
    // ORDERING(channel-rmw-alone-load): relaxed; no other thread exists
    // (see the top of this file), so no write can race with this load or
    // the store below.
    const V current = word.load(std::memory_order_relaxed);
    if (current != expected) {
      expected = current;
      return false;
    }
    // ORDERING(channel-rmw-alone-store): relaxed; a thread created later
    // sees the store through pthread_create (see the top of this file).
    word.store(desired, std::memory_order_relaxed);
    return true;
  }
  // ORDERING(channel-rmw-cas): the caller's orders; each call site's note
  // says what they pair with.
  return word.compare_exchange_weak(expected, desired, success, failure);
}

// word.fetch_or(bits, order); in a single-threaded process a load and a
// store.
template <class V>
V fetch_or_unless_alone(std::atomic<V>& word, V bits, std::memory_order order) noexcept {
  if (process_is_single_threaded()) {
    // ORDERING(channel-rmw-alone-or-load): relaxed, as channel-rmw-alone-load.
    const V old = word.load(std::memory_order_relaxed);
    // ORDERING(channel-rmw-alone-or-store): relaxed, as channel-rmw-alone-store.
    word.store(static_cast<V>(old | bits), std::memory_order_relaxed);
    return old;
  }
  // ORDERING(channel-rmw-or): the caller's order, as channel-rmw-cas.
  return word.fetch_or(bits, order);
}

// std::atomic_thread_fence(std::memory_order_seq_cst), which orders this
// thread's accesses against other threads' only: none, in a single-threaded
// process.
inline void seq_cst_fence_unless_alone() noexcept {
  if (!process_is_single_threaded()) std::atomic_thread_fence(std::memory_order_seq_cst);
}

}  // namespace ferrite::detail
