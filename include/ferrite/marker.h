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
// | `const T&`, `std::cref`, `std::span<const T>`, | Sync<T>             | Sync<T>             |
// |   const iterators of Vec/Slice/SliceMut        |                     |                     |
// | `T&` (non-const), `std::ref`, `std::span<T>`,  | no                  | no                  |
// |   mutable iterators of Vec/SliceMut            |                     |                     |
// | `T[N]`, every std container and adaptor,       | all elements Send   | all elements Sync   |
// |   optional/pair/tuple/variant/expected         |                     |                     |
// | `std::unique_ptr<T>`                           | Send<T>             | Sync<T>, only for   |
// |                                                |                     |   unique_ptr<const T>|
// | `std::function`, `std::move_only_function`,    | no                  | no                  |
// |   `std::any` (type-erased)                     |                     |                     |
// | `SendFn<Sig>` (ferrite/send_fn.h)              | yes                 | no                  |
// | `Arc<T>`, `arc::Weak<T>`,                      | Send<T> && Sync<T>  | Send<T> && Sync<T>  |
// |   `std::shared_ptr<const T>`, `weak_ptr<const T>`|                   |                     |
// | `std::shared_ptr<T>`, `std::weak_ptr<T>`       | no                  | no                  |
// |   (non-const T)                                |                     |                     |
// | `Rc<T>`, `rc::Weak<T>`                         | no                  | no                  |
// | `UnsafeCell<T>`, `Cell<T>`, `RefCell<T>`,      | Send<T>             | no                  |
// |   `OnceCell<T>`                                |                     |                     |
// | `Ref<T>`, `RefMut<T>` (RefCell guards)         | no                  | no                  |
// | `MutexGuard<T>`, `RwLockReadGuard<T>`,         | no                  | Sync<T>             |
// |   `RwLockWriteGuard<T>`                        |                     |                     |
// | `Mutex<T>`                                     | Send<T>             | Send<T>             |
// | `RwLock<T>`, `OnceLock<T>`                     | Send<T>             | Send<T> && Sync<T>  |
// | `Vec<T>`, `SliceMut<T>`, `ChunksMut<T>`        | Send<T>             | Sync<T>             |
// | `Slice<T>`, `Chunks<T>`                        | Sync<T>             | Sync<T>             |
// | `mpsc::Sender<T>`, `mpsc::SyncSender<T>`       | Send<T>             | Send<T>             |
// | `mpsc::Receiver<T>`                            | Send<T>             | no                  |
// | `channel::Sender<T>`, `channel::Receiver<T>`   | Send<T>             | Send<T>             |
// | `SendError<T>`, `TrySendError<T>`,             | Send<T> / Send<G>   | Sync<T> / Sync<G>   |
// |   `SendTimeoutError<T>`, `PoisonError<G>`,     |                     |                     |
// |   `TryLockError<G>`, `LockResult<G>`,          |                     |                     |
// |   `TryLockResult<G>`                           |                     |                     |
// | aggregates (plain structs)                     | every field Send    | every field Sync,   |
// |                                                |                     |   no `mutable` field|
// | aggregates whose fields cannot be reflected    | compile error: opt in or out             |
// | other class types, unions, lambdas             | yes unless opted out| yes unless opted out|
//
// Why the reference rows differ from Rust's `&T`: a C++ `T&` is mutable and
// copyable, so two threads holding copies of it could both write; only a
// `const T&` is Rust's shared reference. The shallow-const smart pointers
// follow from the same fact: `*p` of a `const std::shared_ptr<T>` or a
// `const std::unique_ptr<T>&` is a `T&`. A `mutable` field is writable
// through `const T&`, an UnsafeCell in disguise, so it makes its aggregate
// not Sync. A type-erased wrapper hides the type it stores, so ferrite
// cannot check it; `SendFn<Sig>` checks the callable when it is stored.
//
// `ferrite::SyncMut<T>`: a `T&` may be shared between threads and used to
// modify the `T`: T is Sync and every non-const member of T is safe to call
// from two threads at once. True for `std::atomic<T>`, `std::atomic_ref<T>`
// and `std::atomic_flag` (each of their operations is atomic), the standard
// mutexes, condition variables, `std::latch`, `std::barrier`, the semaphores
// and `std::once_flag` (made to be shared), `ThreadPool` (its one non-const
// member, shutdown(), may be called from any thread), arrays and aggregates
// whose every element or field is SyncMut (a struct of atomics), and a type
// opted in with `FERRITE_UNSAFE_IMPL_SYNC_MUT(Type)`; false for everything
// else, ferrite's other types included: their shared operations are already
// `const` (Mutex::lock, Cell::set, channel sends, ThreadPool::execute,
// Scope::spawn), and what is non-const (Mutex::get_mut, Vec::push) needs
// exclusive access. No boundary's concept can see what a lambda does with a
// by-reference capture; the ferrite-clang plugin asks SyncMut of each object
// that a lambda passed to Scope::spawn or a ThreadPool modifies through one.
//
// cv-qualified types follow their unqualified type.
//
// Opting out: derive from `ferrite::NotSend` / `ferrite::NotSync`, or (in an
// aggregate) hold a `[[no_unique_address]] ferrite::PhantomNotSend` /
// `PhantomNotSync` member. Each removes only its own trait.
//
//   class Session : public ferrite::NotSend { ... };        // Sync, not Send
//   struct Local { int id; [[no_unique_address]] ferrite::PhantomNotSend not_send; };
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
//   * aggregates with a base class (other than the opt-outs NotSend and
//     NotSync), a non-const reference member, an anonymous union, more
//     than 16 fields, or a field that can be initialized from anything (such
//     as std::any or a class with a catch-all constructor): asking whether
//     one is Send or Sync is a compile error that names the aggregate and
//     asks for an explicit opt-in (FERRITE_UNSAFE_IMPL_SEND/SYNC) or opt-out
//     (NotSend/NotSync) — never a silent yes;
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
// (thread::spawn, Scope::spawn, channels, ThreadPool) is constrained with
// these concepts, and a rejected call is one error whose first line names
// the innermost type that breaks the rule, why and the way out
// (ferrite/detail/boundary.h):
//
//   error: implicit instantiation of undefined template 'ferrite::detail::not_Send<
//          ferrite::Rc<int>, ferrite::detail::because::Rc_reference_count_is_not_atomic,
//          ferrite::detail::way_out::use<ferrite::Arc<int>>>'
//
// A class that holds a T checks it with `detail::assert_send<T>()` (or
// `assert_sync<T>()`): a chain of static_asserts, outermost rule first, each
// naming the failing type in its requirement. `detail::send_message<T>()`
// builds the whole explanation as one string at compile time
// ("ferrite::Rc<int> is not Send: ...; use Arc<int>"). Both are defined in
// ferrite/detail/send_sync_diagnostics.h, which this header includes; the
// field reflection behind the aggregate rule is in ferrite/detail/reflect.h.
//
// Constrain the public function with the `Send`/`Sync` concepts as well when
// callers need to test it in a requires-expression.
#pragma once

