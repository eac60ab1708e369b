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

// The words of the boundary checks that reject a borrow.
#define FERRITE_DETAIL_BORROWS_TEXT                                                           \
  "a reference, std::ref/std::cref, std::span, std::string_view, pointer, iterator or Slice " \
  "(or a struct or container holding one)"
#define FERRITE_DETAIL_SPAWN_OWNED_TEXT(where)                                              \
  where ": the callable, every argument and the result must own their data (Rust's "       \
  "'static): the thread may outlive the caller's frame, since a dropped JoinHandle "       \
  "detaches, so " FERRITE_DETAIL_BORROWS_TEXT " would dangle; move or clone the value in, " \
  "or borrow it from a thread inside thread::scope"
#define FERRITE_DETAIL_RESULT_OWNED_TEXT(where)                                          \
  where ": the result must own its data: " FERRITE_DETAIL_BORROWS_TEXT " returned by the " \
  "thread would point into what the thread owned, which is gone once it finishes; return " \
  "a value"
#define FERRITE_DETAIL_CHANNEL_OWNED_TEXT(where)                                            \
  where ": the message type must own its data: a message may be received after its "      \
  "sender's frame is gone, so " FERRITE_DETAIL_BORROWS_TEXT " would dangle; send the value " \
  "itself (moved or cloned) or an Arc"

namespace ferrite::detail {

template <class T>
struct OwnedTrait;

template <class T>
concept Owned = OwnedTrait<std::remove_cv_t<T>>::value;

// The type arguments of a class template specialization (none otherwise).
template <class T>
struct TypeArgumentsOf {
  using type = TypeList<>;
};
template <template <class...> class Template, class... Args>
struct TypeArgumentsOf<Template<Args...>> {
  using type = TypeList<Args...>;
};

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

template <class T>
consteval bool owned_rule() {
  if constexpr (std::is_reference_v<T>) {
    return false;
  } else if constexpr (std::is_pointer_v<T>) {
    return std::is_function_v<std::remove_pointer_t<T>>;
  } else if constexpr (std::is_array_v<T>) {
    return Owned<std::remove_extent_t<T>>;
  } else if constexpr (is_span<T> || is_borrow_template<T>) {
    return false;
  } else if constexpr (ViewOfAnother<T>) {
    return Owned<typename T::send_sync_as>;
  } else if constexpr (is_std_array<T>) {
    return Owned<Element<T>>;
  } else if constexpr (!std::is_empty_v<T> && ReflectableAggregate<T>) {
    return AllOwned<FieldTypes<T>>::value;
  } else {
    return AllOwned<typename TypeArgumentsOf<T>::type>::value;
  }
}

template <class T>
struct OwnedTrait {
  static constexpr bool value = owned_rule<T>();
};

}  // namespace ferrite::detail
