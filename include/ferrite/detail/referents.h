// ferrite/detail/referents.h — the memory a borrowing value points at, for
// Scope::spawn's check that a scoped thread does not borrow a local that
// dies before the scope joins it (ferrite/thread.h). Not part of the public
// API.
//
// for_each_referent(value, visit) calls visit(address, bytes) for each
// object or array that `value` borrows, following the classification of
// detail/owned.h: a type that owns its data borrows nothing and compiles to
// no code. Walked at run time:
//
//   * object pointers: the pointee (its size; one byte for `void*`);
//   * std::reference_wrapper: the referent;
//   * std::span, std::basic_string_view, Slice, SliceMut: their elements;
//   * contiguous iterators (SliceIterator, std::vector's, ...): the element
//     they point at;
//   * std::array and C arrays, std::pair, std::tuple, std::optional,
//     std::variant, std::expected, std::unique_ptr, std::shared_ptr, and any
//     range (std containers, Vec, chunks()): their elements;
//   * reflectable aggregates: their fields (a reference member refers to its
//     referent).
//
// Not walked (C++ cannot see inside): lambdas and other class types with
// private members, a chunks_mut range and the iterators of chunk ranges
// (opening them would use up their single pass), and class templates other
// than the above that hold a borrow (Mutex<const int*>, Arc<Slice<int>>).
// Those stay the caller's obligation, as any C++ reference is.
#pragma once

#include <cstddef>
#include <functional>
#include <iterator>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>

#include "ferrite/detail/owned.h"
#include "ferrite/detail/reflect.h"
#include "ferrite/detail/send_sync_diagnostics.h"
#include "ferrite/marker.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

template <class T, class Visit>
void for_each_referent(const T& value, Visit& visit);

// The bytes of one object `pointer` points at (one for an incomplete or void type).
template <class U, class Visit>
void visit_pointee(U* pointer, Visit& visit) {
  if constexpr (!std::is_function_v<U>) {
    if (pointer == nullptr) return;
    if constexpr (std::is_void_v<U>) {
      visit(static_cast<const volatile void*>(pointer), std::size_t{1});
    } else {
      visit(static_cast<const volatile void*>(pointer), sizeof(U));
    }
  }
}

template <class Element, class Visit>
void visit_elements(const Element* data, std::size_t count, Visit& visit) {
  if (data != nullptr && count != 0) {
    visit(static_cast<const volatile void*>(data), count * sizeof(Element));
  }
}

// The fields of an aggregate, or the elements of a tuple or pair, by their
// declared types: a reference member borrows its referent.
template <class... Declared, class... Field, class Visit>
void visit_fields(TypeList<Declared...> /*declared*/, Visit& visit, const Field&... fields) {
  (
      [&] {
        if constexpr (std::is_reference_v<Declared>) {
          visit_pointee(std::addressof(fields), visit);
        } else {
          for_each_referent(fields, visit);
        }
      }(),
      ...);
}

template <class T>
inline constexpr bool is_single_pass_chunks = false;
template <class View>
inline constexpr bool is_single_pass_chunks<ChunkRange<View>> =
    !std::is_const_v<typename View::element_type>;

template <class T, class Visit>
void for_each_referent(const T& value, Visit& visit) {
  if constexpr (Owned<T>) {
    // Owns its data: nothing to check.
  } else if constexpr (std::is_pointer_v<T>) {
    visit_pointee(value, visit);
  } else if constexpr (is_instance_of<T, std::reference_wrapper>) {
    visit_pointee(std::addressof(value.get()), visit);
  } else if constexpr (is_span<T> || is_instance_of<T, std::basic_string_view>) {
    visit_elements(value.data(), value.size(), visit);
  } else if constexpr (is_instance_of<T, Slice>) {
    const auto elements = value.as_span(unsafe_fn);
    visit_elements(elements.data(), elements.size(), visit);
  } else if constexpr (is_instance_of<T, SliceMut>) {
    const auto elements = value.as_slice().as_span(unsafe_fn);
    visit_elements(elements.data(), elements.size(), visit);
  } else if constexpr (std::contiguous_iterator<T>) {
    visit_pointee(std::to_address(value), visit);
  } else if constexpr (std::is_array_v<T> || is_std_array<T>) {
    for (const auto& element : value) for_each_referent(element, visit);
  } else if constexpr (is_instance_of<T, std::pair> || is_instance_of<T, std::tuple>) {
    // By declared element type: std::make_tuple(std::cref(x)) holds a `const int&`.
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      visit_fields(TypeList<std::tuple_element_t<I, T>...>{}, visit, std::get<I>(value)...);
    }
    (std::make_index_sequence<std::tuple_size_v<T>>{});
  } else if constexpr (is_instance_of<T, std::optional>) {
    if (value.has_value()) for_each_referent(*value, visit);
  } else if constexpr (is_instance_of<T, std::variant>) {
    if (!value.valueless_by_exception()) {
      std::visit([&](const auto& alternative) { for_each_referent(alternative, visit); }, value);
    }
  } else if constexpr (is_instance_of<T, std::expected>) {
    if (value.has_value()) {
      if constexpr (!std::is_void_v<typename T::value_type>) for_each_referent(*value, visit);
    } else {
      for_each_referent(value.error(), visit);
    }
  } else if constexpr (is_instance_of<T, std::unique_ptr> || is_instance_of<T, std::shared_ptr>) {
    if constexpr (!std::is_array_v<typename T::element_type>) {
      if (value != nullptr) for_each_referent(*value, visit);
    }
  } else if constexpr (is_single_pass_chunks<T>) {
    // chunks_mut hands each chunk out once: not opened here.
  } else if constexpr (std::ranges::input_range<const T>) {
    for (const auto& element : value) for_each_referent(element, visit);
  } else if constexpr (!std::is_empty_v<T> && ReflectableAggregate<T>) {
    with_bindings<reflected_field_count<T>()>(value, [&](auto declared, const auto&... fields) {
      visit_fields(declared, visit, fields...);
    });
  }
  // Anything else: its members cannot be seen.
}

}  // namespace ferrite::detail