#include <any>
#include <array>
#include <atomic>
#include <barrier>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <expected>
#include <forward_list>
#include <functional>
#include <latch>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <queue>
#include <semaphore>
#include <set>
#include <shared_mutex>
#include <span>
#include <stack>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
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

/// ferrite's own templates, declared here so that this file holds every rule.
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
template <class T>
class SendError;
template <class T>
class TrySendError;
template <class T>
class SendTimeoutError;
template <class G>
class PoisonError;
template <class G>
class TryLockError;
template <class G>
class LockResult;
template <class G>
class TryLockResult;
template <class Signature>
class SendFn;
namespace detail {
template <class E>
class SliceIterator;
template <class View>
class ChunkRange;
}  // namespace detail

namespace detail {

// The customization points. The primary templates (defined below) implement
// the default rules; library types partially specialize them.
template <class T, class = void>
struct SendTrait;
template <class T, class = void>
struct SyncTrait;

}  // namespace detail

/// `T` may be moved to another thread. The opt-in is a constraint disjunction,
/// so an opted-in type's default rule is never even instantiated.
template <class T>
concept Send = detail::UnsafeImplSend<std::remove_cv_t<T>>::value ||
    detail::SendTrait<std::remove_cv_t<T>>::value;

/// `const T&` may be shared between threads.
template <class T>
concept Sync = detail::UnsafeImplSync<std::remove_cv_t<T>>::value ||
    detail::SyncTrait<std::remove_cv_t<T>>::value;

class ThreadPool;

