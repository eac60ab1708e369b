// ferrite/detail/boundary.h — what a rejected thread-boundary call returns.
// Not part of the public API.
//
// Every boundary (thread::spawn, Scope::spawn, ThreadPool::execute/submit,
// channel::bounded/unbounded, mpsc::channel/sync_channel) has two overloads:
// the real one, constrained on its rules, and a rejecting one for the calls
// that break them. The rejecting overload is declared, never defined, and
// returns a class that is declared, never defined, whose name is the
// diagnostic: the innermost type that breaks the rule, why, and the way out.
// A rejected call is therefore one error, at the call, whose first line
// reads
//
//   error: implicit instantiation of undefined template
//   'ferrite::detail::not_Send<ferrite::Rc<int>,
//   ferrite::detail::because::Rc_reference_count_is_not_atomic,
//   ferrite::detail::way_out::use<ferrite::Arc<int>>>'
//
// (on one line). Why a type and not a message: C++23 takes only a string
// literal as a static_assert or `= delete` message, so neither can spell the
// type; clang does spell a type in full. And why an undefined return type
// and not a static_assert in a body: the call stays ill-formed in itself, so
// `requires { thread::spawn(f, rc); }` is false, as the contract wants, and
// nothing after the call (`h.join()`, `auto [tx, rx] = ...`) adds an error.
//
// The innermost type is found by the rules of ferrite/marker.h as
// ferrite/detail/send_sync_diagnostics.h classifies them (rule_of): a rule
// that fails because of a part (Arc<T> because of T, a const T& because of
// T, a container because of an element, an aggregate because of a field)
// blames the part, down to a rule that is the reason itself.
#pragma once

#include <functional>
#include <memory>
#include <type_traits>

#include "ferrite/detail/owned.h"
#include "ferrite/detail/reflect.h"
#include "ferrite/detail/send_sync_diagnostics.h"
#include "ferrite/marker.h"

namespace ferrite {
template <class Signature>
class SendFn;
}  // namespace ferrite

