// ferrite/unsafe.h — compiler-enforced unsafe regions.
//
// Project code is compiled with -Werror=unsafe-buffer-usage: any raw pointer
// arithmetic or unchecked subscript outside a region below is a compile error.
// Each region is preceded by a `// SAFETY(id): ...` note that argues, from
// local facts, why it is sound; tools/audit checks the notes and writes the
// register docs/AUDIT.md.
//
//   // SAFETY(vec-split): mid <= len_, so data_ + mid stays inside the allocation.
//   T* tail = FERRITE_UNSAFE_BUFFERS(data_ + mid);
//
// Never nest two regions (clang rejects a nested `begin`).
//
// Unchecked functions take `ferrite::unsafe_fn` as their first argument, so
// every call to one is visible and greppable:
//
//   // # Safety: mid <= len().
//   auto split_at_mut_unchecked(UnsafeFn, std::size_t mid);
//
// Send/Sync opt-ins for types whose members C++ cannot inspect are written at
// global namespace scope, after the type, each with a SAFETY note:
//
//   // SAFETY(my-handle-send): the handle owns its buffer exclusively.
//   FERRITE_UNSAFE_IMPL_SEND(MyHandle);
#pragma once

#include <type_traits>

#if defined(__clang__)
#define FERRITE_UNSAFE_BEGIN _Pragma("clang unsafe_buffer_usage begin")
#define FERRITE_UNSAFE_END _Pragma("clang unsafe_buffer_usage end")
#else
#define FERRITE_UNSAFE_BEGIN
#define FERRITE_UNSAFE_END
#endif

/// One reviewed expression (or statement list) where buffer arithmetic is allowed.
#define FERRITE_UNSAFE_BUFFERS(...) FERRITE_UNSAFE_BEGIN __VA_ARGS__ FERRITE_UNSAFE_END

namespace ferrite {

/// Tag type whose only value is `unsafe_fn`: the first parameter of every
/// function whose preconditions the caller must uphold (`# Safety` section).
struct UnsafeFn {
  explicit constexpr UnsafeFn() = default;
};
/// The value to pass: `v.get_unchecked(ferrite::unsafe_fn, i)` marks the call
/// site as one whose preconditions the caller has checked.
inline constexpr UnsafeFn unsafe_fn{};

namespace detail {
// Specialized (to true) only through FERRITE_UNSAFE_IMPL_SEND/SYNC.
template <class T>
struct UnsafeImplSend : std::false_type {};
template <class T>
struct UnsafeImplSync : std::false_type {};
// Specialized (to true) only through FERRITE_UNSAFE_IMPL_SYNC_MUT.
template <class T>
struct UnsafeImplSyncMut : std::false_type {};
}  // namespace detail

}  // namespace ferrite

/// Declares that `Type` may be moved to another thread although ferrite cannot
/// prove it. Write at global namespace scope; an audited region.
#define FERRITE_UNSAFE_IMPL_SEND(...) \
  template <>                         \
  struct ferrite::detail::UnsafeImplSend<__VA_ARGS__> : std::true_type {}

/// Declares that `const Type&` may be shared between threads although ferrite
/// cannot prove it. Write at global namespace scope; an audited region.
#define FERRITE_UNSAFE_IMPL_SYNC(...) \
  template <>                         \
  struct ferrite::detail::UnsafeImplSync<__VA_ARGS__> : std::true_type {}

/// Declares that a `Type&` shared between threads may be used to modify the
/// `Type` (ferrite::SyncMut): every non-const member of `Type` is safe to call
/// from two threads at once, as std::atomic's are. Write at global namespace
/// scope; an audited region.
#define FERRITE_UNSAFE_IMPL_SYNC_MUT(...) \
  template <>                             \
  struct ferrite::detail::UnsafeImplSyncMut<__VA_ARGS__> : std::true_type {}
