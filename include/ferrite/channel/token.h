// ferrite/channel/token.h — internal: the two halves of a channel operation
// and the interface Select drives (crossbeam-channel's select.rs: Token and
// SelectHandle).
//
// Not part of the public API (everything is in ferrite::detail).
//
// Every operation runs in two steps. *Start* (start_send / start_recv, or a
// SelectHandle's try_select / accept) claims the right to complete it and
// records what it claimed in a Token: a reserved slot (array), a slot in a
// block (list), a partner's packet (zero), a delivery time (timers). A null
// claim means "the channel is disconnected". *Finish* (write / read) then
// moves the message. Nothing can fail between the two steps, which is why a
// Select may hand the second step to the caller (SelectedOperation).
#pragma once

#include <cstddef>
#include <expected>
#include <optional>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel_error.h"
#include "ferrite/detail/deadline.h"

namespace ferrite::detail {

struct Token {
  struct Array {
    void* slot = nullptr;   // the reserved ArrayChannel<T>::Slot, or null: disconnected
    std::size_t stamp = 0;  // the stamp to publish when the step finishes
  } array;
  struct List {
    void* block = nullptr;  // the ListChannel<T>::Block of the slot, or null: disconnected
    std::size_t offset = 0;
  } list;
  struct Zero {
    void* packet = nullptr;  // the partner's ZeroChannel<T>::Packet, or null: disconnected
  } zero;
  struct Timer {
    std::optional<Deadline> delivery;  // the time delivered by at/tick, or null: disconnected
  } timer;
};

// The room a Select keeps for its copy of one channel end (see
// SelectHandle::copy_into): every Sender<T>/Receiver<T> fits, which
// ChannelEnd checks at compile time.
inline constexpr std::size_t kSelectCopySize = 4 * sizeof(void*);
inline constexpr std::size_t kSelectCopyAlign = alignof(void*);

// One side (send or receive) of one channel, as Select sees it. Channel
// ends implement it for their flavor.
class SelectHandle {
 public:
  // Starts the operation if it can proceed without blocking.
  virtual bool try_select(Token& token) const = 0;
  // As try_select, except where the operation's channel is locked by another
  // thread at this moment (a rendezvous channel keeps its state under a
  // lock): then it gives up at once and sets `busy`, so that a Select can
  // try its other operations before it waits for that lock. Never busy for
  // the lock-free flavors.
  virtual bool try_select_unless_busy(Token& token, bool& busy) const = 0;
  // The latest time the select may block for this operation (timers), or kNoDeadline.
  virtual Deadline deadline() const noexcept = 0;
  // Registers `oper` to be selected when the operation may proceed; returns
  // whether it may already proceed (then the caller aborts its wait).
  virtual bool register_op(Operation oper, const Context& cx) const = 0;
  virtual void unregister(Operation oper) const noexcept = 0;
  // Starts the operation after `oper` was selected; false if it was lost to
  // another thread in the meantime.
  virtual bool accept(Token& token, const Context& cx) const = 0;
  // Whether the operation could proceed now (for ready()).
  virtual bool is_ready() const = 0;
  // As register_op / unregister, as an observer (for ready()).
  virtual bool watch(Operation oper, const Context& cx) const = 0;
  virtual void unwatch(Operation oper) const noexcept = 0;

  // A Select keeps its own copy of every end it was given, so that the end
  // itself may go first (crossbeam borrows the end; C++ cannot make the
  // caller keep it). copy_into constructs a copy of this end (another
  // counted handle of its channel) in `storage`, uninitialized storage of at
  // least kSelectCopySize bytes aligned to kSelectCopyAlign, and returns it;
  // destroy_copy destroys an end that copy_into made.
  virtual SelectHandle* copy_into(void* storage) const = 0;
  virtual void destroy_copy() noexcept = 0;
  // A loan instead of a copy (no count: see Counter): as copy_into, but the
  // copy is not counted, and `key` is set to the loan's key. Returns null
  // (and constructs nothing) for an end that cannot be lent (a timer,
  // never(), a moved-from end). A loan is never destroyed: it holds no
  // count, so its destructor would only release a count it does not hold;
  // the Select ends its lifetime by reusing or freeing its storage (no
  // virtual call per operation when a Select ends). release_handed releases
  // the count that the side's last release handed to the loan (see
  // select_loan_takes_over).
  virtual SelectHandle* loan_into(void* storage, const void*& key) const = 0;
  virtual void release_handed() const noexcept = 0;
  // Identifies the channel (SelectedOperation compares it with the end it is
  // given); never dereferenced.
  virtual const void* channel_id() const noexcept = 0;

 protected:
  SelectHandle() = default;
  SelectHandle(const SelectHandle&) = default;
  SelectHandle& operator=(const SelectHandle&) = default;
  ~SelectHandle() = default;
};

// try_send / try_recv of the buffer flavors (array, list, zero), built from
// a flavor's two steps as Select builds its operations: start (claim a slot
// or a partner; false: full or empty), then finish (false or an error: the
// token says disconnected).
template <class T, class Chan>
std::expected<void, TrySendError<T>> try_send_via(Chan& chan, T&& msg) {
  Token token;
  if (!chan.start_send(token)) {
    return std::unexpected(TrySendError<T>(TrySendErrorKind::Full, std::move(msg)));
  }
  if (chan.write(token, msg)) return {};
  return std::unexpected(TrySendError<T>(TrySendErrorKind::Disconnected, std::move(msg)));
}

template <class T, class Chan>
std::expected<T, TryRecvError> try_recv_via(Chan& chan) noexcept {
  Token token;
  if (!chan.start_recv(token)) return std::unexpected(TryRecvError::Empty);
  return chan.read(token, TryRecvError::Disconnected);
}

}  // namespace ferrite::detail
