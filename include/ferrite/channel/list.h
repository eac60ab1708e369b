// ferrite/channel/list.h — internal: the unbounded flavor of ferrite::channel
// (crossbeam-channel's flavors/list.rs).
//
// Not part of the public API (everything is in ferrite::detail); reached
// through channel::unbounded().
//
// A linked list of blocks of kBlockCap slots. `head` and `tail` are each a
// position (an index shifted left by kShift, whose low kShift bits are
// flags) and the block the position is in. Positions advance one per
// message; offset kBlockCap of each lap of kLap positions is a placeholder
// that marks "the block is being switched". The flag bit of `tail` means
// "disconnected"; that of `head` means "head and tail are known to be in
// different blocks" (so a receiver need not read tail).
//
// A sender claims a position by advancing tail (compare-exchange), the one
// that claims a block's last slot installs the next block (allocated
// beforehand, so nothing can fail after a claim); it writes and publishes
// by setting its slot's WRITE bit. A receiver claims by advancing head,
// waits for WRITE, moves the message out and sets READ. Blocks are freed by
// the reader of their last slot, or by a later reader when earlier readers
// are still busy (the DESTROY bit hands the job on).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <utility>

#include "ferrite/channel/context.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/rmw.h"
#include "ferrite/channel/side.h"
#include "ferrite/channel_error.h"
#include "ferrite/channel/token.h"
#include "ferrite/channel/wait.h"
#include "ferrite/channel/waker.h"

namespace ferrite::detail {

// SAFETY(channel-uninit): storage for one message whose lifetime the channel
// manages by hand (Rust's MaybeUninit<T>): constructed with
// std::construct_at(&s.value, ...) and destroyed with std::destroy_at(&s.value)
// at the audited places; neither special member touches `value`.
template <class T>
union Uninit {
  Uninit() noexcept {}
  ~Uninit() {}
  Uninit(const Uninit&) = delete;
  Uninit& operator=(const Uninit&) = delete;
  T value;
};

template <class T>
class ListChannel {
 public:
  ListChannel() = default;
  ListChannel(const ListChannel&) = delete;
  ListChannel& operator=(const ListChannel&) = delete;

  // Both sides are gone: destroy what disconnect_receivers() left (nothing
  // but, possibly, a block installed by a racing first sender).
  ~ListChannel() {
    // ORDERING(channel-list-drop-load): relaxed; the counter's acq_rel
    // destroy exchange made every other thread's writes visible.
    std::size_t head = head_.index.load(std::memory_order_relaxed) & ~(kFlags);
    // ORDERING(channel-list-drop-tail): relaxed, as above.
    const std::size_t tail = tail_.index.load(std::memory_order_relaxed) & ~(kFlags);
    // ORDERING(channel-list-drop-block): relaxed, as above.
    Block* block = head_.block.load(std::memory_order_relaxed);
    while (head != tail) {
      const std::size_t offset = (head >> kShift) % kLap;
      if (offset < kBlockCap) {
        // SAFETY(channel-list-drop-msg): positions in [head, tail) hold
        // written messages that no receiver took (there are no receivers).
        std::destroy_at(&block->values[offset].value);
      } else {
        // ORDERING(channel-list-drop-next): relaxed, as above.
        Block* next = block->next.load(std::memory_order_relaxed);
        // SAFETY(channel-list-drop-block-free): every slot of this block was
        // read or destroyed above, nobody else is left to reach it (both sides
        // are gone), and blocks are allocated with new.
        delete block;
        block = next;
      }
      head += std::size_t{1} << kShift;
    }
    // SAFETY(channel-list-drop-last-free): the last block (or null), emptied
    // above; nobody else is left to reach it.
    delete block;
    // ORDERING(channel-list-drop-spare): relaxed, as channel-list-drop-load.
    // SAFETY(channel-list-drop-spare-free): the spare block (or null) is owned
    // by the channel alone and holds no message.
    delete spare_.load(std::memory_order_relaxed);
  }

