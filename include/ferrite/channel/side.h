// ferrite/channel/side.h — internal: what the send and receive sides of the
// counted flavors (array, list, zero) have in common.
//
// Not part of the public API (everything is in ferrite::detail).
//
// A side is one counted sender or receiver of a channel, and the select
// handle that Select drives for it (crossbeam's `impl SelectHandle for
// Sender<'_, T>` / `Receiver<'_, T>` in each flavors/*.rs). Each flavor file
// says what its sides are; the parts that are the same everywhere live here:
//
//   ChannelSide<C, kSender>   the count, no deadline of its own (only timers
//                             have one), and the transfer once a Select has
//                             won a token: write_selected on a sender,
//                             read_selected on a receiver.
//   WaitListSide<C, kSender>  the whole select handle of a side that waits in
//                             one of the channel's SyncWaker lists (array's
//                             two sides, list's receiver): ready when the
//                             channel says so, registered in its list.
#pragma once

#include <expected>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/token.h"
#include "ferrite/channel/waker.h"
#include "ferrite/channel_error.h"
#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

template <class C, bool kSender>
class ChannelSide : public CounterRef<C, kSender> {
 public:
  explicit ChannelSide(CounterRef<C, kSender> ref) noexcept
      : CounterRef<C, kSender>(std::move(ref)) {}
  // A Select's loan of `other` (not counted; see CounterRef).
  ChannelSide(LoanTag tag, const ChannelSide& other) noexcept
      : CounterRef<C, kSender>(tag, other) {}

  Deadline deadline() const noexcept { return kNoDeadline; }

  // Completes a send that try_select()/accept() claimed into `token`.
  template <class T>
  requires kSender
  bool write_selected(Token& token, T& msg) const { return (*this)->write(token, msg); }

  // Completes a receive that try_select()/accept() claimed into `token`.
  auto read_selected(Token& token) const
  requires(!kSender)
  {
    return (*this)->read(token, RecvError{});
  }
};

// The channel C names its lists and readiness per side: senders() /
// receivers(), send_is_ready() / recv_is_ready(), start_send() / start_recv().
template <class C, bool kSender>
class WaitListSide : public ChannelSide<C, kSender> {
 public:
  using ChannelSide<C, kSender>::ChannelSide;

  bool try_select(Token& token) const { return start(token); }
  bool accept(Token& token, const Context&) const { return start(token); }
  bool is_ready() const {
    if constexpr (kSender) {
      return (*this)->send_is_ready();
    } else {
      return (*this)->recv_is_ready();
    }
  }
  // Registered (or watching), the side is woken when the channel changes;
  // the readiness read after registering closes the race with that change.
  bool register_op(Operation oper, const Context& cx) const {
    waiters().register_op(oper, cx);
    return is_ready();
  }
  void unregister(Operation oper) const noexcept { waiters().unregister(oper); }
  bool watch(Operation oper, const Context& cx) const {
    waiters().watch(oper, cx);
    return is_ready();
  }
  void unwatch(Operation oper) const noexcept { waiters().unwatch(oper); }

 private:
  bool start(Token& token) const {
    if constexpr (kSender) {
      return (*this)->start_send(token);
    } else {
      return (*this)->start_recv(token);
    }
  }
  SyncWaker& waiters() const {
    if constexpr (kSender) {
      return (*this)->senders();
    } else {
      return (*this)->receivers();
    }
  }
};

}  // namespace ferrite::detail
