// ferrite/marker.h — the Send and Sync marker concepts.
//
// `ferrite::Send<T>`: a `T` may be moved to another thread.
// `ferrite::Sync<T>`: a `const T&` may be shared between threads (so Sync<T>
// is the same as Send<const T&>).
//
// This file states every rule in one place, including the rows for ferrite's
// own templates (declared here, defined in their headers):
//
// | type                                           | Send                | Sync                |
// |------------------------------------------------|---------------------|---------------------|
// | void, arithmetic, enums, nullptr_t, std::string| yes                 | yes                 |
// | function pointers, member pointers             | yes                 | yes                 |
// | object pointers `T*`, `const T*`               | no                  | no                  |
// | `T&`, `const T&`, `std::reference_wrapper<T>`  | Sync<T>             | Sync<T>             |
// | `T[N]`, std optional/vector/array/pair/tuple/  | all elements Send   | all elements Sync   |
// |   variant/unique_ptr/expected                  |                     |                     |
// | `std::shared_ptr<T>`, `std::weak_ptr<T>`,      | Send<T> && Sync<T>  | Send<T> && Sync<T>  |
// |   `Arc<T>`, `arc::Weak<T>`                     |                     |                     |
// | `Rc<T>`, `rc::Weak<T>`                         | no                  | no                  |
// | `UnsafeCell<T>`, `Cell<T>`, `RefCell<T>`,      | Send<T>             | no                  |
// |   `OnceCell<T>`                                |                     |                     |
// | `Ref<T>`, `RefMut<T>` (RefCell guards)         | no                  | no                  |
// | `MutexGuard<T>`, `RwLockReadGuard<T>`,         | no                  | Sync<T>             |
// |   `RwLockWriteGuard<T>`                        |                     |                     |
// | `Mutex<T>`                                     | Send<T>             | Send<T>             |
// | `RwLock<T>`, `OnceLock<T>`                     | Send<T>             | Send<T> && Sync<T>  |
// | `Vec<T>`, `SliceMut<T>`                        | Send<T>             | Sync<T>             |
// | `Slice<T>`                                     | Sync<T>             | Sync<T>             |
// | `mpsc::Sender<T>`, `mpsc::SyncSender<T>`       | Send<T>             | Send<T>             |
// | `mpsc::Receiver<T>`                            | Send<T>             | no                  |
// | `channel::Sender<T>`, `channel::Receiver<T>`   | Send<T>             | Send<T>             |
// | aggregates (plain structs)                     | every field Send    | every field Sync    |
// | other class types, unions, lambdas             | yes unless opted out| yes unless opted out|
//
// cv-qualified types follow their unqualified type.
//
// Opting out: derive from `ferrite::NotSend` / `ferrite::NotSync`, or (in an
// aggregate) hold a `[[no_unique_address]] ferrite::PhantomNotSend` /
// `PhantomNotSync` member. Each removes only its own trait.
//
//   struct Session : ferrite::NotSend { int socket; };      // Sync, not Send
//   struct Frame { int* pixels; };                          // neither: a raw pointer field
//
// Opting in (an audited region, at global namespace scope, after the type):
//
//   // SAFETY(my-handle-send): the handle owns its buffer exclusively.
//   FERRITE_UNSAFE_IMPL_SEND(MyHandle);
//
// An opt-in overrides every rule above for exactly the type named.
//
// LIMITS — what C++ cannot see. C++23 has no reflection, so ferrite inspects
// only aggregates, field by field, through structured bindings (at most 16
// fields; C arrays, nested aggregates and any field type are fine). It cannot
// see the members of:
//   * classes with constructors or private members, and lambdas: such a type
//     is Send and Sync unless it opts out, even if it holds an Rc or a raw
//     pointer. A lambda capturing `Rc<int>` by value is therefore accepted by
//     thread::spawn: capture an Arc, or pass the Rc as an argument (arguments
//     are checked one by one);
//   * aggregates with a base class, a non-const reference member, an
//     anonymous union, or more than 16 fields: they are treated as "other
//     class types" (their NotSend/NotSync bases still count);
//   * recursive aggregates (a field whose check needs the aggregate itself)
//     make the check ill-formed; opt them in or out explicitly.
//
// Customization (for ferrite's own headers): partially specialize
// `detail::SendTrait<T>` / `detail::SyncTrait<T>` with a
// `static constexpr bool value`. A specialization may add
// `static constexpr std::string_view reason` (the rule) and `way_out`, which
// the boundary diagnostics below print.
//
// Boundary checks: every place where ferrite moves a value to another thread
// (thread::spawn, Scope::spawn, channels, ThreadPool) calls
// `detail::assert_send<T>()` (or `assert_sync<T>()`). A failure is a chain of
// static_asserts, outermost rule first; each names the failing type (in the
// requirement), the rule and the way out (in the message):
//
//   error: static assertion failed due to requirement 'type_is_Send<ferrite::Rc<int>>':
//          Rc<T> is not Send: Rc's reference count is not atomic; use Arc<T> (and arc::Weak<T>)
//
// `detail::send_message<T>()` builds the whole explanation as one string at
// compile time ("ferrite::Rc<int> is not Send: ...; use Arc<int>"); under
// C++26 (computed static_assert messages) the check prints that instead.
//
// Constrain the public function with the `Send`/`Sync` concepts as well when
// callers need to test it in a requires-expression.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ferrite/unsafe.h"

