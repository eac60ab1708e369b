// ferrite/channel/zero.h — internal: the rendezvous flavor of ferrite::channel
// (crossbeam-channel's flavors/zero.rs).
//
// Not part of the public API (everything is in ferrite::detail); reached
// through channel::bounded(0) and mpsc::sync_channel(0).
//
// No buffer: a message passes directly from a sender to a receiver through a
// *packet*. A thread that finds no partner registers itself, with a packet,
// in the `senders` or `receivers` Waker (both under one lock) and waits; a
// partner that arrives selects it and exchanges the message through its
// packet. A blocking send or receive keeps its packet on its stack (the
// sender's holds the message); a Select registers an empty packet on the heap,
// which the partner frees after the exchange. The packet's `state`
// (release/acquire) hands its contents from one side to the other; a side
// that waits long for it (a Select's sender must first wake up) parks.
#pragma once

#include <atomic>
#include <cstdint>
#include <expected>
#include <memory>
#include <new>
#include <optional>
#include <thread>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/lock.h"
#include "ferrite/channel/side.h"
#include "ferrite/channel_error.h"
#include "ferrite/channel/token.h"
#include "ferrite/channel/wait.h"
#include "ferrite/channel/waker.h"
#include "ferrite/mutex.h"
#include "ferrite/detail/thread_annotations.h"

namespace ferrite::detail {

template <class T, bool kSender>
class ZeroSide;

template <class T>
class ZeroChannel {
 public:
  ZeroChannel() = default;
  ZeroChannel(const ZeroChannel&) = delete;
  ZeroChannel& operator=(const ZeroChannel&) = delete;

  // Finds a waiting receiver. False: none. True with a null packet in the
  // token: disconnected.
  bool start_send(Token& token) noexcept {
    ChannelLock guard(lock_);
    return start_send_locked(token);
  }

  // As start_send(), unless another thread holds the channel's lock right
  // now: then it returns false at once with `busy` set (a Select tries its
  // other operations before it waits for this one's lock).
  bool try_start_send(Token& token, bool& busy) noexcept {
    if (!lock_unless_busy(busy)) return false;
    ChannelLock guard(lock_, kAdoptLock);
    return start_send_locked(token);
  }

  bool write(Token& token, T& msg) noexcept {
    if (token.zero.packet == nullptr) return false;
    // SAFETY(channel-zero-write-token): the token's packet is a live Packet of
    // this channel, registered by the receiver we selected; it waits for
    // `ready` before touching it.
    Packet* packet = static_cast<Packet*>(token.zero.packet);
    packet->msg.emplace(std::move(msg));
    packet->mark_ready();  // the receiver sees the message; the packet may be gone after
    return true;
  }

  // Finds a waiting sender. False: none. True with a null packet in the
  // token: disconnected.
  bool start_recv(Token& token) noexcept {
    ChannelLock guard(lock_);
    return start_recv_locked(token);
  }

  // As start_recv(), unless another thread holds the channel's lock right
  // now (see try_start_send).
  bool try_start_recv(Token& token, bool& busy) noexcept {
    if (!lock_unless_busy(busy)) return false;
    ChannelLock guard(lock_, kAdoptLock);
    return start_recv_locked(token);
  }

  template <class E>
  std::expected<T, E> read(Token& token, E disconnected) noexcept {
    if (token.zero.packet == nullptr) return std::unexpected(disconnected);
    // SAFETY(channel-zero-read-token): the token's packet is a live Packet of
    // this channel, registered by the sender we selected.
    Packet* packet = static_cast<Packet*>(token.zero.packet);
    if (packet->on_stack) {
      // A blocked send(): the message was in the packet before it was
      // registered (the waker's lock published it). The sender waits for
      // `ready`, then leaves and its packet dies: touch nothing after it.
      std::expected<T, E> result(std::in_place, std::move(*packet->msg));
      packet->mark_ready();  // we are done with the sender's packet
      return result;
    }
    // A Select's send: wait for its op.send() to write, then free the packet.
    // That thread may still be waking up: it must be scheduled itself, so
    // sleep rather than spin for long (ferrite/channel/wait.h).
    // If it registered on the CPU we run on, it is most likely queued behind
    // us there and cannot write while we spin: block at once.
    PollWait poll = PollWait::for_handoff();
    if (packet->home.is(current_cpu())) poll.partner_shares_cpu();
    packet->wait_ready(nullptr, poll);
    std::expected<T, E> result(std::in_place, std::move(*packet->msg));
    // SAFETY(channel-zero-read-free): a heap packet (not on_stack) is
    // allocated with new by a Select's sender, which forgets it once
    // selected; its `ready` was seen above, so the sender is done with it.
    delete packet;
    return result;
  }

