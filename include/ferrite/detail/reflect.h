// ferrite/detail/reflect.h — aggregate field reflection, used by the Send/Sync
// rules of ferrite/marker.h (an aggregate is Send when every field is).
// Not part of the public API.
//
// C++23 has no reflection; the declared types of an aggregate's fields are
// recovered through aggregate initialization and structured bindings:
//
// 1. Count the initializers `T{any, any, ...}` accepts (AnyField converts to
//    every non-array type; C arrays are brace-elided and take one per element).
// 2. Reject aggregates with a base class (their members cannot be bound),
//    except the empty opt-out bases NotSend/NotSync, whose positions are
//    skipped.
// 3. Walk the initializer positions: a `{}` (or `{any}`, or `{any class}`
//    for a class without a default constructor) at position P that
//    still leaves the rest aligned tells how many positions the element at P
//    spans, so each C array counts once — the structured-binding count.
// 4. Bind that many names and take their declared types.
//
// Limits (see ferrite/marker.h, LIMITS): at most kMaxReflectedFields fields;
// aggregates with a base class (other than NotSend/NotSync), a non-const
// reference member, an anonymous union or a field initializable from
// anything are not reflectable.
#pragma once

#include <array>
#include <cstddef>
#include <type_traits>
#include <utility>

namespace ferrite {
// The opt-out bases (ferrite/marker.h): an aggregate may derive from them
// and still be reflected, since they hold nothing.
struct NotSend;
struct NotSync;
}  // namespace ferrite

namespace ferrite::detail {

inline constexpr std::size_t kMaxReflectedFields = 16;
inline constexpr std::size_t kNotReflectable = static_cast<std::size_t>(-1);

// Never defined: used only in unevaluated operands.
struct AnyField {
  template <class U>
  operator U() const;
};

// Converts only to class types: `{AnyClassField{}}` initializes a field of
// class type that has no default constructor through its copy or move
// constructor alone. With AnyField a constructor taking a pointer or a
// number (even a private explicit one, such as Rc's from its box) competes
// with them, which GCC reports as ambiguous.
struct AnyClassField {
  template <class U>
    requires std::is_class_v<U>
  operator U() const;
};

// Converts only to a proper base class of T: valid as the first initializer
// of T exactly when T has a base (bases come first in aggregate order).
template <class T>
struct AnyBaseOf {
  template <class U>
  requires(std::is_base_of_v<U, T> && !std::is_same_v<U, T>) operator U() const;
};

// Converts only to a proper base class of T other than the opt-out bases.
template <class T>
struct AnyOtherBaseOf {
  template <class U>
  requires(std::is_base_of_v<U, T> && !std::is_same_v<U, T> && !std::is_same_v<U, NotSend> &&
           !std::is_same_v<U, NotSync>) operator U() const;
};

// How many of the opt-out bases T derives from (they come first among the
// initializers when they are its only bases).
template <class T>
inline constexpr std::size_t kOptOutBases =
    std::size_t{std::is_base_of_v<NotSend, T>} + std::size_t{std::is_base_of_v<NotSync, T>};

template <std::size_t, class E>
using Repeat = E;

template <class... Ts>
struct TypeList {};

// The type arguments of a class template specialization, and the element
// type of an array or std::array, as a TypeList (empty for other types).
// What a holder is made of, for the Send/Sync rules, their diagnostics and
// the owned-data rule alike.
template <class T>
struct TypeArgumentsOf {
  using type = TypeList<>;
};
template <template <class...> class Template, class... Args>
struct TypeArgumentsOf<Template<Args...>> {
  using type = TypeList<Args...>;
};
template <class T, std::size_t N>
struct TypeArgumentsOf<std::array<T, N>> {
  using type = TypeList<T>;
};
template <class T, std::size_t N>
struct TypeArgumentsOf<T[N]> {
  using type = TypeList<T>;
};
template <class T>
struct TypeArgumentsOf<T[]> {
  using type = TypeList<T>;
};
template <class T>
using TypeArguments = typename TypeArgumentsOf<T>::type;

// The first type of a list that lacks `Has` (Has<U>::value false), found
// without instantiating Has past it; `type` is absent when every one has it.
template <template <class> class Has, class List>
struct FirstLacking {};
template <template <class> class Has, class First, class... Rest>
struct FirstLacking<Has, TypeList<First, Rest...>>
    : std::conditional_t<Has<First>::value, FirstLacking<Has, TypeList<Rest...>>,
                         std::type_identity<First>> {};

template <class T, std::size_t... I>
consteval bool accepts_initializers(std::index_sequence<I...>) {
  return requires { T{Repeat<I, AnyField>{}...}; };
}

// The largest N <= kMaxReflectedFields with `T{any x N}` well-formed.
template <class T>
consteval std::size_t initializer_count() {
  return []<std::size_t... N>(std::index_sequence<N...>) {
    std::size_t best = kNotReflectable;
    ((best = accepts_initializers<T>(std::make_index_sequence<N>{}) ? N : best), ...);
    return best;
  }
  (std::make_index_sequence<kMaxReflectedFields + 2>{});
}

template <class T, std::size_t N>
consteval bool has_base_class() {
  if constexpr (N == 0) {
    return false;
  } else {
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return requires { T{AnyBaseOf<T>{}, Repeat<I, AnyField>{}...}; };
    }
    (std::make_index_sequence<N - 1>{});
  }
}

