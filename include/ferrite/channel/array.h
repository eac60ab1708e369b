// ferrite/channel/array.h — internal: the bounded flavor of ferrite::channel
// (crossbeam-channel's flavors/array.rs; Dmitry Vyukov's bounded MPMC queue).
//
// Not part of the public API (everything is in ferrite::detail); reached
// through channel::bounded(cap) with cap > 0.
//
// A fixed array of `cap` slots. `head` and `tail` are positions: an index
// into the array plus a *lap* counter in the higher bits (one lap is
// `one_lap` = 2 * mark_bit, where mark_bit > cap is a power of two). The
// `mark_bit` of `tail` means "disconnected". Each slot has a *stamp* that
// says whose turn the slot is. In crossbeam the stamp is a position: a slot
// at position p is free for a sender when its stamp is p, and holds a message
// for a receiver when its stamp is p + 1; the receiver then sets it to
// p + one_lap (the next lap's sender's turn). Here a slot stores that stamp
// minus its own index, which is the position's lap (free) or lap + 1 (full):
// every slot of a new channel is "lap 0, free", stamp 0, so a new buffer is
// zero-filled storage (allocate_slot_storage) instead of a store per slot.
//
// A sender claims a slot by advancing `tail` with a compare-exchange, writes
// the message, then publishes it by storing the stamp (release); a receiver
// claims by advancing `head`, moves the message out, and frees the slot by
// storing the stamp. Blocking is crossbeam's: spin with Backoff, then
// register in the `senders`/`receivers` SyncWaker and park.
#pragma once

#include <atomic>
#include <bit>
#include <chrono>
#include <cstddef>
#include <expected>
#include <memory>
#include <new>
#include <optional>
#include <type_traits>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/rmw.h"
#include "ferrite/channel/side.h"
#include "ferrite/channel_error.h"
#include "ferrite/channel/token.h"
#include "ferrite/channel/wait.h"
#include "ferrite/channel/waker.h"
#include "ferrite/panic.h"
#include "ferrite/unsafe.h"

namespace ferrite::detail {

// Zero-filled storage (calloc, or the aligned operator new and a memset for
// over-aligned slots) for `count` objects of `size` bytes aligned to `align`:
// the slots of a bounded channel, in lib/channel/array.cc. Throws
// std::bad_array_new_length when count * size overflows, std::bad_alloc when
// memory runs out.
void* allocate_slot_storage(std::size_t count, std::size_t size, std::size_t align);
// Frees what allocate_slot_storage(count, size, align) returned.
void free_slot_storage(void* storage, std::size_t count, std::size_t size,
                       std::size_t align) noexcept;

template <class T>
class ArrayChannel {
 public:
  // # Panics: cap == 0 (zero is the rendezvous flavor), or cap > SIZE_MAX / 4.
  explicit ArrayChannel(std::size_t cap)
      : cap_(cap), mark_bit_(std::bit_ceil(cap + 1)), one_lap_(mark_bit_ * 2) {
    FERRITE_ASSERT(cap > 0 && cap <= static_cast<std::size_t>(-1) / 4,
                   "ferrite::channel::bounded: capacity out of range");
    // May throw std::bad_alloc (std::bad_array_new_length when cap slots do
    // not fit in a size_t).
    // SAFETY(channel-array-alloc): Slot is an implicit-lifetime type (an
    // aggregate of a word and bytes), so storage from calloc or operator new
    // (both create such objects implicitly), sized and aligned for cap slots,
    // holds cap_ slots as soon as it is allocated, and it is zero-filled, so
    // every stamp is 0, "lap 0, free"; no constructor runs.
    buffer_ = static_cast<Slot*>(allocate_slot_storage(cap, sizeof(Slot), alignof(Slot)));
  }
  ArrayChannel(const ArrayChannel&) = delete;
  ArrayChannel& operator=(const ArrayChannel&) = delete;
  // Buffered messages were destroyed by disconnect_receivers(), which the
  // last receiver always calls before the channel can be freed; the slots
  // themselves are trivially destructible, so only the storage is left.
  ~ArrayChannel() { free_slot_storage(buffer_, cap_, sizeof(Slot), alignof(Slot)); }