namespace ferrite {

// Empty bases that opt a class out of one trait. Each removes only its own.
//
//   class Connection : public ferrite::NotSend { ... };  // Sync, not Send
struct NotSend {};
struct NotSync {};

// Zero-size members that opt an aggregate out of one trait through field
// derivation:
//
//   struct Local { int id; [[no_unique_address]] ferrite::PhantomNotSend not_send; };
struct PhantomNotSend {};
struct PhantomNotSync {};

// ferrite's own templates, declared here so that this file holds every rule.
template <class T>
class Rc;
namespace rc {
template <class T>
class Weak;
}  // namespace rc
template <class T>
class Arc;
namespace arc {
template <class T>
class Weak;
}  // namespace arc
template <class T>
class UnsafeCell;
template <class T>
class Cell;
template <class T>
class RefCell;
template <class T>
class Ref;
template <class T>
class RefMut;
template <class T>
class OnceCell;
template <class T>
class OnceLock;
template <class T>
class Mutex;
template <class T>
class MutexGuard;
template <class T>
class RwLock;
template <class T>
class RwLockReadGuard;
template <class T>
class RwLockWriteGuard;
template <class T>
class Vec;
template <class T>
class Slice;
template <class T>
class SliceMut;
namespace mpsc {
template <class T>
class Sender;
template <class T>
class SyncSender;
template <class T>
class Receiver;
}  // namespace mpsc
namespace channel {
template <class T>
class Sender;
template <class T>
class Receiver;
}  // namespace channel

namespace detail {

// The customization points. The primary templates (defined below) implement
// the default rules; library types partially specialize them.
template <class T, class = void>
struct SendTrait;
template <class T, class = void>
struct SyncTrait;

}  // namespace detail

// `T` may be moved to another thread. The opt-in is a constraint disjunction,
// so an opted-in type's default rule is never even instantiated.
template <class T>
concept Send = detail::UnsafeImplSend<std::remove_cv_t<T>>::value ||
    detail::SendTrait<std::remove_cv_t<T>>::value;

// `const T&` may be shared between threads.
template <class T>
concept Sync = detail::UnsafeImplSync<std::remove_cv_t<T>>::value ||
    detail::SyncTrait<std::remove_cv_t<T>>::value;

namespace detail {

// ---------------------------------------------------------------------------
// Aggregate field reflection.
//
// 1. Count the initializers `T{any, any, ...}` accepts (AnyField converts to
//    every non-array type; C arrays are brace-elided and take one per element).
// 2. Reject aggregates with a base class (their members cannot be bound).
// 3. Walk the initializer positions: a `{}` (or `{any}`) at position P that
//    still leaves the rest aligned tells how many positions the element at P
//    spans, so each C array counts once — the structured-binding count.
// 4. Bind that many names and take their declared types.
// ---------------------------------------------------------------------------

inline constexpr std::size_t kMaxReflectedFields = 16;
inline constexpr std::size_t kNotReflectable = static_cast<std::size_t>(-1);

// Never defined: used only in unevaluated operands.
struct AnyField {
  template <class U>
  operator U() const;
};

// Converts only to a proper base class of T: valid as the first initializer
// of T exactly when T has a base (bases come first in aggregate order).
template <class T>
struct AnyBaseOf {
  template <class U>
  requires(std::is_base_of_v<U, T> && !std::is_same_v<U, T>) operator U() const;
};

template <std::size_t, class E>
using Repeat = E;

template <class... Ts>
struct TypeList {};

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

// Does the element starting at initializer position P span exactly K positions?
template <class T, std::size_t N, std::size_t P, std::size_t K>
consteval bool element_spans() {
  return
      []<std::size_t... B, std::size_t... A>(std::index_sequence<B...>, std::index_sequence<A...>) {
    return requires { T{Repeat<B, AnyField>{}..., {}, Repeat<A, AnyField>{}...}; }
    || requires { T{Repeat<B, AnyField>{}..., {AnyField{}}, Repeat<A, AnyField>{}...}; };
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
      return kNotReflectable;
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

template <class T, std::size_t N>
auto field_types(T& object) {
  if constexpr (N == 0) {
    return TypeList<>{};
  } else if constexpr (N == 1) {
    auto& [f0] = object;
    return TypeList<decltype(f0)>{};
  } else if constexpr (N == 2) {
    auto& [f0, f1] = object;
    return TypeList<decltype(f0), decltype(f1)>{};
  } else if constexpr (N == 3) {
    auto& [f0, f1, f2] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2)>{};
  } else if constexpr (N == 4) {
    auto& [f0, f1, f2, f3] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3)>{};
  } else if constexpr (N == 5) {
    auto& [f0, f1, f2, f3, f4] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4)>{};
  } else if constexpr (N == 6) {
    auto& [f0, f1, f2, f3, f4, f5] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5)>{};
  } else if constexpr (N == 7) {
    auto& [f0, f1, f2, f3, f4, f5, f6] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6)>{};
  } else if constexpr (N == 8) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7)>{};
  } else if constexpr (N == 9) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8)>{};
  } else if constexpr (N == 10) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9)>{};
  } else if constexpr (N == 11) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10)>{};
  } else if constexpr (N == 12) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10), decltype(f11)>{};
  } else if constexpr (N == 13) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10), decltype(f11), decltype(f12)>{};
  } else if constexpr (N == 14) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10), decltype(f11), decltype(f12), decltype(f13)>{};
  } else if constexpr (N == 15) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10), decltype(f11), decltype(f12), decltype(f13), decltype(f14)>{};
  } else if constexpr (N == 16) {
    auto& [f0, f1, f2, f3, f4, f5, f6, f7, f8, f9, f10, f11, f12, f13, f14, f15] = object;
    return TypeList<decltype(f0), decltype(f1), decltype(f2), decltype(f3), decltype(f4),
                    decltype(f5), decltype(f6), decltype(f7), decltype(f8), decltype(f9),
                    decltype(f10), decltype(f11), decltype(f12), decltype(f13), decltype(f14),
                    decltype(f15)>{};
  } else {
    static_assert(N <= kMaxReflectedFields);
    return TypeList<>{};
  }
}

// The declared types of T's fields, in order (a TypeList).
template <ReflectableAggregate T>
using FieldTypes = decltype(field_types<T, reflected_field_count<T>()>(unevaluated_ref<T>()));

template <class List>
struct AllFields;
template <class... F>
struct AllFields<TypeList<F...>> {
  static constexpr bool send = (Send<F> && ...);
  static constexpr bool sync = (Sync<F> && ...);
};

// ---------------------------------------------------------------------------
// The default rules (primary templates).
// ---------------------------------------------------------------------------

// One rule set for both traits; `send` picks which one is asked.
template <class T, bool send>
consteval bool default_rule() {
  if constexpr (std::is_void_v<T> || std::is_arithmetic_v<T> || std::is_enum_v<T> ||
                std::is_null_pointer_v<T> || std::is_member_pointer_v<T> || std::is_function_v<T>) {
    return true;
  } else if constexpr (std::is_reference_v<T>) {
    return Sync<std::remove_reference_t<T>>;
  } else if constexpr (std::is_pointer_v<T>) {
    return std::is_function_v<std::remove_pointer_t<T>>;
  } else if constexpr (std::is_array_v<T>) {
    if constexpr (send) {
      return Send<std::remove_extent_t<T>>;
    } else {
      return Sync<std::remove_extent_t<T>>;
    }
  } else if constexpr (std::is_base_of_v<std::conditional_t<send, NotSend, NotSync>, T>) {
    return false;
  } else if constexpr (ReflectableAggregate<T>) {
    return send ? AllFields<FieldTypes<T>>::send : AllFields<FieldTypes<T>>::sync;
  } else {
    return true;
  }
}