// Does T have a base other than the opt-out ones? Its bases take the first
// initializer positions; try a non-opt-out base at each of them.
template <class T, std::size_t N>
consteval bool has_other_base() {
  return []<std::size_t... P>(std::index_sequence<P...>) {
    return (... || []<std::size_t... B, std::size_t... A>(std::index_sequence<B...>,
                                                        std::index_sequence<A...>) {
      return requires { T{Repeat<B, AnyField>{}..., AnyOtherBaseOf<T>{}, Repeat<A, AnyField>{}...}; };
    }(std::make_index_sequence<P>{}, std::make_index_sequence<N - P - 1>{}));
  }(std::make_index_sequence<(kOptOutBases<T> < N ? kOptOutBases<T> + 1 : N)>{});
}

// Does the element starting at initializer position P span exactly K positions?
template <class T, std::size_t N, std::size_t P, std::size_t K>
consteval bool element_spans() {
  return
      []<std::size_t... B, std::size_t... A>(std::index_sequence<B...>, std::index_sequence<A...>) {
    return requires { T{Repeat<B, AnyField>{}..., {}, Repeat<A, AnyField>{}...}; }
    || requires { T{Repeat<B, AnyField>{}..., {AnyField{}}, Repeat<A, AnyField>{}...}; }
    || requires { T{Repeat<B, AnyField>{}..., {AnyClassField{}}, Repeat<A, AnyField>{}...}; };
  }
  (std::make_index_sequence<P>{}, std::make_index_sequence<N - P - K>{});
}

template <class T, std::size_t N, std::size_t P, std::size_t Bindings>
consteval std::size_t binding_count_from();

template <class T, std::size_t N, std::size_t P, std::size_t Bindings, std::size_t K>
consteval std::size_t binding_count_span() {
  if constexpr (P + K > N) {
    return kNotReflectable;
  } else if constexpr (element_spans<T, N, P, K>()) {
    return binding_count_from<T, N, P + K, Bindings + 1>();
  } else {
    return binding_count_span<T, N, P, Bindings, K + 1>();
  }
}

template <class T, std::size_t N, std::size_t P, std::size_t Bindings>
consteval std::size_t binding_count_from() {
  if constexpr (P == N) {
    return Bindings;
  } else {
    return binding_count_span<T, N, P, Bindings, 1>();
  }
}

// Number of structured bindings of aggregate T, or kNotReflectable.
template <class T>
consteval std::size_t reflected_field_count() {
  if constexpr (!std::is_class_v<T> || std::is_union_v<T> || !std::is_aggregate_v<T>) {
    return kNotReflectable;
  } else {
    constexpr std::size_t initializers = initializer_count<T>();
    if constexpr (initializers > kMaxReflectedFields) {
      return kNotReflectable;
    } else if constexpr (has_base_class<T, initializers>()) {
      // Reflectable only when the bases are opt-outs (empty, first in order)
      // and every field is the class's own.
      if constexpr (kOptOutBases<T> == 0 || kOptOutBases<T> > initializers ||
                    has_other_base<T, initializers>()) {
        return kNotReflectable;
      } else {
        return binding_count_from<T, initializers, kOptOutBases<T>, 0>();
      }
    } else {
      return binding_count_from<T, initializers, 0, 0>();
    }
  }
}