  // Claims the next slot for writing. False: full. True with a null slot in
  // the token: disconnected.
  bool start_send(Token& token) noexcept { return start_send_impl<true>(token); }

  // Claims the next message. False: empty. True with a null slot in the
  // token: empty and disconnected.
  bool start_recv(Token& token) noexcept { return start_recv_impl<true>(token); }

  // Finishes a send started by start_send(). False (msg untouched): the
  // token says disconnected.
  bool write(Token& token, T& msg) noexcept {
    if (token.array.slot == nullptr) return false;
    // SAFETY(channel-array-write-token): start_send() set the token's slot
    // from a Slot of this channel, so the void* points to a live Slot.
    Slot& slot = *static_cast<Slot*>(token.array.slot);
    // SAFETY(channel-array-write): start_send's compare-exchange moved tail
    // past this slot and its stamp said it was empty, so this thread alone
    // may touch the storage until the stamp store below; T's move
    // constructor is noexcept (required by channel::bounded).
    std::construct_at(storage(slot), std::move(msg));
    // ORDERING(channel-array-write-publish): release pairs with the acquire
    // stamp loads in start_recv() and discard_all_messages(): the reader sees
    // the constructed message.
    stamp(slot).store(token.array.stamp, std::memory_order_release);
    receivers_.notify();
    return true;
  }

  // Finishes a receive started by start_recv(); `disconnected` is the error
  // to return for a null token.
  template <class E>
  std::expected<T, E> read(Token& token, E disconnected) noexcept {
    if (token.array.slot == nullptr) return std::unexpected(disconnected);
    // SAFETY(channel-array-read-token): start_recv() set the token's slot
    // from a Slot of this channel, so the void* points to a live Slot.
    Slot& slot = *static_cast<Slot*>(token.array.slot);
    // start_recv's compare-exchange moved head past this slot and its stamp
    // (acquire) said a message was published, so this thread alone owns it.
    T& message = *published(slot);
    std::expected<T, E> result(std::in_place, std::move(message));
    // SAFETY(channel-array-read): the message, owned as above, was moved
    // from just above; ending its lifetime here makes the slot raw storage
    // again.
    std::destroy_at(&message);
    // ORDERING(channel-array-read-free): release pairs with the acquire stamp
    // load in start_send(): the next lap's writer sees the slot emptied.
    stamp(slot).store(token.array.stamp, std::memory_order_release);
    senders_.notify();
    return result;
  }

  std::expected<void, TrySendError<T>> try_send(T&& msg) noexcept {
    return try_send_via<T>(*this, std::move(msg));
  }

  std::expected<void, SendTimeoutError<T>> send(T&& msg, Deadline deadline) {
    Token token;
    for (;;) {
      Backoff backoff;
      for (;;) {
        const bool last_try = backoff.is_completed();  // exact only before blocking
        if (last_try ? start_send(token) : start_send_impl<false>(token)) {
          if (write(token, msg)) return {};
          return std::unexpected(
              SendTimeoutError<T>(SendTimeoutErrorKind::Disconnected, std::move(msg)));
        }
        if (last_try) break;
        backoff.snooze();
      }
      if (deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline) {
        return std::unexpected(SendTimeoutError<T>(SendTimeoutErrorKind::Timeout, std::move(msg)));
      }
      wait_as_selector(senders_, &token, deadline,
                       [this] { return !is_full() || is_disconnected(); },
                       BehindOthers::kYield);
    }
  }

  std::expected<T, TryRecvError> try_recv() noexcept { return try_recv_via<T>(*this); }

  std::expected<T, RecvTimeoutError> recv(Deadline deadline) {
    Token token;
    for (;;) {
      Backoff backoff;
      for (;;) {
        const bool last_try = backoff.is_completed();  // exact only before blocking
        if (last_try ? start_recv(token) : start_recv_impl<false>(token)) {
          return read(token, RecvTimeoutError::Disconnected);
        }
        if (last_try) break;
        backoff.snooze();
      }
      if (deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline) {
        return std::unexpected(RecvTimeoutError::Timeout);
      }
      wait_as_selector(receivers_, &token, deadline,
                       [this] { return !is_empty() || is_disconnected(); },
                       BehindOthers::kPark);
    }
  }