  std::expected<void, TrySendError<T>> try_send(T&& msg) noexcept {
    return try_send_via<T>(*this, std::move(msg));
  }

  std::expected<void, SendTimeoutError<T>> send(T&& msg, Deadline deadline) {
    Token token;
    ChannelLock guard(lock_);
    // A waiting receiver gets the message in its packet before the selection
    // wakes it, so it need not wait for us again. A receiver that aborted
    // meanwhile hands it back.
    std::optional<T> handed_back;
    const auto offer = [&](const WakerEntry& receiver) noexcept {
      // SAFETY(channel-zero-offer-receiver): a registered entry's packet is a
      // live Packet of this channel until the entry is selected.
      Packet& packet = *static_cast<Packet*>(receiver.packet);
      packet.msg.emplace(handed_back ? std::move(*handed_back) : std::move(msg));
      handed_back.reset();
      packet.mark_ready_unselected();
    };
    const auto withdraw = [&](const WakerEntry& receiver) noexcept {
      // SAFETY(channel-zero-withdraw-receiver): a registered entry's packet is
      // a live Packet of this channel until the entry is selected.
      Packet& packet = *static_cast<Packet*>(receiver.packet);
      handed_back.emplace(std::move(*packet.msg));
      packet.msg.reset();
      packet.reset_unselected();
    };
    if (inner_.receivers.try_select_offering(offer, withdraw)) return {};
    T& message = handed_back ? *handed_back : msg;  // where our message is now
    if (inner_.is_disconnected) {
      return std::unexpected(
          SendTimeoutError<T>(SendTimeoutErrorKind::Disconnected, std::move(message)));
    }
    const ContextLease lease;
    const Context& cx = lease.context();
    const Operation oper = operation_hook(&token);
    Packet packet(/*on_stack=*/true);
    inner_.senders.register_with_packet(oper, &packet, cx);  // may throw: message untouched
    packet.msg.emplace(std::move(message));  // published by the lock, before any receiver looks
    inner_.receivers.notify();
    guard.unlock();
    // A receiver takes the message before it selects us.
    const Selected sel = cx.wait_until(deadline, PollWait::for_completion());
    if (sel.is_operation()) {
      packet.wait_ready(&cx);  // the receiver took the message
      return {};
    }
    unregister_from(kSenders, oper);
    return std::unexpected(SendTimeoutError<T>(sel == Selected::aborted()
                                                   ? SendTimeoutErrorKind::Timeout
                                                   : SendTimeoutErrorKind::Disconnected,
                                               std::move(*packet.msg)));
  }

  std::expected<T, TryRecvError> try_recv() noexcept { return try_recv_via<T>(*this); }

