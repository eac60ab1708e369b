// ferrite/channel/end.h — internal: what channel::Sender<T> and
// channel::Receiver<T> share (crossbeam-channel's Sender/Receiver enums over
// the flavors).
//
// Not part of the public API (everything is in ferrite::detail); the
// contract of the members is documented with Sender and Receiver in
// ferrite/channel.h.
//
// A channel end holds one of its flavors' sides (ArraySender<T>,
// ZeroReceiver<T>, ...: each defined in its flavor's file) in a
// std::variant. Every operation is one visit of that variant: the side's
// operator-> reaches the channel for send/recv and the snapshots, and the
// side itself answers what Select asks (try_select, register_op, ...). No
// flavor is named outside its file but in the two variants below.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "ferrite/channel/array.h"
#include "ferrite/channel/context.h"
#include "ferrite/channel/list.h"
#include "ferrite/channel/timer.h"
#include "ferrite/channel/token.h"
#include "ferrite/channel/zero.h"
#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

// The flavors' sides (each in its flavor's file) that a Sender<T> or a
// Receiver<T> may hold: a counted reference to the channel (operator->
// reaches the channel's send/recv), plus the operations Select drives.
template <class T>
using SenderFlavor = std::variant<ArraySender<T>, ListSender<T>, ZeroSender<T>>;

template <class T>
using ReceiverFlavor =
    std::conditional_t<std::is_same_v<T, channel::Instant>,
                       std::variant<ArrayReceiver<T>, ListReceiver<T>, ZeroReceiver<T>,
                                    TimerReceiver<AtChannel>, TimerReceiver<TickChannel>,
                                    NeverReceiver<T>>,
                       std::variant<ArrayReceiver<T>, ListReceiver<T>, ZeroReceiver<T>,
                                    NeverReceiver<T>>>;

// What Sender<T> (End) and Receiver<T> share: the flavor they hold, the
// snapshots, clone/same_channel, and the select handle, whose every
// operation is one visit of the flavor's side.
template <class End, class Flavor>
class ChannelEnd : private SelectHandle {
 public:
  bool is_empty() const {
    return visit([](const auto& side) { return side->is_empty(); });
  }
  bool is_full() const {
    return visit([](const auto& side) { return side->is_full(); });
  }
  std::size_t len() const {
    return visit([](const auto& side) { return side->len(); });
  }
  std::optional<std::size_t> capacity() const {
    return visit([](const auto& side) { return side->capacity(); });
  }

  End clone() const { return static_cast<const End&>(*this); }
  bool same_channel(const End& other) const noexcept {
    const ChannelEnd& theirs = other;
    return flavor_.index() == theirs.flavor_.index() &&
           visit([&](const auto& mine) {
             return mine.same(std::get<std::decay_t<decltype(mine)>>(theirs.flavor_));
           });
  }

 protected:
  explicit ChannelEnd(Flavor flavor) noexcept : flavor_(std::move(flavor)) {}
  // A Select's loan of `other` (see loan_into): the same side, not counted.
  ChannelEnd(LoanTag tag, const ChannelEnd& other) noexcept
      : flavor_(other.visit([&](const auto& side) {
          using Side = std::decay_t<decltype(side)>;
          if constexpr (std::is_constructible_v<Side, LoanTag, const Side&>) {
            return Flavor(std::in_place_type<Side>, tag, side);
          } else {
            return Flavor(std::in_place_type<Side>, side);  // not lent (loan_into)
          }
        })) {}
  ChannelEnd(const ChannelEnd&) = default;
  ChannelEnd(ChannelEnd&&) noexcept = default;
  ChannelEnd& operator=(const ChannelEnd&) = default;
  ChannelEnd& operator=(ChannelEnd&&) noexcept = default;
  ~ChannelEnd() = default;

  // Calls `f(side)` with the flavor's side.
  template <class F>
  decltype(auto) visit(F&& f) const {
    return std::visit(std::forward<F>(f), flavor_);
  }

  const SelectHandle& select_handle() const noexcept { return *this; }

  // Identifies this end's channel (SelectedOperation compares it with the
  // selected one's); never dereferenced.
  const void* channel_id() const noexcept final {
    return visit([](const auto& side) { return side.channel_id(); });
  }

 private:
  bool try_select(Token& token) const override {
    return visit([&](const auto& side) { return side.try_select(token); });
  }
  bool try_select_unless_busy(Token& token, bool& busy) const override {
    return visit([&](const auto& side) {
      if constexpr (requires { side.try_select_unless_busy(token, busy); }) {
        return side.try_select_unless_busy(token, busy);
      } else {
        return side.try_select(token);
      }
    });
  }
  Deadline deadline() const noexcept override {
    return visit([](const auto& side) { return side.deadline(); });
  }
  bool register_op(Operation oper, const Context& cx) const override {
    return visit([&](const auto& side) { return side.register_op(oper, cx); });
  }
  void unregister(Operation oper) const noexcept override {
    visit([&](const auto& side) { side.unregister(oper); });
  }
  bool accept(Token& token, const Context& cx) const override {
    return visit([&](const auto& side) { return side.accept(token, cx); });
  }
  bool is_ready() const override {
    return visit([](const auto& side) { return side.is_ready(); });
  }
  bool watch(Operation oper, const Context& cx) const override {
    return visit([&](const auto& side) { return side.watch(oper, cx); });
  }
  void unwatch(Operation oper) const noexcept override {
    visit([&](const auto& side) { side.unwatch(oper); });
  }
  SelectHandle* copy_into(void* storage) const override {
    static_assert(sizeof(End) <= kSelectCopySize && alignof(End) <= kSelectCopyAlign,
                  "a channel end no longer fits in a Select's copy storage: raise kSelectCopySize");
    // SAFETY(select-copy-construct): by copy_into's contract `storage` is
    // uninitialized, at least kSelectCopySize bytes and kSelectCopyAlign
    // aligned, which holds an End (static_assert above); the copy is
    // destroyed by destroy_copy() before the storage is reused or freed.
    End* copy = std::construct_at(static_cast<End*>(storage), static_cast<const End&>(*this));
    return static_cast<ChannelEnd*>(copy);
  }
  void destroy_copy() noexcept override {
    // SAFETY(select-copy-destroy): only called (by Select, once per copy) on
    // an End that copy_into constructed in storage Select owns; nothing uses
    // the copy afterwards.
    std::destroy_at(static_cast<End*>(this));
  }

  SelectHandle* loan_into(void* storage, const void*& key) const override {
    key = visit([](const auto& side) -> const void* {
      if constexpr (requires { side.lend(); }) {
        return side.lend();
      } else {
        return nullptr;  // timers and never() are not lent
      }
    });
    if (key == nullptr) return nullptr;
    // SAFETY(select-loan-construct): as select-copy-construct: `storage` is
    // uninitialized, at least kSelectCopySize bytes and kSelectCopyAlign
    // aligned (copy_into's static_assert covers End). The loan is never
    // destroyed (SelectHandle::loan_into): its counted reference holds no
    // count, so the destructor's release must not run, and no other side
    // effect of it is wanted; the Select ends the loan's lifetime by reusing
    // or freeing the storage once it no longer uses the loan.
    End* loan = ::new (storage) End(LoanTag{}, static_cast<const End&>(*this));
    return static_cast<ChannelEnd*>(loan);
  }
  void release_handed() const noexcept override {
    visit([](const auto& side) {
      if constexpr (requires { side.release_handed(); }) side.release_handed();
    });
  }

  Flavor flavor_;
};

}  // namespace ferrite::detail