  // A snapshot of the number of buffered messages.
  std::size_t len() const noexcept {
    for (;;) {
      const std::size_t tail = tail_.load();
      const std::size_t head = head_.load();
      // A consistent pair: tail did not move while head was read.
      if (tail_.load() != tail) continue;
      const std::size_t hix = head & (mark_bit_ - 1);
      const std::size_t tix = tail & (mark_bit_ - 1);
      if (hix < tix) return tix - hix;
      if (hix > tix) return cap_ - hix + tix;
      return (tail & ~mark_bit_) == head ? 0 : cap_;
    }
  }
  std::optional<std::size_t> capacity() const noexcept { return cap_; }
  bool is_empty() const noexcept {
    const std::size_t head = head_.load();
    const std::size_t tail = tail_.load();
    return (tail & ~mark_bit_) == head;
  }
  bool is_full() const noexcept {
    const std::size_t tail = tail_.load();
    const std::size_t head = head_.load();
    return head + one_lap_ == (tail & ~mark_bit_);
  }
  bool is_disconnected() const noexcept { return (tail_.load() & mark_bit_) != 0; }

  // The last sender is gone: wake blocked receivers (they drain, then fail).
  void disconnect_senders() noexcept {
    const std::size_t tail = tail_.fetch_or(mark_bit_);
    if ((tail & mark_bit_) == 0) receivers_.disconnect();
  }

  // The last receiver is gone: wake blocked senders (they fail) and destroy
  // every buffered message.
  void disconnect_receivers() noexcept {
    const std::size_t tail = tail_.fetch_or(mark_bit_);
    if ((tail & mark_bit_) == 0) senders_.disconnect();
    discard_all_messages(tail & ~mark_bit_);
  }

 private:
  // Select support, for the sides (ArraySender, ArrayReceiver below).
  template <class, bool>
  friend class WaitListSide;
  bool recv_is_ready() const noexcept { return !is_empty() || is_disconnected(); }
  SyncWaker& receivers() noexcept { return receivers_; }
  bool send_is_ready() const noexcept { return !is_full() || is_disconnected(); }
  SyncWaker& senders() noexcept { return senders_; }