  // Claims a position (always possible: the channel is unbounded). True with
  // a null block in the token: disconnected. Throws std::bad_alloc only
  // before anything is claimed.
  bool start_send(Token& token) {
    Backoff backoff;
    // ORDERING(channel-list-send-tail): acquire pairs with the release
    // stores of tail.index/tail.block when a sender installs a new block.
    std::size_t tail = tail_.index.load(std::memory_order_acquire);
    // ORDERING(channel-list-send-block): acquire, as above: the block read
    // is the one installed with (or before) this tail.
    Block* block = tail_.block.load(std::memory_order_acquire);
    std::unique_ptr<Block> next_block;
    for (;;) {
      if ((tail & kMarkBit) != 0) {
        token.list = {};
        return true;
      }
      const std::size_t offset = (tail >> kShift) % kLap;
      if (offset == kBlockCap) {
        // Another sender is installing the next block: wait for it.
        backoff.snooze();
        // ORDERING(channel-list-send-tail-wait): acquire, as channel-list-send-tail.
        tail = tail_.index.load(std::memory_order_acquire);
        // ORDERING(channel-list-send-block-wait): acquire, as channel-list-send-block.
        block = tail_.block.load(std::memory_order_acquire);
        continue;
      }
      // About to claim a block's last slot: allocate the next block now, so
      // that nothing can fail once the slot is ours.
      if (offset + 1 == kBlockCap && next_block == nullptr) next_block = new_block();
      if (block == nullptr) {
        // The first message: install the first block.
        std::unique_ptr<Block> first = new_block();
        Block* expected = nullptr;
        // ORDERING(channel-list-first-block): release publishes the new
        // (zeroed) block to senders that acquire tail.block; relaxed on
        // failure (another sender won, we retry).
        if (tail_.block.compare_exchange_strong(expected, first.get(), std::memory_order_release,
                                                std::memory_order_relaxed)) {
          block = first.release();
          // ORDERING(channel-list-first-head): release pairs with the acquire
          // loads of head.block in start_recv()/discard: receivers see the block.
          head_.block.store(block, std::memory_order_release);
        } else {
          next_block = std::move(first);
          // ORDERING(channel-list-send-tail-init): acquire, as channel-list-send-tail.
          tail = tail_.index.load(std::memory_order_acquire);
          // ORDERING(channel-list-send-block-init): acquire, as channel-list-send-block.
          block = tail_.block.load(std::memory_order_acquire);
          continue;
        }
      }
      const std::size_t new_tail = tail + (std::size_t{1} << kShift);
      // ORDERING(channel-list-send-claim): seq_cst on success, ordered against
      // the receivers' seq_cst fence + tail load and the SyncWaker's seq_cst
      // flag (as channel-array-send-claim); acquire on failure, pairing with
      // the release stores of a block switch (we then reload the block).
      // Plain while the process has one thread (channel/rmw.h).
      if (compare_exchange_weak_unless_alone(tail_.index, tail, new_tail, std::memory_order_seq_cst,
                                             std::memory_order_acquire)) {
        if (offset + 1 == kBlockCap) {
          // We claimed the last slot: install the next block and skip the
          // placeholder offset.
          Block* next = next_block.release();
          const std::size_t next_index = new_tail + (std::size_t{1} << kShift);
          // ORDERING(channel-list-install-block): release pairs with the
          // acquire loads of tail.block: senders see the zeroed block.
          tail_.block.store(next, std::memory_order_release);
          // ORDERING(channel-list-install-tail): release pairs with the
          // acquire loads of tail.index, ordered after the block store.
          tail_.index.store(next_index, std::memory_order_release);
          // ORDERING(channel-list-install-next): release pairs with the
          // acquire load in Block::wait_next(): receivers that reach the end
          // of this block see the next one.
          block->next.store(next, std::memory_order_release);
        }
        token.list.block = block;
        token.list.offset = offset;
        return true;
      }
      // ORDERING(channel-list-send-block-retry): acquire, as channel-list-send-block.
      block = tail_.block.load(std::memory_order_acquire);
      backoff.spin();
    }
  }

