// lib/channel_array.cc — storage for the slots of a bounded channel (see
// ferrite/channel_array.h).
//
// A bounded(N) channel constructs all N slots when it is created, so its
// creation time is the page faults of its buffer: 16 bytes a slot for a
// word-sized message, 8 MB for 500,000 slots, about 5 ms of 4 KiB faults on
// this project's VMs. Buffers of 2 MiB and more are therefore 2 MiB-aligned
// and advised with MADV_HUGEPAGE, which lets the kernel back them with huge
// pages where transparent huge pages are enabled (`always`, or `madvise` as
// Debian ships them); elsewhere the advice is ignored and nothing changes.
#include "ferrite/channel_array.h"

#include <sys/mman.h>

#include <cstddef>
#include <limits>
#include <new>

#include "ferrite/panic.h"

namespace ferrite::detail {

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// The bytes and alignment of the storage for count objects of size bytes.
struct Layout {
  std::size_t bytes;
  std::size_t align;
};

Layout layout(std::size_t count, std::size_t size, std::size_t align) {
  // The rounding below must not overflow either.
  if (size != 0 && count > (std::numeric_limits<std::size_t>::max() - kHugePage) / size) {
    throw std::bad_array_new_length();
  }
  const std::size_t bytes = count * size;
  if (bytes < kHugePage) return {bytes, align};
  FERRITE_DEBUG_ASSERT(align <= kHugePage);
  return {(bytes + kHugePage - 1) / kHugePage * kHugePage, kHugePage};
}

}  // namespace

void* allocate_slot_storage(std::size_t count, std::size_t size, std::size_t align) {
  const Layout storage = layout(count, size, align);
  void* const memory = ::operator new(storage.bytes, std::align_val_t{storage.align});
  if (storage.align == kHugePage) {
    // Advice only: where it is refused (EINVAL without THP) the buffer simply
    // keeps ordinary pages, so the result is ignored.
    static_cast<void>(::madvise(memory, storage.bytes, MADV_HUGEPAGE));
  }
  return memory;
}

void free_slot_storage(void* storage, std::size_t count, std::size_t size,
                       std::size_t align) noexcept {
  // The same count, size and align as the allocation, so no overflow here.
  const std::size_t bytes = count * size;
  if (bytes < kHugePage) {
    ::operator delete(storage, bytes, std::align_val_t{align});
  } else {
    ::operator delete(storage, (bytes + kHugePage - 1) / kHugePage * kHugePage,
                      std::align_val_t{kHugePage});
  }
}

}  // namespace ferrite::detail