  std::expected<T, RecvTimeoutError> recv(Deadline deadline) {
    Token token;
    ChannelLock guard(lock_);
    // A sender blocked in send() has its message in its packet: take it before
    // the selection wakes the sender, so it need not wait for us again. (A
    // Select's sender writes only after it is selected: read() waits for it.)
    std::optional<T> taken;
    const auto offer = [&](const WakerEntry& sender) noexcept {
      // SAFETY(channel-zero-offer-sender): a registered entry's packet is a
      // live Packet of this channel until the entry is selected.
      Packet& packet = *static_cast<Packet*>(sender.packet);
      if (!packet.on_stack) return;
      taken.emplace(std::move(*packet.msg));
      packet.mark_ready_unselected();
    };
    const auto withdraw = [&](const WakerEntry& sender) noexcept {
      // SAFETY(channel-zero-withdraw-sender): a registered entry's packet is
      // a live Packet of this channel until the entry is selected.
      Packet& packet = *static_cast<Packet*>(sender.packet);
      if (!packet.on_stack) return;
      packet.msg.emplace(std::move(*taken));  // it aborted: give the message back
      taken.reset();
      packet.reset_unselected();
    };
    if (std::optional<WakerEntry> sender = inner_.senders.try_select_offering(offer, withdraw)) {
      guard.unlock();
      if (taken) return std::expected<T, RecvTimeoutError>(std::in_place, std::move(*taken));
      token.zero.packet = sender->packet;
      return read(token, RecvTimeoutError::Disconnected);
    }
    if (inner_.is_disconnected) return std::unexpected(RecvTimeoutError::Disconnected);
    const ContextLease lease;
    const Context& cx = lease.context();
    const Operation oper = operation_hook(&token);
    Packet packet(/*on_stack=*/true);
    inner_.receivers.register_with_packet(oper, &packet, cx);
    inner_.senders.notify();
    guard.unlock();
    // A sender writes the message before (send()) or right after (a
    // Select's op.send()) it selects us, and then needs nothing from us.
    const Selected sel = cx.wait_until(deadline, PollWait::for_completion());
    if (sel.is_operation()) {
      packet.wait_ready(&cx);  // the sender wrote the message
      return std::expected<T, RecvTimeoutError>(std::in_place, std::move(*packet.msg));
    }
    unregister_from(kReceivers, oper);
    return std::unexpected(sel == Selected::aborted() ? RecvTimeoutError::Timeout
                                                      : RecvTimeoutError::Disconnected);
  }

  std::size_t len() const noexcept { return 0; }
  std::optional<std::size_t> capacity() const noexcept { return 0; }
  bool is_empty() const noexcept { return true; }
  bool is_full() const noexcept { return true; }
  bool is_disconnected() const noexcept {
    ChannelLock guard(lock_);
    return inner_.is_disconnected;
  }

  void disconnect_senders() noexcept { disconnect(); }
  void disconnect_receivers() noexcept { disconnect(); }

 private:
  // Takes the channel's lock if it is free; else sets `busy`.
  bool lock_unless_busy(bool& busy) noexcept FERRITE_TRY_ACQUIRE(true, lock_) {
    if (lock_.try_lock()) return true;
    busy = true;
    return false;
  }

  // start_send() and start_recv() under the lock.
  bool start_send_locked(Token& token) noexcept FERRITE_REQUIRES(lock_) {
    if (std::optional<WakerEntry> receiver = inner_.receivers.try_select()) {
      token.zero.packet = receiver->packet;
      return true;
    }
    token.zero.packet = nullptr;
    return inner_.is_disconnected;
  }

  bool start_recv_locked(Token& token) noexcept FERRITE_REQUIRES(lock_) {
    // Prefer a sender we need not wait for: a blocked send() (its message is
    // in its packet), or a Select's sender that registered on another CPU,
    // where it is likely still polling. A Select's sender registered on our
    // CPU is most likely queued behind us (see read()).
    const int cpu = current_cpu();
    const auto ready_soon = [cpu](const WakerEntry& sender) noexcept {
      // SAFETY(channel-zero-peek-sender): a registered entry's packet is a
      // live Packet of this channel while the entry stays registered (we hold
      // the lock).
      const Packet& packet = *static_cast<const Packet*>(sender.packet);
      return packet.on_stack || !packet.home.is(cpu);
    };
    if (std::optional<WakerEntry> sender = inner_.senders.try_select_preferring(ready_soon)) {
      token.zero.packet = sender->packet;
      return true;
    }
    token.zero.packet = nullptr;
    return inner_.is_disconnected;
  }

  // Where one message changes hands. `state` goes from Empty to Ready once:
  // the partner marks it Ready when the message is in (a send) or out (a
  // receive), and the thread that waits for that may first announce, with
  // Sleeping, that it parked on its context `waiter`. Once Ready, the waiting
  // side may free or leave the packet, so mark_ready touches nothing after.
  struct Packet {
    explicit Packet(bool stack, HomeCpu cpu = HomeCpu::unknown()) noexcept
        : on_stack(stack), home(cpu) {}
    const bool on_stack;
    // Where the registering thread ran when it registered: a partner that
    // must wait for it compares this with its own CPU.
    const HomeCpu home;
    std::atomic<std::uint32_t> state{kEmpty};
    std::optional<Context> waiter;  // set by the waiting side before it stores Sleeping
    std::optional<T> msg;