  bool write(Token& token, T& msg) noexcept {
    if (token.list.block == nullptr) return false;
    // SAFETY(channel-list-write-token): start_send() set the token's block
    // from a live Block of this channel and its offset below kBlockCap.
    Block* block = static_cast<Block*>(token.list.block);
    // The slot below: the token's offset is below kBlockCap,
    // the length of the block's arrays: start_send() claims no other offset
    // (offset kBlockCap is the placeholder between two blocks, which it
    // skips).
    const Slot slot = block->slot(token.list.offset);
    // SAFETY(channel-list-write): start_send's compare-exchange gave this
    // thread the position, so it alone writes the slot; no reader touches it
    // before the WRITE bit below; T's move constructor is noexcept.
    std::construct_at(&slot.msg.value, std::move(msg));
    // ORDERING(channel-list-write-publish): release pairs with the acquire
    // load in Slot::wait_write(): the reader sees the message. Plain while
    // the process has one thread (channel/rmw.h).
    slot.fetch_or_unless_alone(kWrite, std::memory_order_release);
    receivers_.notify();
    if (token.list.offset + 1 == kBlockCap) {
      pacer_.block_filled([this]() noexcept { return backlog_blocks(); });
    }
    return true;
  }

  bool start_recv(Token& token) noexcept {
    Backoff backoff;
    // ORDERING(channel-list-recv-head): acquire pairs with the release stores
    // of head.index/head.block when a receiver moves to the next block.
    std::size_t head = head_.index.load(std::memory_order_acquire);
    // ORDERING(channel-list-recv-block): acquire, as above (and with the first
    // block's release store in start_send()).
    Block* block = head_.block.load(std::memory_order_acquire);
    for (;;) {
      const std::size_t offset = (head >> kShift) % kLap;
      if (offset == kBlockCap) {
        // Another receiver is moving to the next block: wait for it.
        backoff.snooze();
        // ORDERING(channel-list-recv-head-wait): acquire, as channel-list-recv-head.
        head = head_.index.load(std::memory_order_acquire);
        // ORDERING(channel-list-recv-block-wait): acquire, as channel-list-recv-block.
        block = head_.block.load(std::memory_order_acquire);
        continue;
      }
      std::size_t new_head = head + (std::size_t{1} << kShift);
      if ((new_head & kMarkBit) == 0) {
        seq_cst_fence_unless_alone();
        // ORDERING(channel-list-recv-empty-check): relaxed after the seq_cst
        // fence, which orders it after our head load (crossbeam's argument).
        const std::size_t tail = tail_.index.load(std::memory_order_relaxed);
        if ((head >> kShift) == (tail >> kShift)) {
          if ((tail & kMarkBit) != 0) {
            token.list = {};
            return true;
          }
          return false;
        }
        // Head and tail in different blocks: remember it in head's flag.
        if ((head >> kShift) / kLap != (tail >> kShift) / kLap) new_head |= kMarkBit;
      }
      if (block == nullptr) {
        // The first block is being installed.
        backoff.snooze();
        // ORDERING(channel-list-recv-head-init): acquire, as channel-list-recv-head.
        head = head_.index.load(std::memory_order_acquire);
        // ORDERING(channel-list-recv-block-init): acquire, as channel-list-recv-block.
        block = head_.block.load(std::memory_order_acquire);
        continue;
      }
      // ORDERING(channel-list-recv-claim): seq_cst on success (mirrors
      // channel-list-send-claim); acquire on failure, pairing with a block
      // switch's release stores (we then reload the block). Plain while the
      // process has one thread (channel/rmw.h).
      if (compare_exchange_weak_unless_alone(head_.index, head, new_head, std::memory_order_seq_cst,
                                             std::memory_order_acquire)) {
        if (offset + 1 == kBlockCap) {
          // We claimed the block's last slot: move head to the next block.
          Block* next = block->wait_next();
          std::size_t next_index = (new_head & ~kMarkBit) + (std::size_t{1} << kShift);
          // ORDERING(channel-list-recv-next-next): relaxed; only a hint for the
          // flag (a stale null just costs a tail check later).
          if (next->next.load(std::memory_order_relaxed) != nullptr) next_index |= kMarkBit;
          // ORDERING(channel-list-recv-switch-block): release pairs with the
          // acquire loads of head.block.
          head_.block.store(next, std::memory_order_release);
          // ORDERING(channel-list-recv-switch-head): release pairs with the
          // acquire loads of head.index, ordered after the block store.
          head_.index.store(next_index, std::memory_order_release);
        }
        token.list.block = block;
        token.list.offset = offset;
        return true;
      }
      // ORDERING(channel-list-recv-block-retry): acquire, as channel-list-recv-block.
      block = head_.block.load(std::memory_order_acquire);
      backoff.spin();
    }
  }

