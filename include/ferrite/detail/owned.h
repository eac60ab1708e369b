// ferrite/detail/owned.h — `Owned<T>`: a T that owns its data, with no
// borrow inside. Not part of the public API.
//
// Rust's `'static` bound, as far as C++ can see it. What crosses a boundary
// with no lifetime link to the caller's frame — thread::spawn's callable,
// arguments and result, ThreadPool jobs and results, every channel or mpsc
// message, and the result of any spawned or scoped thread — must own its
// data, because nothing joins the thread before the borrowed object dies (a
// dropped JoinHandle detaches). A borrow is:
//
//   * a reference (T&, const T&, T&&) or an object pointer;
//   * std::reference_wrapper, std::span, std::basic_string_view;
//   * ferrite's views: Slice, SliceMut, their chunk ranges and iterators,
//     and the guards (MutexGuard, RwLock guards, Ref, RefMut);
//   * anything that holds one: an array, an aggregate with a borrowing
//     field, or a class template with a borrowing type argument (a std
//     container, optional, pair, tuple, variant, expected, unique_ptr, Arc,
//     Vec, Mutex, ...; this also catches std::vector's iterators, whose
//     argument is a pointer).
//
// Function pointers are owned (functions live for the whole program). Other
// class types and lambdas count as owned: C++ cannot see their members (the
// compiler plugin checks lambda captures); an aggregate whose fields cannot
// be reflected is already a compile error in the Send check.
//
// A boundary that rejects a borrow names it (BorrowIn below, and
// ferrite/detail/boundary.h).
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <span>
#include <string_view>
#include <type_traits>

#include "ferrite/detail/reflect.h"
#include "ferrite/detail/send_sync_diagnostics.h"
#include "ferrite/marker.h"

namespace ferrite::detail {

template <class T>
struct OwnedTrait;

template <class T>
concept Owned = OwnedTrait<std::remove_cv_t<T>>::value;

template <class List>
struct AllOwned;
template <class... F>
struct AllOwned<TypeList<F...>> {
  static constexpr bool value = (Owned<F> && ...);
};

// A borrow by its shape alone.
template <class T>
inline constexpr bool is_borrow_template =
    is_instance_of<T, std::reference_wrapper> || is_instance_of<T, std::basic_string_view> ||
    is_instance_of<T, Slice> || is_instance_of<T, SliceMut> || is_instance_of<T, ChunkRange> ||
    is_instance_of<T, SliceIterator> || is_instance_of<T, MutexGuard> ||
    is_instance_of<T, RwLockReadGuard> || is_instance_of<T, RwLockWriteGuard> ||
    is_instance_of<T, Ref> || is_instance_of<T, RefMut>;

// T (unqualified) is itself a borrow: a reference, an object pointer, a view.
template <class T>
inline constexpr bool is_borrow =
    std::is_reference_v<T> || (std::is_pointer_v<T> && !std::is_function_v<std::remove_pointer_t<T>>) ||
    is_span<T> || is_borrow_template<T>;

// What else T is made of, each of which must own its data too: an array's
// or std::array's element, the view an iterator stands for, an aggregate's
// fields, a class template's type arguments.
template <class T>
auto owned_parts() {
  if constexpr (std::is_pointer_v<T> || is_borrow<T>) {
    return TypeList<>{};
  } else if constexpr (ViewOfAnother<T>) {
    return TypeList<typename T::send_sync_as>{};
  } else if constexpr (!std::is_array_v<T> && !is_std_array<T> && !std::is_empty_v<T> &&
                       ReflectableAggregate<T>) {
    return FieldTypes<T>{};
  } else {
    return TypeArguments<T>{};
  }
}
template <class T>
using OwnedParts = decltype(owned_parts<T>());

template <class T>
struct OwnedTrait {
  static constexpr bool value = !is_borrow<T> && AllOwned<OwnedParts<T>>::value;
};

// The borrow that keeps T (not Owned) from owning its data: T itself, or the
// borrow inside its first part that does not own its data.
template <class T, bool borrow = is_borrow<std::remove_cv_t<T>>>
struct BorrowIn {
  using type = T;
};
template <class T>
struct OwnedHolds {
  static constexpr bool value = Owned<T>;
};
template <class T>
struct BorrowIn<T, false>
    : BorrowIn<typename FirstLacking<OwnedHolds, OwnedParts<std::remove_cv_t<T>>>::type> {};

}  // namespace ferrite::detail
