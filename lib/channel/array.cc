// lib/channel/array.cc — storage for the slots of a bounded channel (see
// ferrite/channel/array.h).
//
// A bounded channel's slots start zero-filled (stamp 0 is "lap 0, free"), so
// its buffer can come from the C allocator's calloc, like the zeroed
// allocation Rust's allocator API offers. calloc knows when memory is already
// zero: a large buffer is mapped fresh from the kernel, and then calloc
// writes nothing, where a memset wrote every byte the kernel had just
// zeroed. Memory that calloc takes from its free lists (small buffers, or
// large ones in a process that freed one of the same size) is cleared by
// calloc itself, as the memset did.
//
// A buffer of kPopulateBytes or more then has its pages mapped in with one
// madvise(MADV_POPULATE_WRITE) instead of a page fault each on first write.
// Leaving them to the first writes was measured and dropped
// (docs/BENCHMARKS.md, "Before/after: buffers, blocks and Select's
// bookkeeping"): a receiver that polls an empty slot on a page no sender has
// written yet maps the kernel's shared zero page there, and the sender's
// write then faults a second time.
//
// Slots aligned beyond what calloc guarantees (a message type declared
// alignas(32) or more) take the aligned operator new and a memset.
//
// Huge pages for large buffers (a fresh mapping with MADV_HUGEPAGE) were
// measured and dropped (docs/BENCHMARKS.md, "What made the channels fast"):
// on a virtual machine, a huge page that the host had reclaimed took
// milliseconds to fault back in.
#include "ferrite/channel/array.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <new>

#include <sys/mman.h>
#include <unistd.h>

namespace ferrite::detail {

namespace {

// Whether calloc's storage is aligned enough for slots of this alignment.
bool calloc_aligns(std::size_t align) noexcept { return align <= alignof(std::max_align_t); }

// Buffers at least this large have their pages populated up front.
constexpr std::size_t kPopulateBytes = std::size_t{256} << 10;

// Makes every whole page of [memory, memory + bytes) present and writable now,
// in one system call, so that no sender takes a page fault later.
void populate(void* memory, std::size_t bytes) noexcept {
  const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
  // SAFETY(channel-array-populate-address): only the address's value is
  // used, to round it to page boundaries; nothing is accessed through it.
  const auto begin = reinterpret_cast<std::uintptr_t>(memory);
  const std::uintptr_t first = (begin + page - 1) & ~(page - 1);
  const std::uintptr_t last = (begin + bytes) & ~(page - 1);
  if (first >= last) return;
  // SAFETY(channel-array-populate): [first, last) is the page-aligned
  // interior of a live allocation of `bytes` bytes, mapped readable and
  // writable; MADV_POPULATE_WRITE faults its pages in as writes would and
  // changes no byte. A kernel without it (before Linux 5.14) answers EINVAL,
  // and the pages are faulted in by the first writes instead.
  (void)madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE);
}

}  // namespace

void* allocate_slot_storage(std::size_t count, std::size_t size, std::size_t align) {
  if (size != 0 && count > std::numeric_limits<std::size_t>::max() / size) {
    throw std::bad_array_new_length();
  }
  const std::size_t bytes = count * size;
  if (calloc_aligns(align)) {
    // At least one byte, so that a null return always means out of memory.
    void* const memory = std::calloc(bytes == 0 ? 1 : bytes, 1);
    if (memory == nullptr) throw std::bad_alloc();
    if (bytes >= kPopulateBytes) populate(memory, bytes);
    return memory;
  }
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
  if (calloc_aligns(align)) {
    std::free(storage);
    return;
  }
  // The same count and size as the allocation, whose product did not overflow.
  ::operator delete(storage, count * size, std::align_val_t{align});
}

}  // namespace ferrite::detail