  template <class E>
  std::expected<T, E> read(Token& token, E disconnected) noexcept {
    if (token.list.block == nullptr) return std::unexpected(disconnected);
    // SAFETY(channel-list-read-token): start_recv() set the token's block
    // from a live Block of this channel and its offset below kBlockCap.
    Block* block = static_cast<Block*>(token.list.block);
    const std::size_t offset = token.list.offset;
    // The slot below: offset < kBlockCap, the length of
    // the block's arrays (see write()).
    const Slot slot = block->slot(offset);
    slot.wait_write();
    // SAFETY(channel-list-read-value): wait_write() saw the sender's WRITE
    // bit, so `value` is the constructed member of the slot's Uninit.
    std::expected<T, E> result(std::in_place, std::move(slot.msg.value));
    // SAFETY(channel-list-read): start_recv's compare-exchange gave this
    // thread the position and wait_write() (acquire) saw the message
    // published; it was moved from just above and is destroyed once here.
    std::destroy_at(&slot.msg.value);
    // Free the block if this was its last slot, or if a later reader asked
    // us to (DESTROY) because we were still busy.
    if (offset + 1 == kBlockCap) {
      destroy(block, 0);
      return result;
    }
    // ORDERING(channel-list-read-done): acq_rel; the release half tells
    // destroy() that we are done with the slot (pairs with its acquire
    // load / acq_rel fetch_or); the acquire half sees its DESTROY request.
    // Plain while the process has one thread (channel/rmw.h).
    if ((slot.fetch_or_unless_alone(kRead, std::memory_order_acq_rel) & kDestroy) != 0) {
      destroy(block, offset + 1);
    }
    return result;
  }

  // Never Full: start_send always claims a position. May throw std::bad_alloc
  // (before anything is claimed; msg untouched).
  std::expected<void, TrySendError<T>> try_send(T&& msg) {
    return try_send_via<T>(*this, std::move(msg));
  }

  std::expected<void, SendTimeoutError<T>> send(T&& msg, Deadline) {
    Token token;
    start_send(token);
    if (write(token, msg)) return {};
    return std::unexpected(SendTimeoutError<T>(SendTimeoutErrorKind::Disconnected, std::move(msg)));
  }

  std::expected<T, TryRecvError> try_recv() noexcept { return try_recv_via<T>(*this); }