  // kExact = false is for the spinning retries of a blocking send: a slot
  // that still holds last lap's message counts as full without reading
  // head_. The exact check reads head_, the receivers' hottest line, so
  // that every retry would cost the next receiver a cache-line transfer.
  // The last try before blocking is exact.
  template <bool kExact>
  bool start_send_impl(Token& token) noexcept {
    Backoff backoff;
    // ORDERING(channel-array-send-tail-peek): relaxed; a guess that the
    // compare-exchange below validates.
    std::size_t tail = tail_.load(std::memory_order_relaxed);
    for (;;) {
      if ((tail & mark_bit_) != 0) {
        token.array = {};
        return true;
      }
      const std::size_t index = tail & (mark_bit_ - 1);
      const std::size_t lap = tail & ~(one_lap_ - 1);
      Slot& slot = slot_at(index);
      // ORDERING(channel-array-send-stamp): acquire pairs with the release
      // stamp store in read() (or discard): the previous message's move-out
      // happens before our write into the slot.
      const std::size_t seen = stamp(slot).load(std::memory_order_acquire);
      if (seen == lap) {
        const std::size_t new_tail = index + 1 < cap_ ? tail + 1 : lap + one_lap_;
        // ORDERING(channel-array-send-claim): seq_cst on success: the claim is
        // ordered, in the single total order, against the receivers' seq_cst
        // fence + tail load (their emptiness check) and the SyncWaker's
        // seq_cst `nobody_to_wake_` flag, so a parking receiver cannot miss it.
        // Relaxed on failure: we only retry with the fresh value. A plain
        // load and store while the process has one thread (channel/rmw.h).
        if (compare_exchange_weak_unless_alone(tail_, tail, new_tail, std::memory_order_seq_cst,
                                               std::memory_order_relaxed)) {
          token.array.slot = &slot;
          token.array.stamp = lap + 1;
          return true;
        }
        backoff.spin();
      } else if (seen + one_lap_ == lap + 1) {
        // The slot still holds last lap's message: the channel may be full.
        if constexpr (!kExact) {
          if (!reload_if_moved(tail_, tail)) return false;  // no other sender got further
          continue;
        }
        seq_cst_fence_unless_alone();
        // ORDERING(channel-array-send-full-check): relaxed after the seq_cst
        // fence, which orders this load after the stamp load above (crossbeam's
        // argument): a head one lap behind means the channel really is full.
        const std::size_t head = head_.load(std::memory_order_relaxed);
        if (head + one_lap_ == tail) return false;
        backoff.spin();
        // ORDERING(channel-array-send-tail-retry): relaxed; a guess, as above.
        tail = tail_.load(std::memory_order_relaxed);
      } else {
        // Another sender claimed the slot and has not written yet.
        backoff.snooze();
        // ORDERING(channel-array-send-tail-wait): relaxed; a guess, as above.
        tail = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // kExact = false is for the spinning retries of a blocking receive: an
  // empty slot counts as empty without reading tail_ (the senders' hottest
  // line, see start_send_impl) or noticing a disconnection; the last try
  // before blocking is exact.
  template <bool kExact>
  bool start_recv_impl(Token& token) noexcept {
    Backoff backoff;
    // ORDERING(channel-array-recv-head-peek): relaxed; a guess that the
    // compare-exchange below validates.
    std::size_t head = head_.load(std::memory_order_relaxed);
    for (;;) {
      const std::size_t index = head & (mark_bit_ - 1);
      const std::size_t lap = head & ~(one_lap_ - 1);
      Slot& slot = slot_at(index);
      // ORDERING(channel-array-recv-stamp): acquire pairs with the release
      // stamp store in write(): a stamp of lap + 1 means the message is
      // constructed and visible.
      const std::size_t seen = stamp(slot).load(std::memory_order_acquire);
      if (seen == lap + 1) {
        const std::size_t new_head = index + 1 < cap_ ? head + 1 : lap + one_lap_;
        // ORDERING(channel-array-recv-claim): seq_cst on success, mirroring
        // channel-array-send-claim for senders that check fullness and park;
        // relaxed on failure (retry with the fresh value). Plain while the
        // process has one thread (channel/rmw.h).
        if (compare_exchange_weak_unless_alone(head_, head, new_head, std::memory_order_seq_cst,
                                               std::memory_order_relaxed)) {
          token.array.slot = &slot;
          token.array.stamp = lap + one_lap_;
          return true;
        }
        backoff.spin();
      } else if (seen == lap) {
        // The slot is free: the channel may be empty.
        if constexpr (!kExact) {
          if (!reload_if_moved(head_, head)) return false;  // no other receiver got further
          continue;
        }
        seq_cst_fence_unless_alone();
        // ORDERING(channel-array-recv-empty-check): relaxed after the seq_cst
        // fence (see channel-array-send-full-check).
        const std::size_t tail = tail_.load(std::memory_order_relaxed);
        if ((tail & ~mark_bit_) == head) {
          if ((tail & mark_bit_) != 0) {
            token.array = {};
            return true;
          }
          return false;
        }
        backoff.spin();
        // ORDERING(channel-array-recv-head-retry): relaxed; a guess, as above.
        head = head_.load(std::memory_order_relaxed);
      } else {
        // A sender claimed the slot and has not published yet.
        backoff.snooze();
        // ORDERING(channel-array-recv-head-wait): relaxed; a guess, as above.
        head = head_.load(std::memory_order_relaxed);
      }
    }
  }

  // For the spinning retries: whether `index` moved since we read `seen`
  // (then `seen` takes its new value).
  static bool reload_if_moved(const std::atomic<std::size_t>& index, std::size_t& seen) noexcept {
    // ORDERING(channel-array-index-spinning): relaxed; a guess, as the other
    // index peeks: a claim validates it with a compare-exchange.
    const std::size_t now = index.load(std::memory_order_relaxed);
    if (now == seen) return false;
    seen = now;
    return true;
  }

  // A slot: its stamp (the lap, or lap + 1 while it holds a message; see the
  // top of the file), only ever accessed atomically through stamp(), and
  // storage for one message. An aggregate with a trivial destructor, so an
  // implicit-lifetime type: allocate_slot_storage's zero-filled storage holds
  // slots of stamp 0 with no constructor run. (Uninit<T>, which the list
  // flavor uses, has a user-provided constructor and could not be that.)
  struct Slot {
    std::size_t stamp_word;
    alignas(T) std::byte msg[sizeof(T)];
  };
  static_assert(std::is_trivially_destructible_v<Slot> && std::is_aggregate_v<Slot>);

  static std::atomic_ref<std::size_t> stamp(Slot& slot) noexcept {
    return std::atomic_ref<std::size_t>(slot.stamp_word);
  }
  // The slot's message storage, for constructing a message in it.
  static T* storage(Slot& slot) noexcept {
    // SAFETY(channel-array-storage): msg is sizeof(T) bytes aligned for T
    // (alignas above), so it can hold a T; the pointer is only used to
    // construct one (write) while the slot is claimed for writing.
    return reinterpret_cast<T*>(slot.msg);
  }
  // The message a slot holds, while its stamp says one was published.
  static T* published(Slot& slot) noexcept {
    // SAFETY(channel-array-published): callers hold a claim on a slot whose
    // stamp (acquire) says write() constructed a T in its storage, so a T
    // lives at that address; launder gives a pointer to that object.
    return std::launder(reinterpret_cast<T*>(slot.msg));
  }

  Slot& slot_at(std::size_t index) const noexcept {
    FERRITE_DEBUG_ASSERT(index < cap_);
    // SAFETY(channel-array-slot-index): callers pass a position's index part,
    // which is < cap_ (a position's index wraps to 0 at cap_), and buffer_
    // holds cap_ slots.
    return FERRITE_UNSAFE_BUFFERS(buffer_[index]);
  }

  // Destroys the messages between head and `tail` (the tail at
  // disconnection). Only the last receiver calls it, so nobody else moves
  // head; senders that claimed a slot before the disconnection may still be
  // writing, and we wait for them.
  void discard_all_messages(std::size_t tail) noexcept {
    // ORDERING(channel-array-discard-head): relaxed; receivers' own writes to
    // head happen before the last receiver's release (counter-release acq_rel).
    std::size_t head = head_.load(std::memory_order_relaxed);
    Backoff backoff;
    for (;;) {
      const std::size_t index = head & (mark_bit_ - 1);
      const std::size_t lap = head & ~(one_lap_ - 1);
      Slot& slot = slot_at(index);
      // ORDERING(channel-array-discard-stamp): acquire pairs with the release
      // stamp store in write(): the message is constructed and visible.
      const std::size_t seen = stamp(slot).load(std::memory_order_acquire);
      if (seen == lap + 1) {
        head = index + 1 < cap_ ? head + 1 : lap + one_lap_;
        // SAFETY(channel-array-discard): the stamp says the slot holds a
        // published message, and no receiver remains to take it; it is
        // destroyed once, and head moves past it.
        std::destroy_at(published(slot));
      } else if (head == tail) {
        break;
      } else {
        backoff.snooze();  // a sender claimed the slot and is writing
      }
    }
    // ORDERING(channel-array-discard-done): relaxed; no receiver remains, and
    // senders only compare head after the disconnection mark stops them.
    head_.store(head, std::memory_order_relaxed);
  }

  const std::size_t cap_;
  const std::size_t mark_bit_;
  const std::size_t one_lap_;
  Slot* buffer_;  // cap_ slots in allocate_slot_storage's storage; freed by the destructor
  alignas(128) std::atomic<std::size_t> head_{0};
  alignas(128) std::atomic<std::size_t> tail_{0};
  alignas(128) SyncWaker senders_;
  SyncWaker receivers_;
};

// The sides of a bounded channel, as Sender<T>, Receiver<T> and Select use
// them (crossbeam's `impl SelectHandle for Sender<'_, T>` and `Receiver<'_,
// T>` in flavors/array.rs). A send is ready while a slot is free, a receive
// while a message is buffered (either, once the channel is disconnected);
// each waits in its own list, `senders` or `receivers`.
template <class T>
using ArraySender = WaitListSide<ArrayChannel<T>, true>;
template <class T>
using ArrayReceiver = WaitListSide<ArrayChannel<T>, false>;

}  // namespace ferrite::detail