    static constexpr std::uint32_t kEmpty = 0;
    static constexpr std::uint32_t kReady = 1;
    static constexpr std::uint32_t kSleeping = 2;

    bool is_ready() const noexcept {
      // ORDERING(channel-zero-ready-load): acquire pairs with the release
      // compare-exchange / store of Ready in mark_ready(): the partner's
      // access to the message happens before ours.
      return state.load(std::memory_order_acquire) == kReady;
    }

    // The partner's side: the message is in (or out). Wakes the waiting side
    // if it sleeps.
    void mark_ready() noexcept {
      std::uint32_t seen = kEmpty;
      // ORDERING(channel-zero-mark-ready): release on success pairs with the
      // acquire load in is_ready(); acquire on failure pairs with the release
      // compare-exchange in wait_ready() that stored Sleeping, so `waiter`
      // is visible.
      if (state.compare_exchange_strong(seen, kReady, std::memory_order_release,
                                        std::memory_order_acquire)) {
        return;
      }
      // Sleeping: the waiting side frees nothing before it sees Ready, so the
      // packet is alive until the store below; the copy of its context keeps
      // that alive for unpark().
      const Context sleeper = *waiter;
      // ORDERING(channel-zero-wake-ready): release pairs with the acquire
      // load in is_ready(), as above.
      state.store(kReady, std::memory_order_release);
      sleeper.unpark();
    }

    // The partner's side, before the selection (Waker::try_select_offering,
    // under the channel's lock): the exchange is done by the time the
    // selection wakes the waiting side, which then finds Ready at once.
    // ORDERING(channel-zero-offer-ready): relaxed; the waiting side looks at
    // the state only after its selection, and the selecting compare-exchange
    // (acq_rel, channel-context-select) publishes this store and the message.
    void mark_ready_unselected() noexcept { state.store(kReady, std::memory_order_relaxed); }
    // Undoes mark_ready_unselected() when the selection failed (the waiting
    // side aborted and will look at its packet only after taking the lock).
    // ORDERING(channel-zero-offer-withdraw): relaxed; published by the
    // channel's lock, which the aborted side takes to unregister.
    void reset_unselected() noexcept { state.store(kEmpty, std::memory_order_relaxed); }

    // The waiting side: polls briefly with `poll`, then parks on `cx` (the
    // calling thread's context; null: borrow the thread's cached one) until
    // mark_ready(). By default the partner is runnable, mid-exchange: it
    // selected us and has only the message to move (for_completion()).
    void wait_ready(const Context* cx, PollWait poll = PollWait::for_completion()) noexcept {
      while (!is_ready()) {
        if (poll.wait()) continue;
        if (cx != nullptr) return sleep_until_ready(*cx);
        std::optional<ContextLease> lease;
        try {
          lease.emplace();
        } catch (const std::bad_alloc&) {
          while (!is_ready()) std::this_thread::yield();  // no memory to park with
          return;
        }
        return sleep_until_ready(lease->context());
      }
    }

    void sleep_until_ready(const Context& cx) noexcept {
      waiter.emplace(cx);
      std::uint32_t seen = kEmpty;
      // ORDERING(channel-zero-sleeping): release publishes `waiter` to
      // mark_ready()'s acquire; acquire on failure (Ready already) pairs with
      // mark_ready()'s release, as in is_ready().
      if (!state.compare_exchange_strong(seen, kSleeping, std::memory_order_release,
                                         std::memory_order_acquire)) {
        return;
      }
      while (!is_ready()) cx.park();  // spurious wake-ups re-check
    }
  };

  struct Inner {
    Waker senders;
    Waker receivers;
    bool is_disconnected = false;
  };

  // Select support, for ZeroSide (below). A Select's
  // operation waits in `mine` (kSenders for a send, kReceivers for a
  // receive) and its partners in `theirs`; it registers an empty packet on
  // the heap.
  using List = Waker Inner::*;
  static constexpr List kSenders = &Inner::senders;
  static constexpr List kReceivers = &Inner::receivers;
  template <class, bool>
  friend class ZeroSide;

