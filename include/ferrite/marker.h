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
// the boundary diagnostics print.
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
// compile time ("ferrite::Rc<int> is not Send: ...; use Arc<int>"). Both are
// defined in ferrite/detail/send_sync_diagnostics.h, which this header
// includes; the field reflection behind the aggregate rule is in
// ferrite/detail/reflect.h.
//
// Constrain the public function with the `Send`/`Sync` concepts as well when
// callers need to test it in a requires-expression.
#pragma once

#include <array>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ferrite/detail/reflect.h"
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

}  // namespace detail
}  // namespace ferrite

// The boundary checks (assert_send/assert_sync) and their messages.
#include "ferrite/detail/send_sync_diagnostics.h"  // IWYU pragma: export
