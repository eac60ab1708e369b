// ferrite/detail/borrowed.h — `Borrowed<T>`: does a value of type T point
// into data it does not own? Not part of the public API.
//
// Rust's borrow checker ties every reference to the lifetime of what it
// points at; C++ cannot, so ferrite refuses borrows where one would outlive
// its source for sure: a `Mutex::with_lock` result (it outlives the lock).
//
// A type is Borrowed when it is, or holds, a borrow:
//   T&, const T&, T&& (any reference)          T*, const T*, void* (data pointers)
//   std::reference_wrapper<T>                  std::basic_string_view<C>
//   std::span<T, N>                            ferrite::Slice<T>, ferrite::SliceMut<T>
//   std::optional / pair / tuple / variant / expected / vector / array of any
//   of those (recursively).
// Not Borrowed: values, owning containers of values, function pointers (code
// is never freed), member pointers (an offset, not an address).
//
// To add a rule, specialize `BorrowedRule<T>` below for a cv-unqualified,
// non-reference T (`value` true for a view, or the disjunction of its parts
// for a wrapper). Class types not listed are treated as owning.
#pragma once

#include <array>
#include <cstddef>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace ferrite {
template <class T>
class Slice;
template <class T>
class SliceMut;
}  // namespace ferrite

namespace ferrite::detail {

// The rule for one cv-unqualified, non-reference type (see the file comment).
template <class T>
struct BorrowedRule
    : std::bool_constant<std::is_pointer_v<T> && !std::is_function_v<std::remove_pointer_t<T>>> {};

template <class T>
concept Borrowed = std::is_reference_v<T> || BorrowedRule<std::remove_cv_t<T>>::value;

// Views: a borrow by construction.
template <class T>
struct BorrowedRule<std::reference_wrapper<T>> : std::true_type {};
template <class C, class Traits>
struct BorrowedRule<std::basic_string_view<C, Traits>> : std::true_type {};
template <class T, std::size_t N>
struct BorrowedRule<std::span<T, N>> : std::true_type {};
template <class T>
struct BorrowedRule<Slice<T>> : std::true_type {};
template <class T>
struct BorrowedRule<SliceMut<T>> : std::true_type {};

// Wrappers and containers: a borrow if any part is one.
template <class T>
struct BorrowedRule<std::optional<T>> : std::bool_constant<Borrowed<T>> {};
template <class A, class B>
struct BorrowedRule<std::pair<A, B>> : std::bool_constant<Borrowed<A> || Borrowed<B>> {};
template <class... Ts>
struct BorrowedRule<std::tuple<Ts...>> : std::bool_constant<(Borrowed<Ts> || ...)> {};
template <class... Ts>
struct BorrowedRule<std::variant<Ts...>> : std::bool_constant<(Borrowed<Ts> || ...)> {};
template <class T, class E>
struct BorrowedRule<std::expected<T, E>> : std::bool_constant<Borrowed<T> || Borrowed<E>> {};
template <class T, class A>
struct BorrowedRule<std::vector<T, A>> : std::bool_constant<Borrowed<T>> {};
template <class T, std::size_t N>
struct BorrowedRule<std::array<T, N>> : std::bool_constant<Borrowed<T>> {};

}  // namespace ferrite::detail
