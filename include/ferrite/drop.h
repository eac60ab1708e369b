// ferrite/drop.h — end a value's life now (Rust's std::mem::drop).
//
//   auto [tx, rx] = ferrite::channel::unbounded<int>();
//   ferrite::drop(std::move(tx));     // the last Sender is gone: rx disconnects
//   rx.recv();                        // RecvError once the buffer is drained
//
// A C++ object lives until the end of its scope; `drop(std::move(x))` moves
// `x` into a temporary that is destroyed before `drop` returns, so whatever
// `x` owned is released at that line: a channel end stops counting (the last
// Sender or Receiver gone disconnects the channel, as in Rust), a lock guard
// unlocks, an Arc gives up its count, a Vec frees its buffer. `x` is left
// moved-from: a channel end, guard or JoinHandle panics if it is used again,
// a Vec or Arc is empty (each type's header says which).
//
// Invalid: `drop(x)` on an lvalue does not compile — the call must say
// `std::move(x)`, as Rust's `drop(x)` moves `x`; and a type that cannot be
// moved cannot be dropped early (destroy it by leaving its scope).
#pragma once

#include <concepts>
#include <type_traits>
#include <utility>

#include "ferrite/detail/config.h"

namespace ferrite {

/// Destroys the object that `value` refers to now, as Rust's
/// `std::mem::drop(value)`: moves it into a local that dies before `drop`
/// returns, leaving `value` moved-from. Pass `std::move(x)`.
template <class T>
  requires(!std::is_lvalue_reference_v<T> && !std::is_const_v<T> && std::move_constructible<T>)
void drop(T&& value) noexcept(std::is_nothrow_move_constructible_v<T>) {
  [[maybe_unused]] T dropped(std::move(value));
}

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif
/// An lvalue cannot be dropped: `drop(std::move(x))` says that `x` is given up.
template <class T>
void drop(T& value) = FERRITE_DELETE(
    "ferrite::drop takes ownership, as Rust's drop(x) moves x: write drop(std::move(x))");
#if defined(__clang__)
#pragma clang diagnostic pop
#endif

}  // namespace ferrite