namespace ferrite::detail {

// The rejections: Type breaks the rule the name says, Why says how, WayOut
// what to do instead. Declared only: naming one as a call's result is the
// error.
// (clang's note "template is declared here" shows these lines.)
template <class Type, class Why, class WayOut>
struct not_Send;  // Type would move to another thread, and it is not Send (ferrite/marker.h)
template <class Type, class Why, class WayOut>
struct not_Sync;  // what crosses shares a const Type&, and Type is not Sync (ferrite/marker.h)
template <class Type, class Why, class WayOut>
struct not_owned;  // Type borrows, and nothing keeps what it borrows alive (Rust's 'static)
template <class Type, class Why, class WayOut>
struct not_a_channel_message;  // a channel slot, once claimed, cannot be given back

// The words, as names (declared only).
namespace because {
struct a_non_const_reference_is_a_mutable_alias;
struct type_erasure_hides_the_type_it_holds;
struct every_copy_hands_out_a_mutable_reference;
struct a_const_unique_ptr_hands_out_a_mutable_reference;
struct a_raw_pointer_may_alias_anything;
struct PhantomNotSend_opts_it_out;
struct PhantomNotSync_opts_it_out;
struct Rc_reference_count_is_not_atomic;
struct it_mutates_through_const_without_synchronization;
struct it_is_initialized_through_const_without_synchronization;
struct a_RefCell_guard_updates_a_non_atomic_borrow_count;
struct a_lock_is_released_by_the_thread_that_took_it;
struct an_mpsc_channel_has_one_receiver;
struct it_derives_from_NotSend;
struct it_derives_from_NotSync;
struct a_mutable_field_is_writable_through_const;
struct its_SendTrait_specialization_says_no;
struct its_SyncTrait_specialization_says_no;
struct ferrite_cannot_see_its_fields;
struct a_detached_thread_may_outlive_what_it_borrows;
struct a_message_may_outlive_what_it_borrows;
struct a_returned_borrow_outlives_the_thread;
struct its_move_or_destructor_may_throw;
struct a_message_is_a_non_const_object;
}  // namespace because

namespace way_out {
template <class Instead>
struct use;
struct pass_a_const_reference_to_a_Sync_value_or_move_the_value_in;
struct pass_the_value_itself;
struct pass_ownership_or_opt_in_after_an_audit;
struct keep_it_on_its_thread;
struct give_each_thread_its_own_or_guard_it_with_a_Mutex;
struct use_a_Mutex_an_RwLock_or_atomics;
struct move_the_value_out_of_the_RefCell;
struct lock_it_inside_the_other_thread;
struct drop_mutable_or_make_the_field_a_Mutex_or_atomic;
struct see_the_header_of_the_type;
struct opt_it_in_or_out_explicitly;
struct move_or_clone_the_value_in_or_borrow_it_inside_thread_scope;
struct send_the_value_itself_or_an_Arc;
struct return_a_value;
}  // namespace way_out

// ---------------------------------------------------------------------------
// Send and Sync: the innermost type that breaks the rule.
// ---------------------------------------------------------------------------

// Why, and the way out, for a rule that is the reason itself. By default: a
// SendTrait/SyncTrait specialization, or an aggregate whose fields cannot be
// seen (marker.h's own static_assert has said so already).
template <class T, Trait trait, Rule rule>
struct Reason {
  static constexpr bool hidden_fields = std::is_aggregate_v<T> && !ReflectableAggregate<T>;
  using why = std::conditional_t<
      hidden_fields, because::ferrite_cannot_see_its_fields,
      std::conditional_t<trait == Trait::kSend, because::its_SendTrait_specialization_says_no,
                         because::its_SyncTrait_specialization_says_no>>;
  using way = std::conditional_t<hidden_fields, way_out::opt_it_in_or_out_explicitly,
                                 way_out::see_the_header_of_the_type>;
};
#define FERRITE_DETAIL_REASON(rule, because_, ...) \
  template <class T, Trait trait>                   \
  struct Reason<T, trait, Rule::rule> {             \
    using why = because::because_;                  \
    using way = __VA_ARGS__;                        \
  }
#define FERRITE_DETAIL_REASON_BY_TRAIT(rule, send_because, sync_because, send_way, sync_way) \
  template <class T, Trait trait>                                                             \
  struct Reason<T, trait, Rule::rule> {                                                       \
    using why = std::conditional_t<trait == Trait::kSend, because::send_because,              \
                                   because::sync_because>;                                    \
    using way = std::conditional_t<trait == Trait::kSend, send_way, sync_way>;                \
  }

template <class T>
struct TypeErasedWayOut {
  using type = way_out::pass_the_value_itself;
};
template <class Signature>
struct TypeErasedWayOut<std::function<Signature>> {
  using type = way_out::use<SendFn<Signature>>;
};
template <class Signature>
struct TypeErasedWayOut<std::move_only_function<Signature>> {
  using type = way_out::use<SendFn<Signature>>;
};

FERRITE_DETAIL_REASON(kMutableReference, a_non_const_reference_is_a_mutable_alias,
                      way_out::pass_a_const_reference_to_a_Sync_value_or_move_the_value_in);
FERRITE_DETAIL_REASON(kTypeErased, type_erasure_hides_the_type_it_holds,
                      typename TypeErasedWayOut<T>::type);
FERRITE_DETAIL_REASON(kSharedMutable, every_copy_hands_out_a_mutable_reference,
                      way_out::use<std::conditional_t<is_instance_of<T, std::shared_ptr>,
                                                      Arc<Element<T>>, arc::Weak<Element<T>>>>);
FERRITE_DETAIL_REASON(kUniqueSync, a_const_unique_ptr_hands_out_a_mutable_reference,
                      way_out::use<std::unique_ptr<const Element<T>>>);
FERRITE_DETAIL_REASON(kPointer, a_raw_pointer_may_alias_anything,
                      way_out::pass_ownership_or_opt_in_after_an_audit);
FERRITE_DETAIL_REASON_BY_TRAIT(kPhantom, PhantomNotSend_opts_it_out, PhantomNotSync_opts_it_out,
                               way_out::keep_it_on_its_thread,
                               way_out::give_each_thread_its_own_or_guard_it_with_a_Mutex);
FERRITE_DETAIL_REASON(kRc, Rc_reference_count_is_not_atomic,
                      way_out::use<std::conditional_t<is_instance_of<T, Rc>, Arc<Element<T>>,
                                                      arc::Weak<Element<T>>>>);
FERRITE_DETAIL_REASON(kCellSync, it_mutates_through_const_without_synchronization,
                      way_out::use_a_Mutex_an_RwLock_or_atomics);
FERRITE_DETAIL_REASON(kOnceCellSync, it_is_initialized_through_const_without_synchronization,
                      way_out::use<OnceLock<Element<T>>>);
FERRITE_DETAIL_REASON(kBorrowGuard, a_RefCell_guard_updates_a_non_atomic_borrow_count,
                      way_out::move_the_value_out_of_the_RefCell);
FERRITE_DETAIL_REASON(kLockGuardSend, a_lock_is_released_by_the_thread_that_took_it,
                      way_out::lock_it_inside_the_other_thread);
FERRITE_DETAIL_REASON(kReceiverSync, an_mpsc_channel_has_one_receiver,
                      way_out::use<channel::Receiver<Element<T>>>);
FERRITE_DETAIL_REASON(kNotSendBase, it_derives_from_NotSend, way_out::keep_it_on_its_thread);
FERRITE_DETAIL_REASON(kNotSyncBase, it_derives_from_NotSync,
                      way_out::give_each_thread_its_own_or_guard_it_with_a_Mutex);
FERRITE_DETAIL_REASON(kMutableField, a_mutable_field_is_writable_through_const,
                      way_out::drop_mutable_or_make_the_field_a_Mutex_or_atomic);
#undef FERRITE_DETAIL_REASON
#undef FERRITE_DETAIL_REASON_BY_TRAIT

// The rejection that names T (which lacks `trait`) or the part it blames.
template <class T, Trait trait, class = void>
struct Culprit {
  using Unqualified = std::remove_cv_t<T>;
  using Why = Reason<Unqualified, trait, rule_of<Unqualified, trait>()>;
  using type = std::conditional_t<trait == Trait::kSend,
                                  not_Send<Unqualified, typename Why::why, typename Why::way>,
                                  not_Sync<Unqualified, typename Why::why, typename Why::way>>;
};
template <class T, Trait trait>
struct Culprit<T, trait, std::void_t<typename Blame<T, trait>::part>>
    : Culprit<typename Blame<T, trait>::part, Blame<T, trait>::part_trait> {};

template <class T>
struct NotSendCulprit : Culprit<T, Trait::kSend> {};

// ---------------------------------------------------------------------------
// Owned data: the innermost borrow.
// ---------------------------------------------------------------------------

template <class Why, class WayOut>
struct NotOwnedBecause {
  template <class T>
  struct Culprit {
    using type = not_owned<std::remove_cv_t<typename BorrowIn<T>::type>, Why, WayOut>;
  };
};

// ---------------------------------------------------------------------------
// A boundary's rejection: the first rule broken, in order.
// ---------------------------------------------------------------------------

// Found::type explained by Explain, if there is one; else Otherwise::type.
// Otherwise is instantiated only when nothing was found.
template <class Found, template <class> class Explain, class Otherwise, class = void>
struct ExplainOr : Otherwise {};
template <class Found, template <class> class Explain, class Otherwise>
struct ExplainOr<Found, Explain, Otherwise, std::void_t<typename Found::type>>
    : Explain<typename Found::type> {};

template <class T>
struct SendHolds {
  static constexpr bool value = Send<T>;
};

// Every type in Crossing must be Send; then every type in Owning must own
// its data (OwnedWhy, OwnedWayOut say why at this boundary); then Result
// must own its data; then Rest::type (std::type_identity<void> when nothing
// else is checked).
template <class Crossing, class Owning, class OwnedWhy, class OwnedWayOut, class Result,
          class Rest = std::type_identity<void>>
using BoundaryRejection = typename ExplainOr<
    FirstLacking<SendHolds, Crossing>, NotSendCulprit,
    ExplainOr<FirstLacking<OwnedHolds, Owning>,
              NotOwnedBecause<OwnedWhy, OwnedWayOut>::template Culprit,
              ExplainOr<FirstLacking<OwnedHolds, Result>,
                        NotOwnedBecause<because::a_returned_borrow_outlives_the_thread,
                                        way_out::return_a_value>::template Culprit,
                        Rest>>>::type;

// thread::spawn and ThreadPool: the callable and the arguments cross and
// must own their data (nothing joins the thread before the caller's frame
// is gone), and so does the result.
template <class Result, class... Crossing>
using UnscopedSpawnRejection =
    BoundaryRejection<TypeList<Crossing..., Result>, TypeList<Crossing...>,
                      because::a_detached_thread_may_outlive_what_it_borrows,
                      way_out::move_or_clone_the_value_in_or_borrow_it_inside_thread_scope,
                      TypeList<Result>>;

// Scope::spawn: the callable and the arguments cross and may borrow (the
// scope joins the thread); the result crosses back and owns its data.
template <class Result, class... Crossing>
using ScopedSpawnRejection =
    BoundaryRejection<TypeList<Crossing..., Result>, TypeList<>, void, void, TypeList<Result>>;

template <class T>
struct ChannelMessageRejection {
  using type =
      not_a_channel_message<T,
                            std::conditional_t<std::is_object_v<T> && !std::is_array_v<T> &&
                                                   !std::is_const_v<T> && !std::is_volatile_v<T>,
                                               because::its_move_or_destructor_may_throw,
                                               because::a_message_is_a_non_const_object>,
                            way_out::use<std::unique_ptr<std::remove_cvref_t<T>>>>;
};

// channel and mpsc: the message crosses, owns its data (it may be received
// after the sender's frame is gone) and moves without throwing.
template <class T>
using ChannelRejection =
    BoundaryRejection<TypeList<T>, TypeList<T>, because::a_message_may_outlive_what_it_borrows,
                      way_out::send_the_value_itself_or_an_Arc, TypeList<>,
                      ChannelMessageRejection<T>>;

}  // namespace ferrite::detail