  bool register_select(Operation oper, const Context& cx, List mine, List theirs) {
    auto packet = std::make_unique<Packet>(/*on_stack=*/false, HomeCpu::of_caller());
    ChannelLock guard(lock_);
    (inner_.*mine).register_with_packet(oper, packet.get(), cx);
    packet.release();  // now owned by the entry: freed by unregister or the partner
    (inner_.*theirs).notify();
    return (inner_.*theirs).can_select() || inner_.is_disconnected;
  }
  void unregister_select(Operation oper, List mine) noexcept {
    std::optional<WakerEntry> entry = unregister_from(mine, oper);
    // SAFETY(channel-zero-unregister-free): the entry was still registered, so
    // no partner took its packet, which a Select allocates with new.
    if (entry) delete static_cast<Packet*>(entry->packet);
  }
  // Whether a partner waits in `theirs` (or the channel is disconnected).
  bool partner_waits(List theirs) const noexcept {
    ChannelLock guard(lock_);
    return (inner_.*theirs).can_select() || inner_.is_disconnected;
  }
  bool watch_select(Operation oper, const Context& cx, List mine, List theirs) {
    ChannelLock guard(lock_);
    (inner_.*mine).watch(oper, cx);
    return (inner_.*theirs).can_select() || inner_.is_disconnected;
  }
  void unwatch_select(Operation oper, List mine) noexcept {
    ChannelLock guard(lock_);
    (inner_.*mine).unwatch(oper);
  }

  std::optional<WakerEntry> unregister_from(List list, Operation oper) noexcept {
    ChannelLock guard(lock_);
    return (inner_.*list).unregister(oper);
  }

  void disconnect() noexcept {
    ChannelLock guard(lock_);
    if (inner_.is_disconnected) return;
    inner_.is_disconnected = true;
    inner_.senders.disconnect();
    inner_.receivers.disconnect();
  }

  mutable RawMutex lock_;
  Inner inner_ FERRITE_GUARDED_BY(lock_);
};

// The sides of a rendezvous channel, as Sender<T>, Receiver<T> and Select
// use them (crossbeam's `impl SelectHandle for Sender<'_, T>` and
// `Receiver<'_, T>` in flavors/zero.rs). A side is ready while a partner of
// the other side waits (or the channel is disconnected). It waits in its own
// list (`senders` or `receivers`) with an empty packet, which the partner
// that selects it fills (a message for a receiver) or takes from (a sender's
// message) through the Select's context.
template <class T, bool kSender>
class ZeroSide : public ChannelSide<ZeroChannel<T>, kSender> {
  using Chan = ZeroChannel<T>;
  static constexpr auto kMine = kSender ? Chan::kSenders : Chan::kReceivers;
  static constexpr auto kTheirs = kSender ? Chan::kReceivers : Chan::kSenders;

 public:
  using ChannelSide<ZeroChannel<T>, kSender>::ChannelSide;

  bool try_select(Token& token) const {
    if constexpr (kSender) {
      return (*this)->start_send(token);
    } else {
      return (*this)->start_recv(token);
    }
  }
  bool try_select_unless_busy(Token& token, bool& busy) const {
    if constexpr (kSender) {
      return (*this)->try_start_send(token, busy);
    } else {
      return (*this)->try_start_recv(token, busy);
    }
  }
  bool register_op(Operation oper, const Context& cx) const {
    return (*this)->register_select(oper, cx, kMine, kTheirs);
  }
  void unregister(Operation oper) const noexcept { (*this)->unregister_select(oper, kMine); }
  bool accept(Token& token, const Context& cx) const {
    token.zero.packet = cx.wait_packet();
    return true;
  }
  bool is_ready() const { return (*this)->partner_waits(kTheirs); }
  bool watch(Operation oper, const Context& cx) const {
    return (*this)->watch_select(oper, cx, kMine, kTheirs);
  }
  void unwatch(Operation oper) const noexcept { (*this)->unwatch_select(oper, kMine); }
};

template <class T>
using ZeroSender = ZeroSide<T, true>;
template <class T>
using ZeroReceiver = ZeroSide<T, false>;

}  // namespace ferrite::detail