namespace detail {
template <class T>
consteval bool default_sync_mut();

/// The types whose every non-const member is safe to call from two threads
/// at once (the rows of SyncMut). The primary template: an array or an
/// aggregate whose every element or field is SyncMut (a struct of atomics).
template <class T>
struct SyncMutTrait {
  static constexpr bool value = default_sync_mut<T>();
};
/// Every operation of std::atomic<T> is atomic.
template <class T>
struct SyncMutTrait<std::atomic<T>> : std::true_type {};
/// Every operation of std::atomic_ref<T> is atomic (on the object it names).
template <class T>
struct SyncMutTrait<std::atomic_ref<T>> : std::true_type {};
/// Every operation of std::atomic_flag is atomic.
template <>
struct SyncMutTrait<std::atomic_flag> : std::true_type {};
/// As std::latch (below).
template <class F>
struct SyncMutTrait<std::barrier<F>> : std::true_type {};
/// As std::latch (below).
template <std::ptrdiff_t N>
struct SyncMutTrait<std::counting_semaphore<N>> : std::true_type {};
// std::latch, std::barrier and the semaphores, the standard mutexes and
// condition variables, and std::once_flag are made to be shared: their
// non-const members (count_down, arrive_and_wait, acquire, release, lock,
// unlock, wait, notify_one; std::call_once takes its flag as once_flag&) are
// thread-safe, and none of them can be assigned.
#define FERRITE_DETAIL_SYNC_MUT_ROW(Type) \
  template <>                             \
  struct SyncMutTrait<Type> : std::true_type {};
FERRITE_DETAIL_SYNC_MUT_ROW(std::latch)
FERRITE_DETAIL_SYNC_MUT_ROW(std::mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::recursive_mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::timed_mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::recursive_timed_mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::shared_mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::shared_timed_mutex)
FERRITE_DETAIL_SYNC_MUT_ROW(std::condition_variable)
FERRITE_DETAIL_SYNC_MUT_ROW(std::condition_variable_any)
FERRITE_DETAIL_SYNC_MUT_ROW(std::once_flag)
#undef FERRITE_DETAIL_SYNC_MUT_ROW
/// ThreadPool's one non-const member, shutdown(), may be called from any
/// thread (ferrite/thread_pool.h); execute/submit are const.
template <>
struct SyncMutTrait<ThreadPool> : std::true_type {};

template <class List>
struct AllSyncMut;
template <class... F>
struct AllSyncMut<TypeList<F...>> {
  static constexpr bool value = (SyncMutTrait<std::remove_cv_t<F>>::value && ...);
};

template <class T>
consteval bool default_sync_mut() {
  if constexpr (std::is_array_v<T>) {
    return SyncMutTrait<std::remove_cv_t<std::remove_extent_t<T>>>::value;
  } else if constexpr (std::is_class_v<T> && !std::is_empty_v<T> && std::is_aggregate_v<T> &&
                       ReflectableAggregate<T>) {
    // Its fields are what its members can touch; none may be a reference or
    // a pointer (neither is SyncMut).
    return AllSyncMut<FieldTypes<T>>::value;
  } else {
    return false;
  }
}
}  // namespace detail

/// A `T&` may be shared between threads and used to modify the `T`: T is
/// Sync and every non-const member of T is thread-safe (std::atomic,
/// std::atomic_ref, std::atomic_flag, the standard mutexes, condition
/// variables, latches, barriers and semaphores, ThreadPool, arrays and
/// aggregates of such types, or a type opted in with
/// FERRITE_UNSAFE_IMPL_SYNC_MUT).
template <class T>
concept SyncMut = Sync<T> && (detail::UnsafeImplSyncMut<std::remove_cv_t<T>>::value ||
                              detail::SyncMutTrait<std::remove_cv_t<T>>::value);

