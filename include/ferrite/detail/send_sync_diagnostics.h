// ferrite/detail/send_sync_diagnostics.h — why a type is not Send or Sync:
// the rules classified (rule_of), and the checks that explain a failure. Not
// part of the public API: ferrite/marker.h includes it.
//
// Three explanations of a failure come from the same rules and the same
// words:
//
//   * a rejected boundary call (thread::spawn, Scope::spawn, ThreadPool,
//     channel and mpsc constructors) is one error naming the innermost type
//     that breaks the rule, why and the way out: ferrite/detail/boundary.h,
//     which follows the parts each rule blames down from what crosses;
//
//   * assert_send<T>() / assert_sync<T>(), for a class that holds a T (a
//     channel end): a chain of static_asserts, outermost rule first. C++23
//     needs a string literal as a static_assert message, so each rule's
//     message is spelled with the generic `T` and the failing type shows in
//     the requirement:
//
//       error: static assertion failed due to requirement
//              'ferrite::detail::type_is_Send<ferrite::Arc<ferrite::Cell<int>>>':
//              Arc<T> is Send only when T is Send and Sync; wrap the value in a Mutex
//              (Arc<Mutex<T>>) or use atomics (the same holds for std::shared_ptr<T>)
//       error: static assertion failed due to requirement
//              'ferrite::detail::type_is_Sync<ferrite::Cell<int>>': Cell<T> (RefCell<T>,
//              UnsafeCell<T>) is not Sync: it mutates its value through const& without
//              synchronization; use Mutex<T>, RwLock<T> or atomics to share it between threads
//
//   * send_message<T>() / sync_message<T>() (ferrite/detail/send_sync_message.h):
//     the whole explanation as one string computed at compile time, with the
//     concrete types spelled out ("ferrite::Rc<int> is not Send: Rc's
//     reference count is not atomic; use Arc<int>"), for tools and tests.
//
// All three classify the failing type with rule_of<T, trait>(). The last two
// take each rule's words from the FERRITE_DETAIL_TEXT_* literals below,
// string-literal macros because a C++23 static_assert message must be a
// literal: the static_asserts concatenate them, the computed message appends
// them. The boundary's rejection spells the same reasons as names, since a
// type is what it prints.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "ferrite/detail/reflect.h"
#include "ferrite/marker.h"

// ---------------------------------------------------------------------------
// The words of each rule: why it fails, and the way out. They stay defined:
// ferrite/detail/send_sync_message.h builds its message from them too.
// ---------------------------------------------------------------------------

#define FERRITE_DETAIL_TEXT_REFERENCE(trait) \
  "a const reference const T& (std::cref, std::span<const T>, a const iterator) is " trait \
  " only when T is Sync"
#define FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE                                                  \
  "a non-const reference (T&, std::ref, std::span<T>, a mutable iterator) is neither Send nor " \
  "Sync: two threads could write through copies of it"
#define FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE_WAY_OUT                                    \
  "pass a const T& (std::cref) of a Sync T, move the value into the thread, or share it " \
  "through a Mutex"
#define FERRITE_DETAIL_TEXT_TYPE_ERASED_WHY                                            \
  "std::function, std::move_only_function and std::any hide the type they hold, so " \
  "ferrite cannot check it"
#define FERRITE_DETAIL_TEXT_TYPE_ERASED_WAY_OUT \
  "store the callable in a ferrite::SendFn, which checks it, or pass the callable itself"
#define FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WHY \
  "every copy of a std::shared_ptr<T> (or weak_ptr<T>) hands out T&: its operator* is const"
#define FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WAY_OUT "use Arc<T>, or std::shared_ptr<const T>"
#define FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WHY                                                \
  "a const std::unique_ptr<T>& hands out T& (its operator* is const), so it is Sync only " \
  "as unique_ptr<const T>"
#define FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WAY_OUT \
  "hold a std::unique_ptr<const T>, or wrap the value in a Mutex"
