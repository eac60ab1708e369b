// ferrite/detail/send_sync_message.h — send_message<T>() / sync_message<T>():
// why a type is not Send or Sync, as one string computed at compile time with
// the concrete types spelled out:
//
//   ferrite::Rc<int> is not Send: Rc's reference count is not atomic; use Arc<int>
//
// Not part of the public API. The rules and their words are those of the
// boundary check, in ferrite/detail/send_sync_diagnostics.h.
#pragma once

#include <array>
#include <cstddef>
#include <functional>
#include <string_view>
#include <type_traits>

#include "ferrite/detail/reflect.h"
#include "ferrite/detail/send_sync_diagnostics.h"
#include "ferrite/marker.h"

namespace ferrite::detail {

// A fixed-capacity string built at compile time (it has size() and data(),
// as a computed static_assert message needs). Text beyond the capacity is
// dropped.
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
  // (the type itself may hold a `]`: "int [2]").
  std::size_t begin = function.find("with T = ") + 9;
  std::size_t end = function.find(';', begin);
  if (end == std::string_view::npos) end = function.rfind(']');
#endif
  return function.substr(begin, end - begin);
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
constexpr void explain_first_failing(TypeList<Ts...> /*parts*/, StaticMessage& rule,
                                     StaticMessage& way_out, std::string_view what) {
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

// For Arc<T> / RwLock<T>: T must be Send and Sync; explains whichever fails.
template <class U>
constexpr void explain_send_and_sync(StaticMessage& rule, StaticMessage& way_out) {
  if constexpr (!Sync<U>) {
    explain_nested<U, Trait::kSync>(rule, way_out);
  } else {
    explain_nested<U, Trait::kSend>(rule, way_out);
  }
}

// Appends why T (unqualified, known to lack `trait`) lacks it.
template <class T, Trait trait>
constexpr void explain_rule(StaticMessage& rule, StaticMessage& way_out) {
  constexpr bool send = trait == Trait::kSend;
  constexpr std::string_view name = trait_name(trait);
  constexpr Rule kind = rule_of<T, trait>();
  if constexpr (kind == Rule::kHolds) {
    rule.append("unreachable: it is ").append(name);
  } else if constexpr (kind == Rule::kReference) {
    suggest(way_out, FERRITE_DETAIL_TEXT_MOVE_THE_VALUE);
    if constexpr (is_instance_of<T, std::reference_wrapper>) {
      rule.append("std::cref(x) counts as const T&; ");
    }
    rule.append("a const reference is ")
        .append(name)
        .append(" only when its referent is Sync, and ");
    explain_nested<Referent<T>, Trait::kSync>(rule, way_out);
  } else if constexpr (kind == Rule::kMutableReference) {
    rule.append(FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE);
    suggest(way_out, FERRITE_DETAIL_TEXT_MUTABLE_REFERENCE_WAY_OUT);
  } else if constexpr (kind == Rule::kTypeErased) {
    rule.append(FERRITE_DETAIL_TEXT_TYPE_ERASED_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_TYPE_ERASED_WAY_OUT);
  } else if constexpr (kind == Rule::kSharedMutable) {
    rule.append(FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_SHARED_MUTABLE_WAY_OUT);
  } else if constexpr (kind == Rule::kUniqueSync) {
    rule.append(FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_UNIQUE_SYNC_WAY_OUT);
  } else if constexpr (kind == Rule::kPointer) {
    rule.append("raw pointers are neither Send nor Sync: " FERRITE_DETAIL_TEXT_POINTER_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_PASS_OWNERSHIP
            ", or " FERRITE_DETAIL_TEXT_WRAP_POINTER("SEND/SYNC"));
  } else if constexpr (kind == Rule::kPhantom) {
    rule.append("it marks its owner as not ").append(name);
    suggest(way_out,
            send ? FERRITE_DETAIL_TEXT_KEEP_ON_THREAD : FERRITE_DETAIL_TEXT_OWN_VALUE_OR_MUTEX);
  } else if constexpr (kind == Rule::kRc) {
    rule.append(FERRITE_DETAIL_TEXT_RC_WHY);
    if constexpr (is_instance_of<T, Rc>) {
      suggest(way_out, "use Arc<", type_name<Element<T>>(), ">");
    } else {
      suggest(way_out, "use arc::Weak<", type_name<Element<T>>(), "> (from an Arc)");
    }
  } else if constexpr (kind == Rule::kShared) {
    rule.append(is_instance_of<T, Arc> || is_instance_of<T, arc::Weak> ? "Arc<T>" : "shared_ptr<T>")
        .append(" is ")
        .append(name)
        .append(FERRITE_DETAIL_TEXT_NEEDS_SEND_AND_SYNC ", and ");
    if constexpr (!Sync<Element<T>>) suggest(way_out, FERRITE_DETAIL_TEXT_SHARED_WAY_OUT);
    explain_send_and_sync<Element<T>>(rule, way_out);
  } else if constexpr (kind == Rule::kOnceCellSync) {
    rule.append("OnceCell<T> is " FERRITE_DETAIL_TEXT_ONCE_CELL_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_ONCE_CELL_WAY_OUT);
  } else if constexpr (kind == Rule::kCellSync) {
    rule.append(FERRITE_DETAIL_TEXT_CELL_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_CELL_WAY_OUT);
  } else if constexpr (kind == Rule::kBorrowGuard) {
    rule.append(send ? FERRITE_DETAIL_TEXT_BORROW_GUARD_SEND_WHY
                     : FERRITE_DETAIL_TEXT_BORROW_GUARD_SYNC_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_BORROW_GUARD_WAY_OUT);
  } else if constexpr (kind == Rule::kLockGuardSend) {
    rule.append(FERRITE_DETAIL_TEXT_LOCK_GUARD_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_LOCK_GUARD_WAY_OUT);
  } else if constexpr (kind == Rule::kReceiverSync) {
    rule.append(FERRITE_DETAIL_TEXT_RECEIVER_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_RECEIVER_WAY_OUT);
  } else if constexpr (kind == Rule::kSliceSend) {
    rule.append(FERRITE_DETAIL_TEXT_SLICE_WHY ", and ");
    suggest(way_out, FERRITE_DETAIL_TEXT_SLICE_WAY_OUT);
    explain_nested<Element<T>, Trait::kSync>(rule, way_out);
  } else if constexpr (kind == Rule::kSharedLock) {
    rule.append(FERRITE_DETAIL_TEXT_SHARED_LOCK_WHY ", and ");
    if constexpr (Send<Element<T>>) suggest(way_out, FERRITE_DETAIL_TEXT_SHARED_LOCK_WAY_OUT);
    explain_send_and_sync<Element<T>>(rule, way_out);
  } else if constexpr (kind == Rule::kNeedsSend) {
    rule.append(FERRITE_DETAIL_TEXT_NEEDS_SEND_WHY ", and ");
    explain_nested<Element<T>, Trait::kSend>(rule, way_out);
  } else if constexpr (kind == Rule::kHolder && std::is_array_v<T>) {
    rule.append("an array is ").append(name).append(" only when its elements are, and ");
    explain_nested<std::remove_extent_t<T>, trait>(rule, way_out);
  } else if constexpr (kind == Rule::kHolder) {
    rule.append("it is ").append(name).append(" only when what it holds is, and ");
    explain_first_failing<trait>(TypeArguments<T>{}, rule, way_out, "");
  } else if constexpr (kind == Rule::kNotSendBase) {
    rule.append("it " FERRITE_DETAIL_TEXT_DERIVES_FROM("NotSend"));
    suggest(way_out, FERRITE_DETAIL_TEXT_KEEP_ON_THREAD);
  } else if constexpr (kind == Rule::kNotSyncBase) {
    rule.append("it " FERRITE_DETAIL_TEXT_DERIVES_FROM("NotSync"));
    suggest(way_out, FERRITE_DETAIL_TEXT_OWN_VALUE_OR_MUTEX);
  } else if constexpr (kind == Rule::kViewOf) {
    rule.append("an iterator of a ferrite range is ")
        .append(name)
        .append(" only when the view it yields is, and ");
    explain_nested<typename T::send_sync_as, trait>(rule, way_out);
  } else if constexpr (kind == Rule::kMutableField) {
    rule.append(FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WHY);
    suggest(way_out, FERRITE_DETAIL_TEXT_MUTABLE_FIELD_WAY_OUT);
  } else if constexpr (kind == Rule::kAggregate) {
    rule.append(send ? FERRITE_DETAIL_TEXT_AGGREGATE("Send")
                     : FERRITE_DETAIL_TEXT_AGGREGATE("Sync"))
        .append(", and ");
    explain_first_failing<trait>(FieldTypes<T>{}, rule, way_out, "field #");
  } else if constexpr (send && requires { SendTrait<T>::reason; }) {
    rule.append(SendTrait<T>::reason);
    if constexpr (requires { SendTrait<T>::way_out; }) suggest(way_out, SendTrait<T>::way_out);
  } else if constexpr (!send && requires { SyncTrait<T>::reason; }) {
    rule.append(SyncTrait<T>::reason);
    if constexpr (requires { SyncTrait<T>::way_out; }) suggest(way_out, SyncTrait<T>::way_out);
  } else {
    rule.append(send ? "its " FERRITE_DETAIL_TEXT_SPECIALIZED("Send")
                     : "its " FERRITE_DETAIL_TEXT_SPECIALIZED("Sync"));
  }
}

// "<where>: <T> is not <trait>: <rule>; <way out>" — or "<T> is <trait>"
// when it is.
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

}  // namespace ferrite::detail