template <class T, class>
struct SendTrait {
  static constexpr bool value = default_rule<T, true>();
};

template <class T, class>
struct SyncTrait {
  static constexpr bool value = default_rule<T, false>();
};

// ---------------------------------------------------------------------------
// Rows for library types.
// ---------------------------------------------------------------------------

// Declares both traits of a one-parameter template at once.
#define FERRITE_DETAIL_MARKER_ROW(Template, send_rule, sync_rule) \
  template <class T>                                              \
  struct SendTrait<Template<T>> {                                 \
    static constexpr bool value = (send_rule);                    \
  };                                                              \
  template <class T>                                              \
  struct SyncTrait<Template<T>> {                                 \
    static constexpr bool value = (sync_rule);                    \
  }

template <>
struct SendTrait<PhantomNotSend> {
  static constexpr bool value = false;
};
template <>
struct SyncTrait<PhantomNotSync> {
  static constexpr bool value = false;
};

// Standard library: containers own their elements.
template <class T, class A>
struct SendTrait<std::vector<T, A>> {
  static constexpr bool value = Send<T> && Send<A>;
};
template <class T, class A>
struct SyncTrait<std::vector<T, A>> {
  static constexpr bool value = Sync<T> && Sync<A>;
};
template <class T, std::size_t N>
struct SendTrait<std::array<T, N>> {
  static constexpr bool value = Send<T>;
};
template <class T, std::size_t N>
struct SyncTrait<std::array<T, N>> {
  static constexpr bool value = Sync<T>;
};
template <class T, class D>
struct SendTrait<std::unique_ptr<T, D>> {
  static constexpr bool value = Send<T> && Send<D>;
};
template <class T, class D>
struct SyncTrait<std::unique_ptr<T, D>> {
  static constexpr bool value = Sync<T> && Sync<D>;
};
template <class A, class B>
struct SendTrait<std::pair<A, B>> {
  static constexpr bool value = Send<A> && Send<B>;
};
template <class A, class B>
struct SyncTrait<std::pair<A, B>> {
  static constexpr bool value = Sync<A> && Sync<B>;
};
template <class... Ts>
struct SendTrait<std::tuple<Ts...>> {
  static constexpr bool value = (Send<Ts> && ...);
};
template <class... Ts>
struct SyncTrait<std::tuple<Ts...>> {
  static constexpr bool value = (Sync<Ts> && ...);
};
template <class... Ts>
struct SendTrait<std::variant<Ts...>> {
  static constexpr bool value = (Send<Ts> && ...);
};
template <class... Ts>
struct SyncTrait<std::variant<Ts...>> {
  static constexpr bool value = (Sync<Ts> && ...);
};
FERRITE_DETAIL_MARKER_ROW(std::optional, Send<T>, Sync<T>);
// A result holds one of its two alternatives: both must be able to cross.
template <class T, class E>
struct SendTrait<std::expected<T, E>> {
  static constexpr bool value = Send<T> && Send<E>;
};
template <class T, class E>
struct SyncTrait<std::expected<T, E>> {
  static constexpr bool value = Sync<T> && Sync<E>;
};
// A shared owner hands `const T&` to every thread holding a copy, and the
// last one to let go destroys T there.
FERRITE_DETAIL_MARKER_ROW(std::shared_ptr, Send<T>&& Sync<T>, Send<T>&& Sync<T>);
FERRITE_DETAIL_MARKER_ROW(std::weak_ptr, Send<T>&& Sync<T>, Send<T>&& Sync<T>);
// std::ref(x) is a reference in disguise.
FERRITE_DETAIL_MARKER_ROW(std::reference_wrapper, Sync<T>, Sync<T>);

// ferrite: reference counting.
FERRITE_DETAIL_MARKER_ROW(Rc, false, false);
FERRITE_DETAIL_MARKER_ROW(rc::Weak, false, false);
FERRITE_DETAIL_MARKER_ROW(Arc, Send<T>&& Sync<T>, Send<T>&& Sync<T>);
FERRITE_DETAIL_MARKER_ROW(arc::Weak, Send<T>&& Sync<T>, Send<T>&& Sync<T>);

// ferrite: single-threaded interior mutability. Moving the whole cell is
// fine; sharing it is not (its mutation through const& is unsynchronized).
FERRITE_DETAIL_MARKER_ROW(UnsafeCell, Send<T>, false);
FERRITE_DETAIL_MARKER_ROW(Cell, Send<T>, false);
FERRITE_DETAIL_MARKER_ROW(RefCell, Send<T>, false);
FERRITE_DETAIL_MARKER_ROW(OnceCell, Send<T>, false);
// A RefCell guard points at the cell's plain borrow count.
FERRITE_DETAIL_MARKER_ROW(Ref, false, false);
FERRITE_DETAIL_MARKER_ROW(RefMut, false, false);