#define FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WHY \
  "an aggregate with a mutable field is not Sync: the field is writable through const&"
#define FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WAY_OUT \
  "drop `mutable`, or make the field a Mutex or an atomic"
#define FERRITE_DETAIL_TEXT_MOVE_THE_VALUE \
  "move the value into the thread instead, or share it through a Mutex or atomics"
#define FERRITE_DETAIL_TEXT_SHARE_THE_VALUE "share the value through a Mutex or atomics"

#define FERRITE_DETAIL_TEXT_POINTER_WHY "ferrite cannot see who else uses the pointee"
#define FERRITE_DETAIL_TEXT_PASS_OWNERSHIP "pass ownership instead (std::unique_ptr, Vec, Arc)"
#define FERRITE_DETAIL_TEXT_SHARE_AN_ARC "share an Arc instead"
#define FERRITE_DETAIL_TEXT_WRAP_POINTER(impl) \
  "wrap the pointer in a class opted in with FERRITE_UNSAFE_IMPL_" impl " after an audit"

#define FERRITE_DETAIL_TEXT_PHANTOM(trait) "PhantomNot" trait " opts its aggregate out of " trait
#define FERRITE_DETAIL_TEXT_KEEP_ON_THREAD "keep the value on the thread that created it"
#define FERRITE_DETAIL_TEXT_OWN_VALUE_OR_MUTEX \
  "give each thread its own value, or guard it with a Mutex"

#define FERRITE_DETAIL_TEXT_RC_WHY "Rc's reference count is not atomic"
#define FERRITE_DETAIL_TEXT_RC_WAY_OUT "use Arc<T> (and arc::Weak<T>)"

#define FERRITE_DETAIL_TEXT_NEEDS_SEND_AND_SYNC " only when T is Send and Sync"
#define FERRITE_DETAIL_TEXT_SHARED_WAY_OUT \
  "wrap the value in a Mutex (Arc<Mutex<T>>) or use atomics"

#define FERRITE_DETAIL_TEXT_CELL_WHY "it mutates its value through const& without synchronization"
#define FERRITE_DETAIL_TEXT_CELL_WAY_OUT \
  "use Mutex<T>, RwLock<T> or atomics to share it between threads"
#define FERRITE_DETAIL_TEXT_ONCE_CELL_WHY "initialized through const& without synchronization"
#define FERRITE_DETAIL_TEXT_ONCE_CELL_WAY_OUT "use OnceLock<T> to share it between threads"

#define FERRITE_DETAIL_TEXT_BORROW_GUARD_SEND_WHY \
  "a RefCell guard updates the cell's non-atomic borrow count"
#define FERRITE_DETAIL_TEXT_BORROW_GUARD_SYNC_WHY \
  "a RefCell guard points at the cell's non-atomic borrow count"
#define FERRITE_DETAIL_TEXT_BORROW_GUARD_WAY_OUT \
  "copy or move the value out of the RefCell, or use Arc<Mutex<T>>"

#define FERRITE_DETAIL_TEXT_LOCK_GUARD_WHY "a lock must be released by the thread that acquired it"
#define FERRITE_DETAIL_TEXT_LOCK_GUARD_WAY_OUT "lock it inside the other thread instead"

#define FERRITE_DETAIL_TEXT_RECEIVER_WHY "only one thread may receive from an mpsc channel"
#define FERRITE_DETAIL_TEXT_RECEIVER_WAY_OUT \
  "use channel::Receiver<T> (multi-consumer), or share Arc<Mutex<mpsc::Receiver<T>>>"

#define FERRITE_DETAIL_TEXT_SLICE_WHY "Slice<T> is a shared view (&[T]): Send only when T is Sync"
#define FERRITE_DETAIL_TEXT_SLICE_WAY_OUT "send a SliceMut<T> or an owned Vec<T> instead"