namespace detail {

// Named so that clang's "due to requirement '...'" names the aggregate.
template <class T>
inline constexpr bool fields_are_visible = ReflectableAggregate<T>;

template <class T>
inline constexpr bool is_type_template_instance = false;
template <template <class...> class Template, class... Args>
inline constexpr bool is_type_template_instance<Template<Args...>> = true;

// Declares `send_sync_as` (see the rows below). Asked of template
// specializations never: the question must not instantiate a class such as
// Mutex<T> whose T is still incomplete.
template <class T>
concept ViewOfAnother = std::is_class_v<T> && !is_type_template_instance<T> &&
                        requires { typename T::send_sync_as; };

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
    // Only `const T&` is Rust's shared `&T`; a `T&` is a mutable alias.
    using Referent = std::remove_reference_t<T>;
    return std::is_function_v<Referent> || (std::is_const_v<Referent> && Sync<Referent>);
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
  } else if constexpr (std::is_empty_v<T>) {
    return true;  // no state to share (std::less, tags, stateless lambdas)
  } else if constexpr (ReflectableAggregate<T>) {
    if constexpr (send) {
      return AllFields<FieldTypes<T>>::send;
    } else {
      return AllFields<FieldTypes<T>>::sync && !has_mutable_field<T>();
    }
  } else if constexpr (std::is_aggregate_v<T> && !std::is_union_v<T>) {
    static_assert(fields_are_visible<T>,
                  "ferrite cannot see the fields of this aggregate (it has a base class other "
                  "than NotSend/NotSync, a "
                  "non-const reference member, an anonymous union, more than 16 fields, or a "
                  "field that can be initialized from anything, such as std::any), so it "
                  "cannot tell whether it is Send or Sync; say so explicitly: opt in with "
                  "FERRITE_UNSAFE_IMPL_SEND/SYNC(Type) after an audit, or opt out by deriving "
                  "from ferrite::NotSend/NotSync");
    return false;
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

// Standard library: containers and adaptors own their elements (and hold an
// allocator, comparator or hasher), so every type argument must cross. A
// result holds one of its two alternatives: both must be able to cross.
// The list is also the diagnostics' (is_std_holder, kHolder).
#define FERRITE_DETAIL_STD_HOLDERS(X)                                                          \
  X(std::vector) X(std::deque) X(std::list) X(std::forward_list) X(std::map) X(std::multimap) \
  X(std::set) X(std::multiset) X(std::unordered_map) X(std::unordered_multimap)              \
  X(std::unordered_set) X(std::unordered_multiset) X(std::queue) X(std::stack)               \
  X(std::priority_queue) X(std::pair) X(std::tuple) X(std::variant) X(std::optional)         \
  X(std::expected)
template <class T>
inline constexpr bool is_std_holder = false;
#define FERRITE_DETAIL_HOLDER_ROW(Template)                          \
  template <class... Ts>                                             \
  struct SendTrait<Template<Ts...>> {                                \
    static constexpr bool value = (Send<Ts> && ...);                 \
  };                                                                 \
  template <class... Ts>                                             \
  struct SyncTrait<Template<Ts...>> {                                \
    static constexpr bool value = (Sync<Ts> && ...);                 \
  };                                                                 \
  template <class... Ts>                                             \
  inline constexpr bool is_std_holder<Template<Ts...>> = true;
FERRITE_DETAIL_STD_HOLDERS(FERRITE_DETAIL_HOLDER_ROW)
#undef FERRITE_DETAIL_HOLDER_ROW
#undef FERRITE_DETAIL_STD_HOLDERS

// Declares both traits of a `template <class T, std::size_t N>` at once.
#define FERRITE_DETAIL_EXTENT_ROW(Template, send_rule, sync_rule) \
  template <class T, std::size_t N>                              \
  struct SendTrait<Template<T, N>> {                             \
    static constexpr bool value = (send_rule);                   \
  };                                                             \
  template <class T, std::size_t N>                              \
  struct SyncTrait<Template<T, N>> {                             \
    static constexpr bool value = (sync_rule);                   \
  }
FERRITE_DETAIL_EXTENT_ROW(std::array, Send<T>, Sync<T>);

// Views: std::span<T> is a `T&` to each element, std::ref(x) a `T&` in
// disguise. Only their const forms are shared references.
template <class T>
inline constexpr bool shared_reference_to = std::is_const_v<T> && Sync<T>;
FERRITE_DETAIL_EXTENT_ROW(std::span, shared_reference_to<T>, shared_reference_to<T>);
#undef FERRITE_DETAIL_EXTENT_ROW
FERRITE_DETAIL_MARKER_ROW(std::reference_wrapper, shared_reference_to<T>, shared_reference_to<T>);

// Owning pointers are shallow-const: `*p` of a `const unique_ptr<T>&` or of
// any copy of a `shared_ptr<T>` is a `T&`. Only pointers to const T share.
template <class T, class D>
struct SendTrait<std::unique_ptr<T, D>> {
  static constexpr bool value = Send<std::remove_extent_t<T>> && Send<D>;
};
template <class T, class D>
struct SyncTrait<std::unique_ptr<T, D>> {
  static constexpr bool value = shared_reference_to<std::remove_extent_t<T>> && Sync<D>;
};
// A shared owner hands `const T&` to every thread holding a copy, and the
// last one to let go destroys T there.
template <class T>
inline constexpr bool shared_owner_of = std::is_const_v<T> && Send<T> && Sync<T>;
FERRITE_DETAIL_MARKER_ROW(std::shared_ptr, shared_owner_of<std::remove_extent_t<T>>,
                          shared_owner_of<std::remove_extent_t<T>>);
FERRITE_DETAIL_MARKER_ROW(std::weak_ptr, shared_owner_of<std::remove_extent_t<T>>,
                          shared_owner_of<std::remove_extent_t<T>>);

// Type-erased wrappers hide the type they store: nothing can be checked.
FERRITE_DETAIL_MARKER_ROW(std::function, false, false);
FERRITE_DETAIL_MARKER_ROW(std::move_only_function, false, false);
template <>
struct SendTrait<std::any> {
  static constexpr bool value = false;
};
template <>
struct SyncTrait<std::any> {
  static constexpr bool value = false;
};

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

// ferrite: owned buffers and views (a Slice is `&[T]`, a SliceMut `&mut [T]`;
// Vec and SliceMut are holders, below).
FERRITE_DETAIL_MARKER_ROW(Slice, Sync<T>, Sync<T>);

// ferrite: a callable whose type was checked when it was stored. Calling it
// needs `&`, so sharing it is not allowed.
FERRITE_DETAIL_MARKER_ROW(SendFn, true, false);

// ferrite: slice iterators are references to one element (E is T or const T).
FERRITE_DETAIL_MARKER_ROW(detail::SliceIterator, shared_reference_to<T>, shared_reference_to<T>);

// ferrite: channels.
FERRITE_DETAIL_MARKER_ROW(mpsc::Sender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(mpsc::SyncSender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(mpsc::Receiver, Send<T>, false);
FERRITE_DETAIL_MARKER_ROW(channel::Sender, Send<T>, Send<T>);
FERRITE_DETAIL_MARKER_ROW(channel::Receiver, Send<T>, Send<T>);

// ferrite: holders, as Send/Sync as what they hold: Vec and SliceMut, the
// chunks(n) / chunks_mut(n) ranges (as their views), and the errors that
// carry the message or the guard back. The list is also the diagnostics'
// (is_ferrite_holder, kHolder).
#define FERRITE_DETAIL_FERRITE_HOLDERS(X)                                                     \
  X(Vec) X(SliceMut) X(detail::ChunkRange) X(SendError) X(TrySendError) X(SendTimeoutError) \
  X(PoisonError) X(TryLockError) X(LockResult) X(TryLockResult)
template <class T>
inline constexpr bool is_ferrite_holder = false;
#define FERRITE_DETAIL_HOLDER_ROW(Template)                  \
  FERRITE_DETAIL_MARKER_ROW(Template, Send<T>, Sync<T>);     \
  template <class T>                                         \
  inline constexpr bool is_ferrite_holder<Template<T>> = true;
FERRITE_DETAIL_FERRITE_HOLDERS(FERRITE_DETAIL_HOLDER_ROW)
#undef FERRITE_DETAIL_HOLDER_ROW
#undef FERRITE_DETAIL_FERRITE_HOLDERS

// A nested class that is a view of `X` (an iterator of a ferrite range)
// declares `using send_sync_as = X;` and is exactly as Send/Sync as X.
template <class T>
  requires ViewOfAnother<T>
struct SendTrait<T, void> {
  static constexpr bool value = Send<typename T::send_sync_as>;
};
template <class T>
  requires ViewOfAnother<T>
struct SyncTrait<T, void> {
  static constexpr bool value = Sync<typename T::send_sync_as>;
};

#undef FERRITE_DETAIL_MARKER_ROW

}  // namespace detail
}  // namespace ferrite

// The boundary checks (assert_send/assert_sync) and their messages.
#include "ferrite/detail/send_sync_diagnostics.h"  // IWYU pragma: export