// ferrite: locks. A guard must be released by the thread that acquired it.
FERRITE_DETAIL_MARKER_ROW(Mutex, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(MutexGuard, false, Sync<T>);
FERRITE_DETAIL_MARKER_ROW(RwLock, Send<T>, Send<T>&& Sync<T>);
FERRITE_DETAIL_MARKER_ROW(RwLockReadGuard, false, Sync<T>);
FERRITE_DETAIL_MARKER_ROW(RwLockWriteGuard, false, Sync<T>);
FERRITE_DETAIL_MARKER_ROW(OnceLock, Send<T>, Send<T>&& Sync<T>);

// ferrite: owned buffers and views (a Slice is `&[T]`, a SliceMut `&mut [T]`).
FERRITE_DETAIL_MARKER_ROW(Vec, Send<T>, Sync<T>);
FERRITE_DETAIL_MARKER_ROW(SliceMut, Send<T>, Sync<T>);
FERRITE_DETAIL_MARKER_ROW(Slice, Sync<T>, Sync<T>);

// ferrite: channels.
FERRITE_DETAIL_MARKER_ROW(mpsc::Sender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(mpsc::SyncSender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(mpsc::Receiver, Send<T>, false);
FERRITE_DETAIL_MARKER_ROW(channel::Sender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(channel::Receiver, Send<T>, Send<T>);

#undef FERRITE_DETAIL_MARKER_ROW

// ---------------------------------------------------------------------------
// Diagnostics: the message a failed boundary check prints.
// ---------------------------------------------------------------------------

// A fixed-capacity string built at compile time; usable as a static_assert
// message (it has size() and data()). Text beyond the capacity is dropped.
class StaticMessage {
 public:
  static constexpr std::size_t kCapacity = 2048;

  constexpr StaticMessage& append(std::string_view text) {
    for (char c : text) {
      if (size_ == kCapacity) break;
      chars_[size_] = c;
      ++size_;
    }
    return *this;
  }
  constexpr StaticMessage& append(const StaticMessage& other) { return append(other.view()); }

  constexpr std::size_t size() const { return size_; }
  constexpr const char* data() const { return chars_.data(); }
  constexpr std::string_view view() const { return std::string_view(chars_.data(), size_); }
  constexpr bool empty() const { return size_ == 0; }

 private:
  std::array<char, kCapacity> chars_{};
  std::size_t size_ = 0;
};

// The spelling of T as the compiler prints it, e.g. "ferrite::Rc<int>".
template <class T>
constexpr std::string_view type_name() {
  std::string_view function = __PRETTY_FUNCTION__;
#if defined(__clang__)
  // "std::string_view ferrite::detail::type_name() [T = ferrite::Rc<int>]"
  std::size_t begin = function.find("[T = ") + 5;
  std::size_t end = function.rfind(']');
#else
  // "... type_name() [with T = ferrite::Rc<int>; std::string_view = ...]"
  std::size_t begin = function.find("with T = ") + 9;
  std::size_t end = function.find_first_of(";]", begin);
#endif
  return function.substr(begin, end - begin);
}

template <class T, template <class...> class Template>
inline constexpr bool is_instance_of = false;
template <template <class...> class Template, class... Args>
inline constexpr bool is_instance_of<Template<Args...>, Template> = true;

template <class T>
struct FirstArgument;
template <template <class...> class Template, class First, class... Rest>
struct FirstArgument<Template<First, Rest...>> {
  using type = First;
};
template <class T, std::size_t N>
struct FirstArgument<std::array<T, N>> {
  using type = T;
};

// The element type a container-like template is checked through.
template <class T>
using Element = typename FirstArgument<T>::type;

template <class T>
inline constexpr bool is_std_container =
    is_instance_of<T, std::vector> || is_instance_of<T, std::optional> ||
    is_instance_of<T, std::unique_ptr> || is_instance_of<T, std::pair> ||
    is_instance_of<T, std::tuple> || is_instance_of<T, std::variant>;

template <class T>
inline constexpr bool is_std_array = false;
template <class T, std::size_t N>
inline constexpr bool is_std_array<std::array<T, N>> = true;

template <class T>
inline constexpr bool is_shared_owner =
    is_instance_of<T, Arc> || is_instance_of<T, arc::Weak> || is_instance_of<T, std::shared_ptr> ||
    is_instance_of<T, std::weak_ptr>;

template <class T>
inline constexpr bool is_unsync_cell = is_instance_of<T, UnsafeCell> || is_instance_of<T, Cell> ||
                                       is_instance_of<T, RefCell> || is_instance_of<T, OnceCell>;

template <class T>
inline constexpr bool is_lock_guard =
    is_instance_of<T, MutexGuard> || is_instance_of<T, RwLockReadGuard> ||
    is_instance_of<T, RwLockWriteGuard>;

enum class Trait { kSend, kSync };

constexpr std::string_view trait_name(Trait trait) {
  return trait == Trait::kSend ? "Send" : "Sync";
}

template <class T, Trait trait>
constexpr bool has_trait() {
  if constexpr (trait == Trait::kSend) {
    return Send<T>;
  } else {
    return Sync<T>;
  }
}

// Records the way out, unless an enclosing rule already chose one (the
// outermost specific rule knows best what to change).
constexpr void suggest(StaticMessage& way_out, std::string_view a, std::string_view b = {},
                       std::string_view c = {}) {
  if (way_out.empty()) way_out.append(a).append(b).append(c);
}

template <class T, Trait trait>
constexpr void explain_rule(StaticMessage& rule, StaticMessage& way_out);

// Appends "U is not <trait> (<rule>)".
template <class U, Trait trait>
constexpr void explain_nested(StaticMessage& rule, StaticMessage& way_out) {
  rule.append(type_name<U>()).append(" is not ").append(trait_name(trait)).append(" (");
  explain_rule<std::remove_cv_t<U>, trait>(rule, way_out);
  rule.append(")");
}

// The first of Ts lacking the trait, explained; `what` names the position.
template <Trait trait, class... Ts>
constexpr void explain_first_failing(StaticMessage& rule, StaticMessage& way_out,
                                     std::string_view what) {
  bool done = false;
  std::size_t index = 0;
  auto visit = [&]<class U>(std::type_identity<U>) {
    if (done) return;
    if (!has_trait<U, trait>()) {
      done = true;
      rule.append(what);
      if (!what.empty()) {
        const std::array<char, 2> digits{static_cast<char>('0' + index / 10 % 10),
                                         static_cast<char>('0' + index % 10)};
        std::string_view number(digits.data(), digits.size());
        rule.append(index < 10 ? number.substr(1) : number).append(" ");
      }
      explain_nested<U, trait>(rule, way_out);
    }
    ++index;
  };
  (visit(std::type_identity<Ts>{}), ...);
}

template <Trait trait, class List>
struct ExplainFields;
template <Trait trait, class... F>
struct ExplainFields<trait, TypeList<F...>> {
  static constexpr void run(StaticMessage& rule, StaticMessage& way_out) {
    explain_first_failing<trait, F...>(rule, way_out, "field #");
  }
};

template <class T>
struct TypeArguments;
template <template <class...> class Template, class... Args>
struct TypeArguments<Template<Args...>> {
  template <Trait trait>
  static constexpr void explain(StaticMessage& rule, StaticMessage& way_out) {
    explain_first_failing<trait, Args...>(rule, way_out, "");
  }
};

// Appends why T (unqualified, known to lack `trait`) lacks it.
template <class T, Trait trait>
constexpr void explain_rule(StaticMessage& rule, StaticMessage& way_out) {
  constexpr bool send = trait == Trait::kSend;
  constexpr std::string_view name = trait_name(trait);
  if constexpr (send && UnsafeImplSend<T>::value) {
    rule.append("unreachable: opted in");
  } else if constexpr (!send && UnsafeImplSync<T>::value) {
    rule.append("unreachable: opted in");
  } else if constexpr (std::is_reference_v<T> || is_instance_of<T, std::reference_wrapper>) {
    using Referent = std::remove_cvref_t<std::unwrap_reference_t<std::remove_cvref_t<T>>>;
    suggest(way_out,
            "move the value into the thread instead, or share it through a Mutex or atomics");
    if constexpr (is_instance_of<T, std::reference_wrapper>) {
      rule.append("std::reference_wrapper<T> counts as T&; ");
    }
    rule.append("a reference is ").append(name).append(" only when its referent is Sync, and ");
    explain_nested<Referent, Trait::kSync>(rule, way_out);
  } else if constexpr (std::is_pointer_v<T>) {
    rule.append(
        "raw pointers are neither Send nor Sync: ferrite cannot see who else uses the "
        "pointee");
    suggest(way_out,
            "pass ownership instead (std::unique_ptr, Vec, Arc), or wrap the pointer in a class "
            "opted in with FERRITE_UNSAFE_IMPL_SEND/SYNC after an audit");
  } else if constexpr (std::is_array_v<T>) {
    rule.append("an array is ").append(name).append(" only when its elements are, and ");
    explain_nested<std::remove_extent_t<T>, trait>(rule, way_out);
  } else if constexpr (std::is_same_v<T, PhantomNotSend> || std::is_same_v<T, PhantomNotSync>) {
    rule.append("it marks its owner as not ").append(name);
    suggest(way_out, "keep the value on the thread that created it");
  } else if constexpr (is_instance_of<T, Rc> || is_instance_of<T, rc::Weak>) {
    rule.append("Rc's reference count is not atomic");
    if constexpr (is_instance_of<T, Rc>) {
      suggest(way_out, "use Arc<", type_name<Element<T>>(), ">");
    } else {
      suggest(way_out, "use arc::Weak<", type_name<Element<T>>(), "> (from an Arc)");
    }
  } else if constexpr (is_shared_owner<T>) {
    using U = Element<T>;
    rule.append(is_instance_of<T, Arc> || is_instance_of<T, arc::Weak> ? "Arc<T>" : "shared_ptr<T>")
        .append(" is ")
        .append(name)
        .append(" only when T is Send and Sync, and ");
    if constexpr (!Sync<U>) {
      suggest(way_out, "wrap the value in a Mutex or RwLock (Arc<Mutex<T>>), or use atomics");
      explain_nested<U, Trait::kSync>(rule, way_out);
    } else {
      explain_nested<U, Trait::kSend>(rule, way_out);
    }
  } else if constexpr (!send && is_unsync_cell<T>) {
    if constexpr (is_instance_of<T, OnceCell>) {
      rule.append("OnceCell<T> is initialized through const& without synchronization");
      suggest(way_out, "use OnceLock<T> to share it between threads");
    } else {
      rule.append("it mutates its value through const& without synchronization");
      suggest(way_out, "use Mutex<T>, RwLock<T> or atomics to share it between threads");
    }
  } else if constexpr (is_instance_of<T, Ref> || is_instance_of<T, RefMut>) {
    rule.append("a RefCell guard updates the cell's non-atomic borrow count");
    suggest(way_out, "copy or move the value out of the RefCell, or use Arc<Mutex<T>>");
  } else if constexpr (send && is_lock_guard<T>) {
    rule.append("a lock must be released by the thread that acquired it");
    suggest(way_out, "lock it inside the other thread instead");
  } else if constexpr (!send && is_instance_of<T, mpsc::Receiver>) {
    rule.append("only one thread may receive from an mpsc channel");
    suggest(way_out,
            "use channel::Receiver (multi-consumer), or share Arc<Mutex<mpsc::Receiver<T>>>");
  } else if constexpr (send && is_instance_of<T, Slice>) {
    rule.append("Slice<T> is a shared view, Send only when T is Sync, and ");
    explain_nested<Element<T>, Trait::kSync>(rule, way_out);
  } else if constexpr (!send && (is_instance_of<T, RwLock> || is_instance_of<T, OnceLock>)) {
    using U = Element<T>;
    rule.append("it hands out const T& to many threads: Sync only when T is Send and Sync, and ");
    if constexpr (!Sync<U>) {
      explain_nested<U, Trait::kSync>(rule, way_out);
    } else {
      explain_nested<U, Trait::kSend>(rule, way_out);
    }
  } else if constexpr (!send && is_instance_of<T, Mutex>) {
    rule.append("a Mutex is Sync only when T is Send, and ");
    explain_nested<Element<T>, Trait::kSend>(rule, way_out);
  } else if constexpr (!send &&
                       (is_instance_of<T, mpsc::Sender> || is_instance_of<T, mpsc::SyncSender> ||
                        is_instance_of<T, channel::Sender> ||
                        is_instance_of<T, channel::Receiver>)) {
    rule.append("a channel end is Sync only when T is Send, and ");
    explain_nested<Element<T>, Trait::kSend>(rule, way_out);
  } else if constexpr (is_std_container<T> || is_std_array<T> || is_instance_of<T, Vec> ||
                       is_instance_of<T, SliceMut> || is_instance_of<T, Slice> ||
                       is_instance_of<T, UnsafeCell> || is_instance_of<T, Cell> ||
                       is_instance_of<T, RefCell> || is_instance_of<T, OnceCell> ||
                       is_instance_of<T, Mutex> || is_instance_of<T, RwLock> ||
                       is_instance_of<T, OnceLock> || is_lock_guard<T> ||
                       is_instance_of<T, mpsc::Sender> || is_instance_of<T, mpsc::SyncSender> ||
                       is_instance_of<T, mpsc::Receiver> || is_instance_of<T, channel::Sender> ||
                       is_instance_of<T, channel::Receiver>) {
    rule.append("it is ").append(name).append(" only when what it holds is, and ");
    if constexpr (is_std_array<T>) {
      explain_nested<Element<T>, trait>(rule, way_out);
    } else {
      TypeArguments<T>::template explain<trait>(rule, way_out);
    }
  } else if constexpr (send && std::is_base_of_v<NotSend, T>) {
    rule.append("it derives from ferrite::NotSend");
    suggest(way_out, "keep the value on the thread that created it");
  } else if constexpr (!send && std::is_base_of_v<NotSync, T>) {
    rule.append("it derives from ferrite::NotSync");
    suggest(way_out, "give each thread its own value, or guard it with a Mutex");
  } else if constexpr (ReflectableAggregate<T>) {
    rule.append("an aggregate is ").append(name).append(" only when every field is, and ");
    ExplainFields<trait, FieldTypes<T>>::run(rule, way_out);
  } else if constexpr (send && requires { SendTrait<T>::reason; }) {
    rule.append(SendTrait<T>::reason);
    if constexpr (requires { SendTrait<T>::way_out; }) suggest(way_out, SendTrait<T>::way_out);
  } else if constexpr (!send && requires { SyncTrait<T>::reason; }) {
    rule.append(SyncTrait<T>::reason);
    if constexpr (requires { SyncTrait<T>::way_out; }) suggest(way_out, SyncTrait<T>::way_out);
  } else {
    rule.append("its ferrite::detail::").append(name).append("Trait specialization says so");
  }
}

// "<where>: <T> is not <trait>: <rule>; <way out>" — or "<T> is <trait>"
// when it is (static_assert may evaluate its message either way).
template <class T, Trait trait>
constexpr StaticMessage trait_message(std::string_view where) {
  StaticMessage message;
  if (!where.empty()) message.append(where).append(": ");
  message.append(type_name<T>());
  if constexpr (has_trait<T, trait>()) {
    message.append(" is ").append(trait_name(trait));
  } else {
    StaticMessage rule;
    StaticMessage way_out;
    explain_rule<std::remove_cv_t<T>, trait>(rule, way_out);
    if (way_out.empty()) way_out.append("see the Send/Sync table in ferrite/marker.h");
    message.append(" is not ").append(trait_name(trait)).append(": ").append(rule);
    message.append("; ").append(way_out);
  }
  return message;
}

template <class T>
constexpr StaticMessage send_message(std::string_view where = {}) {
  return trait_message<T, Trait::kSend>(where);
}

template <class T>
constexpr StaticMessage sync_message(std::string_view where = {}) {
  return trait_message<T, Trait::kSync>(where);
}

// ---------------------------------------------------------------------------
// The boundary check: a chain of static_asserts.
//
// Each rule that explains a failure states it in one static_assert; rules
// that fail because of a part (Arc<T> because of T, T& because of T, a field
// of an aggregate) then check that part too, so the errors read as a chain:
//
//   error: static assertion failed due to requirement
//          'ferrite::detail::type_is_Send<ferrite::Arc<ferrite::Cell<int>>>':
//          Arc<T> is Send only when T is Send and Sync; wrap the value in a Mutex
//          (Arc<Mutex<T>>) or use atomics
//   error: static assertion failed due to requirement
//          'ferrite::detail::type_is_Sync<ferrite::Cell<int>>': Cell<T> is not Sync:
//          it mutates its value through const& without synchronization; use Mutex<T>,
//          RwLock<T> or atomics to share it between threads
//
// The failing type is spelled in the requirement, the rule and the way out in
// the message. (A message computed at compile time, send_message<T>() above,
// needs C++26 static_assert, which clang 19 accepts only in -std=c++2c; with
// it, the whole explanation is one message.)
// ---------------------------------------------------------------------------

// Named so that clang's "due to requirement '...'" reads as a sentence.
template <class T>
inline constexpr bool type_is_Send = Send<T>;
template <class T>
inline constexpr bool type_is_Sync = Sync<T>;

enum class Rule {
  kHolds,          // no failure
  kReference,      // T&, std::reference_wrapper<T>: needs Sync<T>
  kPointer,        // object pointers
  kPhantom,        // PhantomNotSend / PhantomNotSync
  kRc,             // Rc, rc::Weak
  kShared,         // Arc, arc::Weak, shared_ptr, weak_ptr: needs Send && Sync
  kCellSync,       // UnsafeCell, Cell, RefCell: never Sync
  kOnceCellSync,   // OnceCell: never Sync
  kBorrowGuard,    // Ref, RefMut
  kLockGuardSend,  // MutexGuard and RwLock guards: never Send
  kReceiverSync,   // mpsc::Receiver: never Sync
  kSliceSend,      // Slice<T>: Send needs Sync<T>
  kSharedLock,     // RwLock, OnceLock Sync: needs Send && Sync
  kNeedsSend,      // Mutex Sync, channel ends' Sync: needs Send<T>
  kHolder,         // containers, cells (Send), Vec, slices, arrays: as their parts
  kNotSendBase,    // derives from NotSend
  kNotSyncBase,    // derives from NotSync
  kAggregate,      // a field fails
  kSpecialized,    // a SendTrait/SyncTrait specialization says no
};

template <class T, Trait trait>
consteval Rule rule_of() {
  constexpr bool send = trait == Trait::kSend;
  if constexpr (has_trait<T, trait>()) {
    return Rule::kHolds;
  } else if constexpr (std::is_reference_v<T> || is_instance_of<T, std::reference_wrapper>) {
    return Rule::kReference;
  } else if constexpr (std::is_pointer_v<T>) {
    return Rule::kPointer;
  } else if constexpr (std::is_array_v<T> || is_std_array<T>) {
    return Rule::kHolder;
  } else if constexpr (std::is_same_v<T, PhantomNotSend> || std::is_same_v<T, PhantomNotSync>) {
    return Rule::kPhantom;
  } else if constexpr (is_instance_of<T, Rc> || is_instance_of<T, rc::Weak>) {
    return Rule::kRc;
  } else if constexpr (is_shared_owner<T>) {
    return Rule::kShared;
  } else if constexpr (!send && is_instance_of<T, OnceCell>) {
    return Rule::kOnceCellSync;
  } else if constexpr (!send && is_unsync_cell<T>) {
    return Rule::kCellSync;
  } else if constexpr (is_instance_of<T, Ref> || is_instance_of<T, RefMut>) {
    return Rule::kBorrowGuard;
  } else if constexpr (send && is_lock_guard<T>) {
    return Rule::kLockGuardSend;
  } else if constexpr (!send && is_instance_of<T, mpsc::Receiver>) {
    return Rule::kReceiverSync;
  } else if constexpr (send && is_instance_of<T, Slice>) {
    return Rule::kSliceSend;
  } else if constexpr (!send && (is_instance_of<T, RwLock> || is_instance_of<T, OnceLock>)) {
    return Rule::kSharedLock;
  } else if constexpr (!send &&
                       (is_instance_of<T, Mutex> || is_instance_of<T, mpsc::Sender> ||
                        is_instance_of<T, mpsc::SyncSender> || is_instance_of<T, channel::Sender> ||
                        is_instance_of<T, channel::Receiver>)) {
    return Rule::kNeedsSend;
  } else if constexpr (is_std_container<T> || is_instance_of<T, Vec> ||
                       is_instance_of<T, SliceMut> || is_instance_of<T, Slice> ||
                       is_unsync_cell<T> || is_instance_of<T, Mutex> || is_instance_of<T, RwLock> ||
                       is_instance_of<T, OnceLock> || is_lock_guard<T> ||
                       is_instance_of<T, mpsc::Sender> || is_instance_of<T, mpsc::SyncSender> ||
                       is_instance_of<T, mpsc::Receiver> || is_instance_of<T, channel::Sender> ||
                       is_instance_of<T, channel::Receiver>) {
    return Rule::kHolder;
  } else if constexpr (send && std::is_base_of_v<NotSend, T>) {
    return Rule::kNotSendBase;
  } else if constexpr (!send && std::is_base_of_v<NotSync, T>) {
    return Rule::kNotSyncBase;
  } else if constexpr (ReflectableAggregate<T>) {
    return Rule::kAggregate;
  } else {
    return Rule::kSpecialized;
  }
}

template <class T, Rule rule = rule_of<std::remove_cv_t<T>, Trait::kSend>()>
struct ExplainSend;
template <class T, Rule rule = rule_of<std::remove_cv_t<T>, Trait::kSync>()>
struct ExplainSync;

template <class T, Trait trait>
using Explain = std::conditional_t<trait == Trait::kSend, ExplainSend<T>, ExplainSync<T>>;

// Explains the first of `Parts` that lacks `trait` (instantiating only it).
template <Trait trait, class... Parts>
struct ExplainFirst {
  static constexpr bool value = true;
};
template <Trait trait, class Part, class... Rest>
struct ExplainFirst<trait, Part, Rest...>
    : std::conditional_t<has_trait<Part, trait>(), ExplainFirst<trait, Rest...>,
                         Explain<Part, trait>> {};

template <class T, Trait trait>
struct ExplainParts;
template <template <class...> class Template, class... Args, Trait trait>
struct ExplainParts<Template<Args...>, trait> : ExplainFirst<trait, Args...> {};
template <class T, std::size_t N, Trait trait>
struct ExplainParts<std::array<T, N>, trait> : ExplainFirst<trait, T> {};
template <class T, std::size_t N, Trait trait>
struct ExplainParts<T[N], trait> : ExplainFirst<trait, T> {};
template <class T, Trait trait>
struct ExplainParts<T[], trait> : ExplainFirst<trait, T> {};
template <class... F, Trait trait>
struct ExplainParts<TypeList<F...>, trait> : ExplainFirst<trait, F...> {};

// One rule, one literal message: the failing type shows in the requirement.
// StateSend/StateSync hold the static_assert; an Explain that blames a part
// derives from its State first and the part's Explain second, so the errors
// come out outermost first.
template <class T, Rule rule>
struct StateSend;
template <class T, Rule rule>
struct StateSync;

#define FERRITE_DETAIL_STATE(Trait, rule, text) \
  template <class T>                            \
  struct State##Trait<T, Rule::rule> {          \
    static_assert(type_is_##Trait<T>, text);    \
    static constexpr bool value = true;         \
  }
#define FERRITE_DETAIL_EXPLAIN_SEND(rule, text) \
  FERRITE_DETAIL_STATE(Send, rule, text);       \
  template <class T>                            \
  struct ExplainSend<T, Rule::rule> : StateSend<T, Rule::rule> {}
#define FERRITE_DETAIL_EXPLAIN_SYNC(rule, text) \
  FERRITE_DETAIL_STATE(Sync, rule, text);       \
  template <class T>                            \
  struct ExplainSync<T, Rule::rule> : StateSync<T, Rule::rule> {}
#define FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(rule, text, ...)                  \
  FERRITE_DETAIL_STATE(Send, rule, text);                                     \
  template <class T>                                                          \
  struct ExplainSend<T, Rule::rule> : StateSend<T, Rule::rule>, __VA_ARGS__ { \
    static constexpr bool value = true;                                       \
  }
#define FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(rule, text, ...)                  \
  FERRITE_DETAIL_STATE(Sync, rule, text);                                     \
  template <class T>                                                          \
  struct ExplainSync<T, Rule::rule> : StateSync<T, Rule::rule>, __VA_ARGS__ { \
    static constexpr bool value = true;                                       \
  }

template <class T>
struct ExplainSend<T, Rule::kHolds> {
  static constexpr bool value = true;
};
template <class T>
struct ExplainSync<T, Rule::kHolds> {
  static constexpr bool value = true;
};

template <class T>
using Referent = std::remove_cvref_t<std::unwrap_reference_t<std::remove_cvref_t<T>>>;
template <class T>
using Held = Element<std::remove_cv_t<T>>;
// For Arc<T> / RwLock<T>: T must be Send and Sync; explain whichever fails.
template <class T>
using ExplainSendAndSync = std::conditional_t<Sync<T>, ExplainSend<T>, ExplainSync<T>>;

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(
    kReference,
    "a reference T& (or std::reference_wrapper<T>) is Send only when T is Sync; "
    "move the value into "
    "the thread instead, or share it through a Mutex or atomics",
    ExplainSync<Referent<T>>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(
    kReference,
    "a reference T& (or std::reference_wrapper<T>) is Sync only when T is Sync; "
    "share the value "
    "through a Mutex or atomics",
    ExplainSync<Referent<T>>);

FERRITE_DETAIL_EXPLAIN_SEND(
    kPointer,
    "raw pointers are not Send: ferrite cannot see who else uses the pointee; pass ownership "
    "instead (std::unique_ptr, Vec, Arc), or wrap the pointer in a class opted in with "
    "FERRITE_UNSAFE_IMPL_SEND after an audit");
FERRITE_DETAIL_EXPLAIN_SYNC(
    kPointer,
    "raw pointers are not Sync: ferrite cannot see who else uses the pointee; share an Arc "
    "instead, or wrap the pointer in a class opted in with FERRITE_UNSAFE_IMPL_SYNC after an "
    "audit");

FERRITE_DETAIL_EXPLAIN_SEND(
    kPhantom,
    "PhantomNotSend opts its aggregate out of Send; keep the value on the thread that created it");
FERRITE_DETAIL_EXPLAIN_SYNC(kPhantom,
                            "PhantomNotSync opts its aggregate out of Sync; give each thread its "
                            "own value, or guard it with a Mutex");

FERRITE_DETAIL_EXPLAIN_SEND(
    kRc, "Rc<T> is not Send: Rc's reference count is not atomic; use Arc<T> (and arc::Weak<T>)");
FERRITE_DETAIL_EXPLAIN_SYNC(
    kRc, "Rc<T> is not Sync: Rc's reference count is not atomic; use Arc<T> (and arc::Weak<T>)");

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(
    kShared,
    "Arc<T> is Send only when T is Send and Sync; wrap the value in a Mutex (Arc<Mutex<T>>) "
    "or use atomics (the same holds for std::shared_ptr<T>)",
    ExplainSendAndSync<Held<T>>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(
    kShared,
    "Arc<T> is Sync only when T is Send and Sync; wrap the value in a Mutex (Arc<Mutex<T>>) "
    "or use atomics (the same holds for std::shared_ptr<T>)",
    ExplainSendAndSync<Held<T>>);

FERRITE_DETAIL_EXPLAIN_SYNC(kCellSync,
                            "Cell<T> (RefCell<T>, UnsafeCell<T>) is not Sync: it mutates its "
                            "value through const& without synchronization; use Mutex<T>, "
                            "RwLock<T> or atomics to share it between threads");
FERRITE_DETAIL_EXPLAIN_SYNC(kOnceCellSync,
                            "OnceCell<T> is not Sync: it is initialized through const& without "
                            "synchronization; use OnceLock<T> to share it between threads");

FERRITE_DETAIL_EXPLAIN_SEND(
    kBorrowGuard,
    "Ref<T> and RefMut<T> are not Send: a RefCell guard updates the cell's non-atomic borrow "
    "count; copy or move the value out of the RefCell, or use Arc<Mutex<T>>");
FERRITE_DETAIL_EXPLAIN_SYNC(
    kBorrowGuard,
    "Ref<T> and RefMut<T> are not Sync: a RefCell guard points at the cell's non-atomic borrow "
    "count; copy or move the value out of the RefCell, or use Arc<Mutex<T>>");

FERRITE_DETAIL_EXPLAIN_SEND(kLockGuardSend,
                            "MutexGuard<T> (and the RwLock guards) is not Send: a lock must be "
                            "released by the thread that acquired it; lock it inside the other "
                            "thread instead");

FERRITE_DETAIL_EXPLAIN_SYNC(kReceiverSync,
                            "mpsc::Receiver<T> is not Sync: only one thread may receive from an "
                            "mpsc channel; use channel::Receiver<T> (multi-consumer), or share "
                            "Arc<Mutex<mpsc::Receiver<T>>>");

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(kSliceSend,
                                    "Slice<T> is a shared view (&[T]): Send only when T is Sync; "
                                    "send a SliceMut<T> or an owned Vec<T> instead",
                                    ExplainSync<Held<T>>);

FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kSharedLock,
                                    "RwLock<T> (and OnceLock<T>) is Sync only when T is Send and "
                                    "Sync, since readers share const T&; use Mutex<T> for a T "
                                    "that is only Send",
                                    ExplainSendAndSync<Held<T>>);

FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kNeedsSend,
                                    "Mutex<T> and channel ends are Sync only when T is Send (a "
                                    "T put in on one thread is taken out on another)",
                                    ExplainSend<Held<T>>);

// Containers say nothing themselves: the part that fails explains.
template <class T>
struct ExplainSend<T, Rule::kHolder> : ExplainParts<std::remove_cv_t<T>, Trait::kSend> {};
template <class T>
struct ExplainSync<T, Rule::kHolder> : ExplainParts<std::remove_cv_t<T>, Trait::kSync> {};

FERRITE_DETAIL_EXPLAIN_SEND(
    kNotSendBase,
    "the type derives from ferrite::NotSend; keep the value on the thread that created it");
FERRITE_DETAIL_EXPLAIN_SYNC(kNotSyncBase,
                            "the type derives from ferrite::NotSync; give each thread its own "
                            "value, or guard it with a Mutex");

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(
    kAggregate,
    "an aggregate is Send only when every field is Send (the next error names the field's type)",
    ExplainParts<FieldTypes<std::remove_cv_t<T>>, Trait::kSend>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(
    kAggregate,
    "an aggregate is Sync only when every field is Sync (the next error names the field's type)",
    ExplainParts<FieldTypes<std::remove_cv_t<T>>, Trait::kSync>);

FERRITE_DETAIL_EXPLAIN_SEND(kSpecialized,
                            "the type's ferrite::detail::SendTrait specialization says it is not "
                            "Send (see its header for why)");
FERRITE_DETAIL_EXPLAIN_SYNC(kSpecialized,
                            "the type's ferrite::detail::SyncTrait specialization says it is not "
                            "Sync (see its header for why)");

#undef FERRITE_DETAIL_EXPLAIN_SEND
#undef FERRITE_DETAIL_EXPLAIN_SYNC
#undef FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE
#undef FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE
#undef FERRITE_DETAIL_STATE

// The shared boundary check. A boundary that moves a `T` to another thread
// (thread::spawn: the callable, each argument, the result; channels: the
// message type; ThreadPool: the job) names it in its body:
//
//   detail::assert_send<F>();       // or: static_assert(detail::AssertSend<F>::value);
//
// A failure is a chain of static_assert errors (see Explain above) under the
// note "in instantiation of ... requested here" that points at the boundary.
// To make the boundary visible to requires-expressions as well, constrain
// the public overload with `Send<T>` and keep a second, unconstrained
// overload whose body calls assert_send<T>() for the message.
#if __cpp_static_assert >= 202306L
// C++26: the whole explanation in one computed message.
template <class T>
struct AssertSend {
  static_assert(Send<T>, send_message<T>());
  static constexpr bool value = true;
};
template <class T>
struct AssertSync {
  static_assert(Sync<T>, sync_message<T>());
  static constexpr bool value = true;
};
#else
template <class T>
struct AssertSend {
  static constexpr bool value = ExplainSend<T>::value;
};
template <class T>
struct AssertSync {
  static constexpr bool value = ExplainSync<T>::value;
};
#endif

template <class T>
constexpr void assert_send() {
  static_assert(AssertSend<T>::value);
}

template <class T>
constexpr void assert_sync() {
  static_assert(AssertSync<T>::value);
}

}  // namespace detail
}  // namespace ferrite