#define FERRITE_DETAIL_TEXT_SHARED_LOCK_WHY                                     \
  "RwLock<T> (and OnceLock<T>) is Sync" FERRITE_DETAIL_TEXT_NEEDS_SEND_AND_SYNC \
  ", since readers share const T&"
#define FERRITE_DETAIL_TEXT_SHARED_LOCK_WAY_OUT "use Mutex<T> for a T that is only Send"

#define FERRITE_DETAIL_TEXT_NEEDS_SEND_WHY                                     \
  "Mutex<T> and channel ends are Sync only when T is Send (a T put in on one " \
  "thread is taken out on another)"

#define FERRITE_DETAIL_TEXT_DERIVES_FROM(opt_out) "derives from ferrite::" opt_out

#define FERRITE_DETAIL_TEXT_AGGREGATE(trait) "an aggregate is " trait " only when every field is"

// clang-format off
#define FERRITE_DETAIL_TEXT_SPECIALIZED(trait) \
  "ferrite::detail::" trait "Trait specialization says it is not " trait " (see its header for why)"
// clang-format on

namespace ferrite::detail {

// ---------------------------------------------------------------------------
// Classification: which rule a type fails.
// ---------------------------------------------------------------------------

template <class T, template <class...> class Template>
inline constexpr bool is_instance_of = false;
template <template <class...> class Template, class... Args>
inline constexpr bool is_instance_of<Template<Args...>, Template> = true;

template <class List>
struct FirstOf;
template <class First, class... Rest>
struct FirstOf<TypeList<First, Rest...>> {
  using type = First;
};

// The element type a container-like template is checked through.
template <class T>
using Element = typename FirstOf<TypeArguments<T>>::type;

// The templates whose row is "as their type arguments" (marker.h's lists).
template <class T>
inline constexpr bool is_std_container =
    is_std_holder<T> || is_ferrite_holder<T> || is_instance_of<T, std::unique_ptr>;

template <class T>
inline constexpr bool is_type_erased = is_instance_of<T, std::function> ||
                                       is_instance_of<T, std::move_only_function> ||
                                       std::is_same_v<T, std::any>;

// What a reference-like type refers to: T& and const T&, reference_wrapper,
// span, slice iterators.
template <class T>
struct ReferentOf {
  using type = std::remove_reference_t<T>;
};
template <class T>
struct ReferentOf<std::reference_wrapper<T>> {
  using type = T;
};
template <class T, std::size_t N>
struct ReferentOf<std::span<T, N>> {
  using type = T;
};
template <class E>
struct ReferentOf<SliceIterator<E>> {
  using type = E;
};

// A std owning pointer to a non-const T (whose operator* hands out T&).
template <class T>
inline constexpr bool points_to_mutable = false;
template <class T>
inline constexpr bool points_to_mutable<std::shared_ptr<T>> =
    !std::is_const_v<std::remove_extent_t<T>>;
template <class T>
inline constexpr bool points_to_mutable<std::weak_ptr<T>> =
    !std::is_const_v<std::remove_extent_t<T>>;
template <class T, class D>
inline constexpr bool points_to_mutable<std::unique_ptr<T, D>> =
    !std::is_const_v<std::remove_extent_t<T>>;

template <class T>
inline constexpr bool is_span = false;
template <class T, std::size_t N>
inline constexpr bool is_span<std::span<T, N>> = true;

template <class T>
inline constexpr bool is_reference_like = std::is_reference_v<T> ||
                                          is_instance_of<T, std::reference_wrapper> ||
                                          is_span<T> || is_instance_of<T, SliceIterator>;

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

template <class T>
inline constexpr bool is_channel_end =
    is_instance_of<T, mpsc::Sender> || is_instance_of<T, mpsc::SyncSender> ||
    is_instance_of<T, mpsc::Receiver> || is_instance_of<T, channel::Sender> ||
    is_instance_of<T, channel::Receiver>;

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

enum class Rule {
  kHolds,          // no failure
  kReference,      // const T&, std::cref, span<const T>, const iterators: needs Sync<T>
  kMutableReference,  // T&, std::ref, span<T>, mutable iterators: never
  kTypeErased,     // std::function, std::move_only_function, std::any: never
  kSharedMutable,  // shared_ptr<T>, weak_ptr<T> of a non-const T: never
  kUniqueSync,     // unique_ptr<T> of a non-const T: never Sync
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
  kViewOf,        // declares `send_sync_as`: as that type
  kAggregate,      // a field fails
  kMutableField,   // an aggregate with a mutable field: never Sync
  kSpecialized,    // a SendTrait/SyncTrait specialization says no
};

// The rule that explains why T (unqualified) lacks `trait`; kHolds if it has it.
template <class T, Trait trait>
consteval Rule rule_of() {
  constexpr bool send = trait == Trait::kSend;
  if constexpr (has_trait<T, trait>()) {
    return Rule::kHolds;
  } else if constexpr (is_reference_like<T>) {
    using Referent = typename ReferentOf<T>::type;
    if constexpr (std::is_const_v<Referent> || std::is_function_v<Referent>) {
      return Rule::kReference;
    } else {
      return Rule::kMutableReference;
    }
  } else if constexpr (is_type_erased<T>) {
    return Rule::kTypeErased;
  } else if constexpr (points_to_mutable<T> && (is_instance_of<T, std::shared_ptr> ||
                                                 is_instance_of<T, std::weak_ptr>)) {
    return Rule::kSharedMutable;
  } else if constexpr (!send && points_to_mutable<T> && is_instance_of<T, std::unique_ptr>) {
    return Rule::kUniqueSync;
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
  } else if constexpr (!send && (is_instance_of<T, Mutex> || is_channel_end<T>)) {
    return Rule::kNeedsSend;
  } else if constexpr (is_std_container<T> || is_instance_of<T, Slice> ||
                       is_unsync_cell<T> || is_instance_of<T, Mutex> || is_instance_of<T, RwLock> ||
                       is_instance_of<T, OnceLock> || is_lock_guard<T> || is_channel_end<T>) {
    return Rule::kHolder;
  } else if constexpr (send && std::is_base_of_v<NotSend, T>) {
    return Rule::kNotSendBase;
  } else if constexpr (!send && std::is_base_of_v<NotSync, T>) {
    return Rule::kNotSyncBase;
  } else if constexpr (ViewOfAnother<T>) {
    return Rule::kViewOf;
  } else if constexpr (ReflectableAggregate<T>) {
    if constexpr (!send && AllFields<FieldTypes<T>>::sync) {
      return Rule::kMutableField;
    } else {
      return Rule::kAggregate;
    }
  } else {
    return Rule::kSpecialized;
  }
}

}  // namespace ferrite::detail

