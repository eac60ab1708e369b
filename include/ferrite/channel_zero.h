// ferrite/channel_zero.h — internal: the rendezvous flavor of ferrite::channel
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
// which the partner frees after the exchange. `ready` (release/acquire)
// hands the packet's contents from one side to the other.
#pragma once

#include <atomic>
#include <expected>
#include <memory>
#include <optional>
#include <utility>

#include "ferrite/channel_context.h"
#include "ferrite/channel_error.h"
#include "ferrite/channel_token.h"
#include "ferrite/channel_waker.h"
#include "ferrite/mutex.h"
#include "ferrite/thread_annotations.h"

namespace ferrite::detail {

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
    if (std::optional<WakerEntry> receiver = inner_.receivers.try_select()) {
      token.zero.packet = receiver->packet;
      return true;
    }
    token.zero.packet = nullptr;
    return inner_.is_disconnected;
  }

  bool write(Token& token, T& msg) noexcept {
    if (token.zero.packet == nullptr) return false;
    // The token's packet is a Packet of this channel, registered by the
    // receiver we selected; it waits for `ready` before touching it.
    Packet* packet = static_cast<Packet*>(token.zero.packet);
    packet->msg.emplace(std::move(msg));
    // ORDERING(channel-zero-write-ready): release pairs with the acquire load
    // in Packet::wait_ready(): the receiver sees the message. After this
    // store the packet may be gone (the receiver frees or leaves it).
    packet->ready.store(true, std::memory_order_release);
    return true;
  }

  // Finds a waiting sender. False: none. True with a null packet in the
  // token: disconnected.
  bool start_recv(Token& token) noexcept {
    ChannelLock guard(lock_);
    if (std::optional<WakerEntry> sender = inner_.senders.try_select()) {
      token.zero.packet = sender->packet;
      return true;
    }
    token.zero.packet = nullptr;
    return inner_.is_disconnected;
  }

  template <class E>
  std::expected<T, E> read(Token& token, E disconnected) noexcept {
    if (token.zero.packet == nullptr) return std::unexpected(disconnected);
    // The token's packet is a Packet of this channel, registered by the
    // sender we selected.
    Packet* packet = static_cast<Packet*>(token.zero.packet);
    if (packet->on_stack) {
      // A blocked send(): the message was in the packet before it was
      // registered (the waker's lock published it). The sender waits for
      // `ready`, then leaves and its packet dies: touch nothing after it.
      std::expected<T, E> result(std::in_place, std::move(*packet->msg));
      // ORDERING(channel-zero-read-ready): release pairs with the acquire
      // load in the sender's Packet::wait_ready(): we are done with its packet.
      packet->ready.store(true, std::memory_order_release);
      return result;
    }
    // A Select's send: wait for its op.send() to write, then free the packet.
    packet->wait_ready();
    std::expected<T, E> result(std::in_place, std::move(*packet->msg));
    delete packet;
    return result;
  }

  std::expected<void, TrySendError<T>> try_send(T&& msg) noexcept {
    Token token;
    if (!start_send(token))
      return std::unexpected(TrySendError<T>(TrySendErrorKind::Full, std::move(msg)));
    if (write(token, msg)) return {};
    return std::unexpected(TrySendError<T>(TrySendErrorKind::Disconnected, std::move(msg)));
  }

  std::expected<void, SendTimeoutError<T>> send(T&& msg, Deadline deadline) {
    Token token;
    ChannelLock guard(lock_);
    if (std::optional<WakerEntry> receiver = inner_.receivers.try_select()) {
      guard.unlock();
      token.zero.packet = receiver->packet;
      write(token, msg);
      return {};
    }
    if (inner_.is_disconnected) {
      return std::unexpected(
          SendTimeoutError<T>(SendTimeoutErrorKind::Disconnected, std::move(msg)));
    }
    const ContextLease lease;
    const Context& cx = lease.context();
    const Operation oper = operation_hook(&token);
    Packet packet(/*on_stack=*/true);
    inner_.senders.register_with_packet(oper, &packet, cx);  // may throw: msg untouched
    packet.msg.emplace(std::move(msg));  // published by the lock, before any receiver looks
    inner_.receivers.notify();
    guard.unlock();
    const Selected sel = cx.wait_until(deadline);
    if (sel.is_operation()) {
      packet.wait_ready();  // the receiver took the message
      return {};
    }
    unregister_sender(oper);
    return std::unexpected(SendTimeoutError<T>(sel == Selected::aborted()
                                                   ? SendTimeoutErrorKind::Timeout
                                                   : SendTimeoutErrorKind::Disconnected,
                                               std::move(*packet.msg)));
  }

  std::expected<T, TryRecvError> try_recv() noexcept {
    Token token;
    if (!start_recv(token)) return std::unexpected(TryRecvError::Empty);
    return read(token, TryRecvError::Disconnected);
  }

  std::expected<T, RecvTimeoutError> recv(Deadline deadline) {
    Token token;
    ChannelLock guard(lock_);
    if (std::optional<WakerEntry> sender = inner_.senders.try_select()) {
      guard.unlock();
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
    const Selected sel = cx.wait_until(deadline);
    if (sel.is_operation()) {
      packet.wait_ready();  // the sender wrote the message
      return std::expected<T, RecvTimeoutError>(std::in_place, std::move(*packet.msg));
    }
    unregister_receiver(oper);
    return std::unexpected(sel == Selected::aborted() ? RecvTimeoutError::Timeout
                                                      : RecvTimeoutError::Disconnected);
  }

  std::size_t len() const noexcept { return 0; }
  // How long a Select may block for this channel (only timers limit it).
  Deadline deadline_hint() const noexcept { return kNoDeadline; }
  std::optional<std::size_t> capacity() const noexcept { return 0; }
  bool is_empty() const noexcept { return true; }
  bool is_full() const noexcept { return true; }
  bool is_disconnected() const noexcept {
    ChannelLock guard(lock_);
    return inner_.is_disconnected;
  }

  void disconnect_senders() noexcept { disconnect(); }
  void disconnect_receivers() noexcept { disconnect(); }

  // Select support: a Select registers an empty packet on the heap.
  bool register_select(Operation oper, const Context& cx, bool sending) {
    auto packet = std::make_unique<Packet>(/*on_stack=*/false);
    ChannelLock guard(lock_);
    Waker& mine = sending ? inner_.senders : inner_.receivers;
    Waker& theirs = sending ? inner_.receivers : inner_.senders;
    mine.register_with_packet(oper, packet.get(), cx);
    packet.release();  // now owned by the entry: freed by unregister or the partner
    theirs.notify();
    return theirs.can_select() || inner_.is_disconnected;
  }
  void unregister_select(Operation oper, bool sending) noexcept {
    std::optional<WakerEntry> entry = sending ? unregister_sender(oper) : unregister_receiver(oper);
    // The entry was still registered, so no partner took its heap packet.
    if (entry) delete static_cast<Packet*>(entry->packet);
  }
  bool is_ready(bool sending) const noexcept {
    ChannelLock guard(lock_);
    const Waker& theirs = sending ? inner_.receivers : inner_.senders;
    return theirs.can_select() || inner_.is_disconnected;
  }
  bool watch(Operation oper, const Context& cx, bool sending) {
    ChannelLock guard(lock_);
    (sending ? inner_.senders : inner_.receivers).watch(oper, cx);
    const Waker& theirs = sending ? inner_.receivers : inner_.senders;
    return theirs.can_select() || inner_.is_disconnected;
  }
  void unwatch(Operation oper, bool sending) noexcept {
    ChannelLock guard(lock_);
    (sending ? inner_.senders : inner_.receivers).unwatch(oper);
  }

 private:
  struct Packet {
    explicit Packet(bool stack) noexcept : on_stack(stack) {}
    const bool on_stack;
    std::atomic<bool> ready{false};
    std::optional<T> msg;

    void wait_ready() const noexcept {
      Backoff backoff;
      // ORDERING(channel-zero-wait-ready): acquire pairs with the release
      // stores of `ready` in write() and read(): the partner's access to the
      // message happens before ours.
      while (!ready.load(std::memory_order_acquire)) backoff.snooze();
    }
  };

  struct Inner {
    Waker senders;
    Waker receivers;
    bool is_disconnected = false;
  };

  std::optional<WakerEntry> unregister_sender(Operation oper) noexcept {
    ChannelLock guard(lock_);
    return inner_.senders.unregister(oper);
  }
  std::optional<WakerEntry> unregister_receiver(Operation oper) noexcept {
    ChannelLock guard(lock_);
    return inner_.receivers.unregister(oper);
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

}  // namespace ferrite::detail
