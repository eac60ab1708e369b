// lib/channel/array.cc — storage for the slots of a bounded channel (see
// ferrite/channel/array.h).
//
// A bounded channel's slots start zero-filled (stamp 0 is "lap 0, free"), so
// creating one is a single memset of its buffer rather than a store per
// slot: for bounded(500,000) with word-sized messages that is 8 MB, a few
// hundred microseconds when the memory is already mapped.
//
// Storage comes from operator new, like crossbeam's Box<[Slot<T>]>, so a
// process that creates and drops large channels reuses memory its allocator
// has already faulted in. Mapping fresh memory for each large buffer was
// measured and dropped (docs/BENCHMARKS.md, the boundedN workloads): even
// backed by transparent huge pages, a fresh mapping pays its page faults
// every time, and on a virtual machine a huge page that the host has
// reclaimed took milliseconds to fault back in.
#include "ferrite/channel/array.h"

#include <cstddef>
#include <cstring>
#include <limits>
#include <new>

namespace ferrite::detail {

void* allocate_slot_storage(std::size_t count, std::size_t size, std::size_t align) {
  if (size != 0 && count > std::numeric_limits<std::size_t>::max() / size) {
    throw std::bad_array_new_length();
  }
  const std::size_t bytes = count * size;
  void* const memory = ::operator new(bytes, std::align_val_t{align});
  // SAFETY(channel-array-zero): `memory` is a fresh allocation of exactly
  // `bytes` bytes, so the memset stays inside it; it sets the bytes of the
  // slots operator new implicitly created there (an implicit-lifetime,
  // trivially copyable type), before any other thread can see them.
  std::memset(memory, 0, bytes);
  return memory;
}

void free_slot_storage(void* storage, std::size_t count, std::size_t size,
                       std::size_t align) noexcept {
  // The same count and size as the allocation, whose product did not overflow.
  ::operator delete(storage, count * size, std::align_val_t{align});
}

}  // namespace ferrite::detail