namespace ferrite::detail {

// ---------------------------------------------------------------------------
// The boundary check: a chain of static_asserts.
//
// Each rule that explains a failure states it in one static_assert; rules
// that fail because of a part (Arc<T> because of T, T& because of T, a field
// of an aggregate) then check that part too, so the errors read as a chain
// (see the top of this file). The failing type is spelled in the
// requirement, the rule and the way out in the message.
// ---------------------------------------------------------------------------

// Named so that clang's "due to requirement '...'" reads as a sentence.
template <class T>
inline constexpr bool type_is_Send = Send<T>;
template <class T>
inline constexpr bool type_is_Sync = Sync<T>;

template <class T, Rule rule = rule_of<std::remove_cv_t<T>, Trait::kSend>()>
struct ExplainSend;
template <class T, Rule rule = rule_of<std::remove_cv_t<T>, Trait::kSync>()>
struct ExplainSync;

template <class T, Trait trait>
using Explain = std::conditional_t<trait == Trait::kSend, ExplainSend<T>, ExplainSync<T>>;

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
using Referent = std::remove_cv_t<typename ReferentOf<std::remove_cv_t<T>>::type>;
template <class T>
using Held = Element<std::remove_cv_t<T>>;
template <Trait trait>
struct HasTrait {
  template <class U>
  struct Of {
    static constexpr bool value = has_trait<U, trait>();
  };
};

// The part a failing rule blames (`part`, which lacks `part_trait`); empty
// for the rules that are the reason themselves. The static_asserts below
// explain it next; ferrite/detail/boundary.h descends through it.
template <class Found, Trait trait, class = void>
struct BlameFound {};
template <class Found, Trait trait>
struct BlameFound<Found, trait, std::void_t<typename Found::type>> {
  using part = typename Found::type;
  static constexpr Trait part_trait = trait;
};
template <class List, Trait trait>
using BlameFirstLacking = BlameFound<FirstLacking<HasTrait<trait>::template Of, List>, trait>;

template <class T, Trait trait, Rule rule = rule_of<std::remove_cv_t<T>, trait>()>
struct Blame {};
template <class Part, Trait trait>
struct BlamePart {
  using part = Part;
  static constexpr Trait part_trait = trait;
};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kReference> : BlamePart<Referent<T>, Trait::kSync> {};
// Arc<T>, RwLock<T>: T must be Send and Sync; blame whichever fails.
template <class T, Trait trait>
struct Blame<T, trait, Rule::kShared>
    : BlamePart<Held<T>, Sync<Held<T>> ? Trait::kSend : Trait::kSync> {};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kSharedLock> : Blame<T, trait, Rule::kShared> {};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kSliceSend> : BlamePart<Held<T>, Trait::kSync> {};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kNeedsSend> : BlamePart<Held<T>, Trait::kSend> {};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kHolder> : BlameFirstLacking<TypeArguments<std::remove_cv_t<T>>, trait> {
};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kAggregate>
    : BlameFirstLacking<FieldTypes<std::remove_cv_t<T>>, trait> {};
template <class T, Trait trait>
struct Blame<T, trait, Rule::kViewOf> : BlamePart<typename T::send_sync_as, trait> {};

// Explains the part a rule blames.
template <class T, Trait trait, Rule rule>
using ExplainBlamed = Explain<typename Blame<T, trait, rule>::part, Blame<T, trait, rule>::part_trait>;

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(
    kReference, FERRITE_DETAIL_TEXT_REFERENCE("Send") "; " FERRITE_DETAIL_TEXT_MOVE_THE_VALUE,
    ExplainBlamed<T, Trait::kSend, Rule::kReference>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(
    kReference, FERRITE_DETAIL_TEXT_REFERENCE("Sync") "; " FERRITE_DETAIL_TEXT_SHARE_THE_VALUE,
    ExplainBlamed<T, Trait::kSync, Rule::kReference>);

FERRITE_DETAIL_EXPLAIN_SEND(kMutableReference, FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE
                            "; " FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(kMutableReference, FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE
                            "; " FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND(kTypeErased, FERRITE_DETAIL_TEXT_TYPE_ERASED_WHY
                            "; " FERRITE_DETAIL_TEXT_TYPE_ERASED_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(kTypeErased, FERRITE_DETAIL_TEXT_TYPE_ERASED_WHY
                            "; " FERRITE_DETAIL_TEXT_TYPE_ERASED_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND(kSharedMutable, "std::shared_ptr<T> is not Send: " FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WHY
                            "; " FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(kSharedMutable, "std::shared_ptr<T> is not Sync: " FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WHY
                            "; " FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SYNC(kUniqueSync, FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WHY
                            "; " FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SYNC(kMutableField, FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WHY
                            "; " FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND(kPointer, "raw pointers are not Send: " FERRITE_DETAIL_TEXT_POINTER_WHY
                                      "; " FERRITE_DETAIL_TEXT_PASS_OWNERSHIP
                                      ", or " FERRITE_DETAIL_TEXT_WRAP_POINTER("SEND"));
FERRITE_DETAIL_EXPLAIN_SYNC(kPointer, "raw pointers are not Sync: " FERRITE_DETAIL_TEXT_POINTER_WHY
                                      "; " FERRITE_DETAIL_TEXT_SHARE_AN_ARC
                                      ", or " FERRITE_DETAIL_TEXT_WRAP_POINTER("SYNC"));

FERRITE_DETAIL_EXPLAIN_SEND(
    kPhantom, FERRITE_DETAIL_TEXT_PHANTOM("Send") "; " FERRITE_DETAIL_TEXT_KEEP_ON_THREAD);
FERRITE_DETAIL_EXPLAIN_SYNC(
    kPhantom, FERRITE_DETAIL_TEXT_PHANTOM("Sync") "; " FERRITE_DETAIL_TEXT_OWN_VALUE_OR_MUTEX);

FERRITE_DETAIL_EXPLAIN_SEND(kRc, "Rc<T> is not Send: " FERRITE_DETAIL_TEXT_RC_WHY
                                 "; " FERRITE_DETAIL_TEXT_RC_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(kRc, "Rc<T> is not Sync: " FERRITE_DETAIL_TEXT_RC_WHY
                                 "; " FERRITE_DETAIL_TEXT_RC_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(kShared,
                                    "Arc<T> is Send" FERRITE_DETAIL_TEXT_NEEDS_SEND_AND_SYNC
                                    "; " FERRITE_DETAIL_TEXT_SHARED_WAY_OUT
                                    " (the same holds for std::shared_ptr<T>)",
                                    ExplainBlamed<T, Trait::kSend, Rule::kShared>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kShared,
                                    "Arc<T> is Sync" FERRITE_DETAIL_TEXT_NEEDS_SEND_AND_SYNC
                                    "; " FERRITE_DETAIL_TEXT_SHARED_WAY_OUT
                                    " (the same holds for std::shared_ptr<T>)",
                                    ExplainBlamed<T, Trait::kSync, Rule::kShared>);

FERRITE_DETAIL_EXPLAIN_SYNC(
    kCellSync, "Cell<T> (RefCell<T>, UnsafeCell<T>) is not Sync: " FERRITE_DETAIL_TEXT_CELL_WHY
               "; " FERRITE_DETAIL_TEXT_CELL_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(kOnceCellSync,
                            "OnceCell<T> is not Sync: it is " FERRITE_DETAIL_TEXT_ONCE_CELL_WHY
                            "; " FERRITE_DETAIL_TEXT_ONCE_CELL_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND(
    kBorrowGuard, "Ref<T> and RefMut<T> are not Send: " FERRITE_DETAIL_TEXT_BORROW_GUARD_SEND_WHY
                  "; " FERRITE_DETAIL_TEXT_BORROW_GUARD_WAY_OUT);
FERRITE_DETAIL_EXPLAIN_SYNC(
    kBorrowGuard, "Ref<T> and RefMut<T> are not Sync: " FERRITE_DETAIL_TEXT_BORROW_GUARD_SYNC_WHY
                  "; " FERRITE_DETAIL_TEXT_BORROW_GUARD_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND(
    kLockGuardSend,
    "MutexGuard<T> (and the RwLock guards) is not Send: " FERRITE_DETAIL_TEXT_LOCK_GUARD_WHY
    "; " FERRITE_DETAIL_TEXT_LOCK_GUARD_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SYNC(kReceiverSync,
                            "mpsc::Receiver<T> is not Sync: " FERRITE_DETAIL_TEXT_RECEIVER_WHY
                            "; " FERRITE_DETAIL_TEXT_RECEIVER_WAY_OUT);

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(kSliceSend,
                                    FERRITE_DETAIL_TEXT_SLICE_WHY
                                    "; " FERRITE_DETAIL_TEXT_SLICE_WAY_OUT,
                                    ExplainBlamed<T, Trait::kSend, Rule::kSliceSend>);

FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kSharedLock,
                                    FERRITE_DETAIL_TEXT_SHARED_LOCK_WHY
                                    "; " FERRITE_DETAIL_TEXT_SHARED_LOCK_WAY_OUT,
                                    ExplainBlamed<T, Trait::kSync, Rule::kSharedLock>);

FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kNeedsSend, FERRITE_DETAIL_TEXT_NEEDS_SEND_WHY,
                                    ExplainBlamed<T, Trait::kSync, Rule::kNeedsSend>);

// Containers say nothing themselves: the part that fails explains.
template <class T>
struct ExplainSend<T, Rule::kHolder> : ExplainBlamed<T, Trait::kSend, Rule::kHolder> {};
template <class T>
struct ExplainSync<T, Rule::kHolder> : ExplainBlamed<T, Trait::kSync, Rule::kHolder> {};

FERRITE_DETAIL_EXPLAIN_SEND(kNotSendBase, "the type " FERRITE_DETAIL_TEXT_DERIVES_FROM(
                                              "NotSend") "; " FERRITE_DETAIL_TEXT_KEEP_ON_THREAD);
FERRITE_DETAIL_EXPLAIN_SYNC(kNotSyncBase,
                            "the type " FERRITE_DETAIL_TEXT_DERIVES_FROM(
                                "NotSync") "; " FERRITE_DETAIL_TEXT_OWN_VALUE_OR_MUTEX);

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(
    kAggregate,
    FERRITE_DETAIL_TEXT_AGGREGATE("Send") " Send (the next error names the field's type)",
    ExplainBlamed<T, Trait::kSend, Rule::kAggregate>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(
    kAggregate,
    FERRITE_DETAIL_TEXT_AGGREGATE("Sync") " Sync (the next error names the field's type)",
    ExplainBlamed<T, Trait::kSync, Rule::kAggregate>);

FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE(kViewOf,
                                    "an iterator of a ferrite range is Send only when the view "
                                    "it yields is (the next error names the view)",
                                    ExplainBlamed<T, Trait::kSend, Rule::kViewOf>);
FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE(kViewOf,
                                    "an iterator of a ferrite range is Sync only when the view "
                                    "it yields is (the next error names the view)",
                                    ExplainBlamed<T, Trait::kSync, Rule::kViewOf>);

FERRITE_DETAIL_EXPLAIN_SEND(kSpecialized, "the type's " FERRITE_DETAIL_TEXT_SPECIALIZED("Send"));
FERRITE_DETAIL_EXPLAIN_SYNC(kSpecialized, "the type's " FERRITE_DETAIL_TEXT_SPECIALIZED("Sync"));

#undef FERRITE_DETAIL_EXPLAIN_SEND
#undef FERRITE_DETAIL_EXPLAIN_SYNC
#undef FERRITE_DETAIL_EXPLAIN_SEND_BECAUSE
#undef FERRITE_DETAIL_EXPLAIN_SYNC_BECAUSE
#undef FERRITE_DETAIL_STATE

// The check of a class that holds a `T` bound for another thread (a channel
// end): it names T in its body
//
//   static_assert(detail::AssertSend<T>::value);   // or: detail::assert_send<T>();
//
// and a failure is a chain of static_assert errors (see Explain above) under
// the note "in instantiation of ... requested here". A boundary *call* is
// constrained with the concepts instead, and rejected through the overload
// of ferrite/detail/boundary.h, so that requires-expressions see it.
template <class T>
struct AssertSend {
  static constexpr bool value = ExplainSend<T>::value;
};
template <class T>
struct AssertSync {
  static constexpr bool value = ExplainSync<T>::value;
};

template <class T>
constexpr void assert_send() {
  static_assert(AssertSend<T>::value);
}

template <class T>
constexpr void assert_sync() {
  static_assert(AssertSync<T>::value);
}

}  // namespace ferrite::detail

// send_message<T>() / sync_message<T>(), built from the rules above.
#include "ferrite/detail/send_sync_message.h"  // IWYU pragma: export