template <class T>
concept ReflectableAggregate = (reflected_field_count<T>() != kNotReflectable);

// Never defined: the functions below are only named in decltype.
template <class T>
T& unevaluated_ref();

// Calls visitor(TypeList<declared field types...>{}, field...) with the N
// structured bindings of `object` (N = reflected_field_count<T>()). The
// fields reach the visitor as lvalues; a visitor taking `const auto&` also
// accepts bit-fields (bound to a temporary copy).
template <std::size_t N, class T, class Visitor>
decltype(auto) with_bindings(T& object, Visitor&& visitor) {
  if constexpr (N == 0) {
    return std::forward<Visitor>(visitor)(TypeList<>{});
  } else if constexpr (N == 1) {
    auto& [f0] = object;
    return std::forward<Visitor>(visitor)(TypeList<decltype(f0)>{}, f0);
  } else if constexpr (N == 2) {
    auto& [f0, f1] = object;
    return std::forward<Visitor>(visitor)(TypeList<decltype(f0), decltype(f1)>{}, f0, f1);
  } else if constexpr (N == 3) {
    auto& [f0, f1, f2] = object;
    return std::forward<Visitor>(visitor)(TypeList<decltype(f0), decltype(f1), decltype(f2)>{}, f0,
                                          f1, f2);
  } else if constexpr (N == 4) {
    auto& [f0, f1, f2, f3] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3)>{}, f0, f1, f2, f3);
  } else if constexpr (N == 5) {
    auto& [f0, f1, f2, f3, f4] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4)>{}, f0, f1,
        f2, f3, f4);
  } else if constexpr (N == 6) {
    auto& [f0, f1, f2, f3, f4, f5] = object;
    return std::forward<Visitor>(visitor)(TypeList<decltype(f0), decltype(f1), decltype(f2),
                                                   decltype(f3), decltype(f4), decltype(f5)>{},
                                          f0, f1, f2, f3, f4, f5);
  } else if constexpr (N == 7) {
    auto& [f0, f1, f2, f3, f4, f5, f6] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6)>{},
        f0, f1, f2, f3, f4, f5, f6);
  } else if constexpr (N == 8) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7)>{},
        f0, f1, f2, f3, f4, f5, f6, f7);
  } else if constexpr (N == 9) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8);
  } else if constexpr (N == 10) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9);
  } else if constexpr (N == 11) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10);
  } else if constexpr (N == 12) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10),
                 decltype(f11)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11);
  } else if constexpr (N == 13) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10),
                 decltype(f11), decltype(f12)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12);
  } else if constexpr (N == 14) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10),
                 decltype(f11), decltype(f12), decltype(f13)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13);
  } else if constexpr (N == 15) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10),
                 decltype(f11), decltype(f12), decltype(f13), decltype(f14)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14);
  } else if constexpr (N == 16) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15] = object;
    return std::forward<Visitor>(visitor)(
        TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4), decltype(f5),
                 decltype(f6), decltype(f7), decltype(f8), decltype(f9), decltype(f10),
                 decltype(f11), decltype(f12), decltype(f13), decltype(f14), decltype(f15)>{},
        f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15);
  } else {
    static_assert(N <= kMaxReflectedFields);
    return std::forward<Visitor>(visitor)(TypeList<>{});
  }
}

template <class T, std::size_t N>
auto field_types(T& object) {
  return with_bindings<N>(object, [](auto types, const auto&... /*fields*/) { return types; });
}
// The declared types of T's fields, in order (a TypeList).
template <ReflectableAggregate T>
using FieldTypes = decltype(field_types<T, reflected_field_count<T>()>(unevaluated_ref<T>()));

// Binding a const object gives each field the type `e.f` has, which stays
// non-const for a `mutable` field: a field writable through `const T&`.
template <class List>
struct AnyMutable;
template <class... F>
struct AnyMutable<TypeList<F...>> {
  static constexpr bool value = ((!std::is_reference_v<F> && !std::is_const_v<F>) || ...);
};

template <ReflectableAggregate T>
consteval bool has_mutable_field() {
  using ConstFields =
      decltype(field_types<const T, reflected_field_count<T>()>(unevaluated_ref<const T>()));
  return AnyMutable<ConstFields>::value;
}

}  // namespace ferrite::detail