  std::expected<T, RecvTimeoutError> recv(Deadline deadline) {
    Token token;
    for (;;) {
      Backoff backoff;
      for (;;) {
        if (start_recv(token)) return read(token, RecvTimeoutError::Disconnected);
        if (backoff.is_completed()) break;
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

  std::size_t len() const noexcept {
    for (;;) {
      std::size_t tail = tail_.index.load();
      std::size_t head = head_.index.load();
      if (tail_.index.load() != tail) continue;  // not a consistent pair
      tail &= ~kFlags;
      head &= ~kFlags;
      // Placeholder offsets count as the next block's first position.
      if (((tail >> kShift) & (kLap - 1)) == kLap - 1) tail += std::size_t{1} << kShift;
      if (((head >> kShift) & (kLap - 1)) == kLap - 1) head += std::size_t{1} << kShift;
      // Rotate so that head is in the first lap, then drop the placeholders.
      const std::size_t lap = (head >> kShift) / kLap;
      tail -= (lap * kLap) << kShift;
      head -= (lap * kLap) << kShift;
      tail >>= kShift;
      head >>= kShift;
      return tail - head - tail / kLap;
    }
  }
  std::optional<std::size_t> capacity() const noexcept { return std::nullopt; }
  bool is_empty() const noexcept {
    const std::size_t head = head_.index.load();
    const std::size_t tail = tail_.index.load();
    return (head >> kShift) == (tail >> kShift);
  }
  bool is_full() const noexcept { return false; }
  bool is_disconnected() const noexcept { return (tail_.index.load() & kMarkBit) != 0; }

  void disconnect_senders() noexcept {
    const std::size_t tail = tail_.index.fetch_or(kMarkBit);
    if ((tail & kMarkBit) == 0) receivers_.disconnect();
  }

  void disconnect_receivers() noexcept {
    const std::size_t tail = tail_.index.fetch_or(kMarkBit);
    if ((tail & kMarkBit) == 0) discard_all_messages();
  }

  // Positions per lap: a power of two, so that a block of kLap - 1 messages
  // and their half-byte states takes about 2 KB, between 31 slots (messages
  // of 64 bytes and more; crossbeam's block) and 127 (messages of 16 bytes
  // and less). A growing queue calls the allocator once per block, and
  // allocation and the page faults of fresh heap memory are most of what a
  // message costs while a queue grows (unbounded_seq in docs/BENCHMARKS.md,
  // "Before/after: buffers, blocks and Select's bookkeeping"); the block of
  // a channel that holds a few messages is its footprint, hence the bound.
  static constexpr std::size_t kLap =
      std::clamp<std::size_t>(std::bit_floor(std::size_t{2048} / (sizeof(T) + 1)), 32, 128);
  // The messages a block holds (position kLap - 1 of a lap is the
  // placeholder of the block switch).
  static constexpr std::size_t kBlockCap = kLap - 1;

 private:
  // Select support, for the receiving side (ListReceiver below).
  template <class, bool>
  friend class WaitListSide;
  bool recv_is_ready() const noexcept { return !is_empty() || is_disconnected(); }
  SyncWaker& receivers() noexcept { return receivers_; }

  // A slot's state: the bits below, in half a byte (see Block).
  using State = std::uint8_t;
  static constexpr State kWrite = 1;
  static constexpr State kRead = 2;
  static constexpr State kDestroy = 4;
  static constexpr unsigned kStateBits = 4;
  static constexpr State kStateMask = (1u << kStateBits) - 1;
  static constexpr std::size_t kShift = 1;
  static constexpr std::size_t kMarkBit = 1;
  static constexpr std::size_t kFlags = (std::size_t{1} << kShift) - 1;

  // One slot of a block: its state, half of a byte that it shares with its
  // neighbour, and its message; they live in two arrays of the block (see
  // Block). The state is only read and set through the members below, which
  // see and change this slot's half alone: or-ing bits into one half leaves
  // the other as it is, so two slots' readers and writers may set their bits
  // at the same time, as they could on bytes of one cache line.
  struct Slot {
    std::atomic<State>& states;  // the byte this slot shares
    unsigned shift;              // this slot's half of it: 0 or kStateBits
    Uninit<T>& msg;

    State load(std::memory_order order) const noexcept {
      // ORDERING(channel-list-state-load): the caller's order (its note says
      // what it pairs with); the other half of the byte is masked off.
      return half(states.load(order));
    }
    State fetch_or(State bits, std::memory_order order) const noexcept {
      // ORDERING(channel-list-state-or): the caller's order, as above.
      return half(states.fetch_or(static_cast<State>(bits << shift), order));
    }
    // fetch_or, a plain load and store while the process has one thread
    // (channel/rmw.h).
    State fetch_or_unless_alone(State bits, std::memory_order order) const noexcept {
      // ORDERING(channel-list-state-or-unless-alone): the caller's order, as
      // above.
      return half(
          detail::fetch_or_unless_alone(states, static_cast<State>(bits << shift), order));
    }

    void wait_write() const noexcept {
      Backoff backoff;
      // ORDERING(channel-list-wait-write): acquire pairs with the release
      // fetch_or of WRITE in write(): the message is visible.
      while ((load(std::memory_order_acquire) & kWrite) == 0) backoff.snooze();
    }

   private:
    State half(State byte) const noexcept {
      return static_cast<State>((byte >> shift) & kStateMask);
    }
  };

  // The states of the block's slots are half a byte each (two to a byte),
  // in an array of their own, and the messages are packed after them: a
  // block of one-word messages takes 8.5 bytes a message, where a state word
  // beside each message (crossbeam's layout) took 16. Buffered messages are
  // the channel's footprint, and on a machine where a page fault costs
  // microseconds (a virtual machine) the pages that a growing queue touches
  // are most of its cost (unbounded_seq in docs/BENCHMARKS.md).
  struct Block {
    std::atomic<Block*> next{nullptr};
    std::array<std::atomic<State>, (kBlockCap + 1) / 2> states{};
    std::array<Uninit<T>, kBlockCap> values;

    // The slot at `offset`.
    Slot slot(std::size_t offset) noexcept {
      // SAFETY(channel-list-block-slot): every caller passes an offset below
      // kBlockCap (each caller says why), the length of `values`; offset / 2
      // is then below (kBlockCap + 1) / 2, the length of `states`.
      return Slot{states[offset / 2], static_cast<unsigned>(offset % 2) * kStateBits,
                  values[offset]};
    }

    Block* wait_next() const noexcept {
      Backoff backoff;
      for (;;) {
        // ORDERING(channel-list-wait-next): acquire pairs with the release
        // store of `next` in start_send() (channel-list-install-next).
        Block* n = next.load(std::memory_order_acquire);
        if (n != nullptr) return n;
        backoff.snooze();
      }
    }
  };

  // About how many blocks of messages wait for the receivers: a racy
  // estimate for the Pacer, from two loads that may be a little apart.
  std::size_t backlog_blocks() const noexcept {
    // ORDERING(channel-list-backlog-head): relaxed; an estimate that orders
    // nothing (see Pacer in channel/wait.h).
    const std::size_t head = head_.index.load(std::memory_order_relaxed) >> kShift;
    // ORDERING(channel-list-backlog-tail): relaxed, as above.
    const std::size_t tail = tail_.index.load(std::memory_order_relaxed) >> kShift;
    return tail > head ? (tail - head) / kLap : 0;
  }

  // Frees `block` (to the spare, see recycle) once every reader of slots
  // [start, kBlockCap - 1) is done; a reader still busy gets DESTROY and
  // frees it when it finishes.
  void destroy(Block* block, std::size_t start) noexcept {
    // The last slot's reader (who calls destroy(block, 0)) is the only one
    // that may start the chain, so slot kBlockCap - 1 needs no check.
    for (std::size_t i = start; i + 1 < kBlockCap; ++i) {
      // The slot below: i + 1 < kBlockCap, the length of
      // the block's arrays.
      const Slot slot = block->slot(i);
      // ORDERING(channel-list-destroy-check): acquire pairs with the acq_rel
      // fetch_or of READ in read(): a reader that is done has finished
      // with the slot before we free it. The acq_rel fetch_or that follows
      // hands the job to a reader that is not done yet (it sees DESTROY
      // with its own acq_rel fetch_or).
      if ((slot.load(std::memory_order_acquire) & kRead) == 0 &&
          (slot.fetch_or(kDestroy, std::memory_order_acq_rel) & kRead) == 0) {
        return;
      }
    }
    recycle(block);
  }

  // A block that nobody uses any more becomes the channel's spare, for the
  // next sender that needs a block; if there is one already, it is deleted.
  // While the receivers keep up with the senders, blocks are reused while
  // still in cache, and the allocator (whose free from another thread takes
  // that thread's arena lock) and fresh page faults stay out of the exchange.
  void recycle(Block* block) noexcept {
    Block* none = nullptr;
    // ORDERING(channel-list-spare-put): release on success pairs with the
    // acquire exchange in new_block(): every access to the block (its last
    // reads, the DESTROY hand-off) happens before the sender reuses it.
    // Relaxed on failure: then the block is simply deleted.
    if (!spare_.compare_exchange_strong(none, block, std::memory_order_release,
                                        std::memory_order_relaxed)) {
      // SAFETY(channel-list-spare-free): every slot of the block was read
      // (the DESTROY hand-off above), no thread reaches it any more, and
      // blocks are allocated with new.
      delete block;
    }
  }

  // A fresh block: the spare, reset, if there is one; else a new one. Throws
  // std::bad_alloc (only from the allocation).
  std::unique_ptr<Block> new_block() {
    // ORDERING(channel-list-spare-peek): relaxed; a guess that saves the
    // exchange below when there is no spare (the exchange decides).
    if (spare_.load(std::memory_order_relaxed) != nullptr) {
      // ORDERING(channel-list-spare-take): acquire pairs with the release
      // compare-exchange in recycle().
      if (Block* spare = spare_.exchange(nullptr, std::memory_order_acquire)) {
        // Only this thread can reach the block now; it is published again
        // by the release stores that install it, like a new block.
        // ORDERING(channel-list-spare-reset): relaxed, as above.
        spare->next.store(nullptr, std::memory_order_relaxed);
        for (std::atomic<State>& state : spare->states) {
          // ORDERING(channel-list-spare-reset-slot): relaxed, as above.
          state.store(0, std::memory_order_relaxed);
        }
        return std::unique_ptr<Block>(spare);
      }
    }
    return std::make_unique<Block>();
  }

  struct Position {
    std::atomic<std::size_t> index{0};
    std::atomic<Block*> block{nullptr};
  };

  // The last receiver is gone: destroy every message, freeing blocks on the
  // way. Senders that claimed a position before the mark are waited for.
  void discard_all_messages() noexcept {
    Backoff backoff;
    // ORDERING(channel-list-discard-tail): acquire pairs with the release
    // store of tail.index in a block switch.
    std::size_t tail = tail_.index.load(std::memory_order_acquire);
    while (((tail >> kShift) % kLap) == kBlockCap) {
      backoff.snooze();  // a sender is installing the next block
      // ORDERING(channel-list-discard-tail-wait): acquire, as above.
      tail = tail_.index.load(std::memory_order_acquire);
    }
    // ORDERING(channel-list-discard-head): acquire pairs with the release
    // stores of head.index in a block switch (by earlier receivers).
    std::size_t head = head_.index.load(std::memory_order_acquire);
    // Swap the block out, so a sender still installing the first block
    // cannot be overwritten; a block installed late is freed by ~ListChannel.
    // ORDERING(channel-list-discard-swap): acq_rel pairs with the release
    // store of head.block in start_send() (first block) and block switches.
    Block* block = head_.block.exchange(nullptr, std::memory_order_acq_rel);
    if ((head >> kShift) != (tail >> kShift)) {
      // Messages exist, so the first block is (being) installed.
      while (block == nullptr) {
        backoff.snooze();
        // ORDERING(channel-list-discard-swap-wait): acq_rel, as above.
        block = head_.block.exchange(nullptr, std::memory_order_acq_rel);
      }
    }
    while ((head >> kShift) != (tail >> kShift)) {
      const std::size_t offset = (head >> kShift) % kLap;
      if (offset < kBlockCap) {
        // The slot below: offset < kBlockCap, the length
        // of the block's arrays, was checked just above.
        const Slot slot = block->slot(offset);
        slot.wait_write();
        // SAFETY(channel-list-discard-msg): positions in [head, tail) were
        // claimed by senders and wait_write() saw the message published; no
        // receiver remains, so it is destroyed once, here.
        std::destroy_at(&slot.msg.value);
      } else {
        Block* next = block->wait_next();
        // SAFETY(channel-list-discard-free): every message of the block was
        // discarded above; senders that still hold it finished writing
        // (wait_write) and receivers are gone, so nobody reaches it.
        delete block;
        block = next;
      }
      head += std::size_t{1} << kShift;
    }
    // SAFETY(channel-list-discard-last-free): the last block (or null), its
    // messages discarded above; nobody reaches it any more.
    delete block;
    // ORDERING(channel-list-discard-done): release; ~ListChannel reads head
    // after the counter's acq_rel destroy exchange, which orders it anyway.
    head_.index.store(head & ~kMarkBit, std::memory_order_release);
  }

  alignas(128) Position head_;
  alignas(128) Position tail_;
  alignas(128) SyncWaker receivers_;
  // A block kept for reuse (recycle / new_block); freed by ~ListChannel.
  alignas(128) std::atomic<Block*> spare_{nullptr};
  // Paces senders far ahead of the receivers on one CPU (write()).
  Pacer pacer_;
};

// The sending side of an unbounded channel, as Sender<T> and Select use it
// (crossbeam's `impl SelectHandle for Sender<'_, T>` in flavors/list.rs).
// The channel is never full, so a Select's send is always ready and never
// waits.
template <class T>
class ListSender : public ChannelSide<ListChannel<T>, true> {
 public:
  using ChannelSide<ListChannel<T>, true>::ChannelSide;

  bool try_select(Token& token) const { return (*this)->start_send(token); }
  bool register_op(Operation, const Context&) const noexcept { return true; }
  void unregister(Operation) const noexcept {}
  bool accept(Token& token, const Context&) const { return (*this)->start_send(token); }
  bool is_ready() const noexcept { return true; }
  bool watch(Operation, const Context&) const noexcept { return true; }
  void unwatch(Operation) const noexcept {}
};

// The receiving side (crossbeam's `impl SelectHandle for Receiver<'_, T>`):
// ready while a message is buffered (or the channel is disconnected); waits
// in the `receivers` list.
template <class T>
using ListReceiver = WaitListSide<ListChannel<T>, false>;

}  // namespace ferrite::detail
