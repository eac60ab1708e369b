// lib/channel_select.cc — the run loops of channel::Select (see
// ferrite/channel_select.h; crossbeam-channel's select.rs).
#include "ferrite/channel_select.h"

#include <algorithm>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <span>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/channel/counter.h"
#include "ferrite/channel/wait.h"
#include "ferrite/panic.h"
#include "ferrite/detail/lock_order.h"

namespace ferrite::detail {

namespace {

// A per-thread xorshift generator for shuffling (fairness, not security).
std::uint32_t next_random() noexcept {
  thread_local std::uint32_t state = static_cast<std::uint32_t>(current_thread_id() >> 4) | 1u;
  state ^= state << 13;
  state ^= state >> 17;
  state ^= state << 5;
  return state;
}

// One step of a Fisher-Yates shuffle from the front: moves an entry drawn
// uniformly from entries[i..] to position i. Steps 0, 1, ... n-2 in order
// leave a uniformly shuffled span, and the steps up to i fix entries[0..i]
// already, so the operations can be tried in shuffled order as they are
// drawn, and a Select whose first drawn operation is ready moves one entry
// instead of shuffling all of them.
void draw_into(std::span<SelectEntry> entries, std::size_t i) noexcept {
  const std::size_t left = entries.size() - i;
  if (left < 2) return;
  const std::size_t j = i + next_random() % left;
  if (j != i) std::swap(entries[i], entries[j]);
}

// The whole shuffle at once (run_ready looks at every operation each pass).
void shuffle(std::span<SelectEntry> entries) noexcept {
  for (std::size_t i = 0; i < entries.size(); ++i) draw_into(entries, i);
}

bool timed_out(bool now_only, Deadline deadline) {
  return now_only || (deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline);
}

// Tries every operation once, in order (shuffling them as it goes when
// `shuffled` is false: draw_into), and returns the one that started, or
// null; a null return leaves every entry shuffled. An operation whose
// channel another thread holds locked at that moment
// (SelectHandle::try_select_unless_busy) is put off until all the
// others were found not ready, and only then tried again, waiting for the
// lock: a Select does not wait behind a thread that holds one channel's lock,
// perhaps preempted while it does, when another of its operations can
// proceed. The first 64 operations can be put off; later ones wait for
// their lock at once.
const SelectEntry* try_each(std::span<SelectEntry> entries, Token& token, bool shuffled) {
  constexpr std::size_t kDeferrable = 64;
  std::uint64_t busy_mask = 0;
  for (std::size_t i = 0; i < entries.size(); ++i) {
    if (!shuffled) draw_into(entries, i);  // entries before i stay where they are
    const SelectEntry& entry = entries[i];
    if (i >= kDeferrable) {
      if (entry.handle->try_select(token)) return &entry;
      continue;
    }
    bool busy = false;
    if (entry.handle->try_select_unless_busy(token, busy)) return &entry;
    if (busy) busy_mask |= std::uint64_t{1} << i;
  }
  while (busy_mask != 0) {
    const auto i = static_cast<std::size_t>(std::countr_zero(busy_mask));
    busy_mask &= busy_mask - 1;
    if (entries[i].handle->try_select(token)) return &entries[i];
  }
  return nullptr;
}

Deadline earliest(std::span<SelectEntry> entries, Deadline deadline) noexcept {
  for (const SelectEntry& entry : entries) deadline = std::min(deadline, entry.handle->deadline());
  return deadline;
}

// Unregisters the first `count` entries on every way out (also when a
// registration throws std::bad_alloc).
template <bool kWatch>
class Registrations {
 public:
  explicit Registrations(std::span<SelectEntry> entries) noexcept : entries_(entries) {}
  ~Registrations() {
    for (std::size_t i = 0; i < count_; ++i) {
      SelectEntry& entry = entries_[i];
      if constexpr (kWatch) {
        entry.handle->unwatch(operation_hook(&entry));
      } else {
        entry.handle->unregister(operation_hook(&entry));
      }
    }
  }
  Registrations(const Registrations&) = delete;
  Registrations& operator=(const Registrations&) = delete;

  void add() noexcept { ++count_; }

 private:
  std::span<SelectEntry> entries_;
  std::size_t count_ = 0;
};

}  // namespace

// --- loans -------------------------------------------------------------------
//
// A Select used to keep a counted copy of every end it was given (an atomic
// increment of the channel's sender or receiver count when the operation is
// added, a decrement when the Select goes), so that an end destroyed, moved
// from or assigned to while registered is never touched. Now it keeps a
// *loan*: a copy of the end that is not counted, constructed from the end
// when the operation is added (the end itself is never read again), and
// recorded in a slot of the adding thread's table of loans. Adding it
// writes that slot (a plain store) and, once per channel side, the side's
// loan flag; ending it clears the slot and, for all of a Select's loans
// together, issues one fence.
//
// What the count was for is kept by the release of the side's last count:
// when the side's loan flag is set, it looks for a live loan of the side in
// every thread's table (select_loan_takes_over) and hands its count to the
// first it finds, which then releases it when the loan ends (release_handed
// runs the same last release again). So while any loan of a side is live
// the side is neither disconnected nor freed, as when each Select counted
// its copy.
//
// The race between a last release (L) handing its count to a slot and the
// Select (S) ending that slot's loan is decided on the table's `ended`
// word: L writes the slot's `handed`, then increments `ended`, then reads
// the slot's `key`; S writes the `key` (null), then increments `ended`,
// then reads `handed`. The two increments (acq_rel) are ordered one way or
// the other, and the later one acquires what the earlier one's thread
// wrote: if S's came first, L sees the key gone; if L's came first, S sees
// `handed`. If L still sees the key, S sees `handed` and takes the count
// (compare-exchange to null); if S does not see `handed`, L sees the key
// gone and takes its count back (the same compare-exchange), and then looks
// further. When both see, the compare-exchange decides. (A seq_cst fence
// on each side would do as well; on the AMD machine the benchmarks ran on,
// a fence cost S three times what the increment of a line it owns does.)
// The last releases themselves are serialized by loan_mutex, so a slot
// never holds a handed count of another side than its own key while that
// key is live. A last release counts the side again before it looks (a
// handed count is an ordinary count, released as any other), and gives
// that count back when it finds no loan. A loan made from another loan (a
// copy of a Select) is made under loan_mutex, so that a last release
// looking for loans cannot miss it.
//
// A slot is free when both its key and its handed count are null. A thread
// finds free slots in its own table only; any thread may end a loan (a
// Select moved to another thread). Tables are never freed: a thread that
// exits leaves its table to the next thread that needs one.

struct LoanSlot {
  std::atomic<const void*> key{nullptr};     // the key of the live loan in this slot
  std::atomic<const void*> handed{nullptr};  // a count handed to it (its key), or null
  std::atomic<std::uint64_t>* ended;         // its table's `ended` word
};

namespace {

// Cache-line aligned, `ended` on a line of its own: the thread that owns a
// table writes its slots and `ended` on every Select; another thread's
// table must not share those lines.
struct alignas(64) LoanTable {
  static constexpr std::size_t kSlots = 64;
  LoanTable() noexcept {
    for (LoanSlot& slot : slots) slot.ended = &ended;
  }
  LoanTable(const LoanTable&) = delete;
  LoanTable& operator=(const LoanTable&) = delete;

  std::array<LoanSlot, kSlots> slots;
  alignas(64) std::atomic<std::uint64_t> ended{0};  // the handshake of a last release and a loan's end
  LoanTable* next = nullptr;  // every table ever made, under loan_mutex()
  bool owned = true;          // a thread uses it; under loan_mutex()
};

// The handshake's increment (see above).
void handshake(std::atomic<std::uint64_t>& ended) noexcept {
  // ORDERING(select-loan-handshake): acq_rel; the release half publishes
  // this thread's write of a slot (its key cleared, or a count handed), the
  // acquire half takes the other side's, whichever increment comes second.
  ended.fetch_add(1, std::memory_order_acq_rel);
}

std::mutex& loan_mutex() noexcept {
  static std::mutex mutex;
  return mutex;
}
LoanTable* all_loan_tables = nullptr;  // under loan_mutex()

// This thread's table: taken at its first loan, left for another thread when
// it exits.
class ThreadLoans {
 public:
  ThreadLoans() noexcept {
    const std::lock_guard<std::mutex> lock(loan_mutex());
    for (LoanTable* t = all_loan_tables; t != nullptr; t = t->next) {
      if (!t->owned) {
        t->owned = true;
        table_ = t;
        return;
      }
    }
    table_ = new (std::nothrow) LoanTable;
    if (table_ == nullptr) return;  // no table: this thread's Selects count their copies
    table_->next = all_loan_tables;
    all_loan_tables = table_;
  }
  ~ThreadLoans() {
    exited = true;
    if (table_ == nullptr) return;
    const std::lock_guard<std::mutex> lock(loan_mutex());
    table_->owned = false;
  }
  ThreadLoans(const ThreadLoans&) = delete;
  ThreadLoans& operator=(const ThreadLoans&) = delete;

  // A free slot of this thread's table, or null when all are in use.
  LoanSlot* free_slot() noexcept {
    if (table_ == nullptr) return nullptr;
    for (std::size_t tried = 0; tried < LoanTable::kSlots; ++tried) {
      LoanSlot& slot = table_->slots[next_];
      next_ = (next_ + 1) % LoanTable::kSlots;
      // ORDERING(select-loan-slot-free): relaxed; only this thread fills
      // its slots, so a slot seen free stays free until it is filled below
      // (by select_entry_take); the key a Select clears and the count a
      // last release hands back are seen eventually, and until then the
      // slot is only passed over.
      if (slot.key.load(std::memory_order_relaxed) == nullptr &&
          slot.handed.load(std::memory_order_relaxed) == nullptr) {
        return &slot;
      }
    }
    return nullptr;
  }

  // Set when the thread's table has been left (thread exit): its last
  // Selects count their copies.
  static thread_local bool exited;

 private:
  LoanTable* table_ = nullptr;
  std::size_t next_ = 0;
};

thread_local bool ThreadLoans::exited = false;

LoanSlot* free_loan_slot() noexcept {
  if (ThreadLoans::exited) return nullptr;
  thread_local ThreadLoans loans;
  return loans.free_slot();
}

}  // namespace

namespace {

void take(LoanSlot* slot, const SelectHandle& end, SelectCopy& copy, SelectEntry& entry) noexcept {
  if (slot != nullptr) {
    const void* key = nullptr;
    if (SelectHandle* loan = end.loan_into(copy.bytes.data(), key)) {
      // ORDERING(select-loan-slot-fill): relaxed; a last release of the
      // side reads the slot only after this (the end lent from was alive
      // here, and the release of its count reaches the last release through
      // the count's acq_rel read-modify-writes).
      slot->key.store(key, std::memory_order_relaxed);
      entry.handle = loan;
      entry.loan = slot;
      entry.key = key;
      return;
    }
  }
  entry.handle = end.copy_into(copy.bytes.data());
  entry.loan = nullptr;
  entry.key = nullptr;
}

}  // namespace

void select_entry_take(const SelectHandle& end, SelectCopy& copy, SelectEntry& entry) noexcept {
  take(free_loan_slot(), end, copy, entry);
}

void select_entry_take_from_loan(const SelectHandle& loan, SelectCopy& copy,
                                 SelectEntry& entry) noexcept {
  LoanSlot* slot = free_loan_slot();  // before the lock: a thread's first table takes it
  // A loan made from a loan is not ordered after a last release of its side
  // by the end it was lent from, as one made from an end is: made under the
  // lock, it is either seen by a last release's look for live loans, or
  // made after it, from a loan that the release found and that holds the
  // side.
  const std::lock_guard<std::mutex> lock(loan_mutex());
  take(slot, loan, copy, entry);
}

void select_entries_end(std::span<const SelectEntry> entries) noexcept {
  for (const SelectEntry& entry : entries) {
    if (entry.loan == nullptr) continue;
    // ORDERING(select-loan-end): relaxed, published by the handshake below.
    entry.loan->key.store(nullptr, std::memory_order_relaxed);
  }
  // One side of the handshake with a last release, once per table (the
  // loans of a Select are in one table, unless it was copied or moved from
  // one thread to another).
  std::atomic<std::uint64_t>* done = nullptr;
  for (const SelectEntry& entry : entries) {
    if (entry.loan == nullptr || entry.loan->ended == done) continue;
    done = entry.loan->ended;
    handshake(*done);
  }
  for (const SelectEntry& entry : entries) {
    if (entry.loan == nullptr) {
      entry.handle->destroy_copy();
      continue;
    }
    // ORDERING(select-loan-handed-read): relaxed; a handed count for this key is
    // then taken with the compare-exchange (seq_cst), which decides between
    // this Select and the last release that handed it.
    const void* handed = entry.loan->handed.load(std::memory_order_relaxed);
    if (handed == entry.key && entry.loan->handed.compare_exchange_strong(handed, nullptr)) {
      entry.handle->release_handed();  // the loan took the side's last count over
    }
    // The loan itself is not destroyed (SelectHandle::loan_into): its
    // storage is reused by the next operation added or freed with the Select.
  }
}

bool select_loan_takes_over(const void* key) noexcept {
  const std::lock_guard<std::mutex> lock(loan_mutex());
  for (LoanTable* table = all_loan_tables; table != nullptr; table = table->next) {
    for (LoanSlot& slot : table->slots) {
      if (slot.key.load() != key) continue;
      const void* none = nullptr;
      if (!slot.handed.compare_exchange_strong(none, key)) {
        // A count of this side already waits here (the last releases are
        // serialized, and a handed count is counted): the side is held for
        // this loan already. (Not reached: a side with a handed count has
        // no last release.)
        return true;
      }
      handshake(table->ended);  // the other side of the handshake
      if (slot.key.load() == key) return true;  // its Select takes the count when it ends the loan
      const void* mine = key;
      if (!slot.handed.compare_exchange_strong(mine, nullptr)) return true;  // it took it
      // The loan ended before it could see the count: ours again; look further.
    }
  }
  return false;
}

bool run_select(std::span<SelectEntry> entries, bool now_only, Deadline deadline,
                SelectResult& out) {
  if (entries.empty()) {
    if (!now_only) sleep_until(deadline);
    return false;
  }
  Token& token = out.token;
  // The selected entry, recorded where the caller will read it.
  const auto selected = [&out](const SelectEntry& entry) {
    out.index = entry.index;
    out.channel = entry.handle->channel_id();
    out.sending = entry.sending;
    return true;
  };
  if (const SelectEntry* ready = try_each(entries, token, /*shuffled=*/false)) {
    return selected(*ready);
  }
  for (;;) {
    if (timed_out(now_only, deadline)) return false;
    {
      const ContextLease lease;
      const Context& cx = lease.context();
      Selected sel = Selected::waiting();
      std::optional<std::size_t> index_ready;
      {
        Registrations<false> registered(entries);
        try {
          for (SelectEntry& entry : entries) {
            registered.add();
            // True: the operation became ready while we registered. Abort the
            // wait and try it below.
            if (entry.handle->register_op(operation_hook(&entry), cx)) {
              if (cx.try_select(Selected::aborted(), &sel)) {
                sel = Selected::aborted();
                index_ready = entry.index;
              }
              break;
            }
            // Another thread selected one of our operations already.
            sel = cx.selected();
            if (!sel.is_waiting()) break;
          }
        } catch (...) {
          // A registration failed (std::bad_alloc). The operations registered
          // before it stay live until `registered` unregisters them, so a
          // partner may have selected one meanwhile (while the exception
          // unwound, too), and then it has done its half: a rendezvous
          // sender put its message in our packet and returned success, a
          // rendezvous receiver waits for our op.send(). Abort our wait: if
          // that wins, no partner selected us and none can any more, so this
          // select did nothing and the exception goes to the caller. If it
          // loses, the partner's selection stands and is finished below as
          // if the registration had succeeded: throwing would lose the
          // sender's message, or leave the receiver waiting forever.
          if (cx.try_select(Selected::aborted(), &sel)) throw;
        }
        // A Select waits as a blocked send() or recv() does (see
        // PollWait::for_completion() in channel/wait.h): a short spin, a few
        // yields, then it parks. A rendezvous receiver that selects one of
        // our sends then waits for our op.send() to write, but that receiver
        // polls its packet for a while itself before it parks.
        if (sel.is_waiting()) {
          sel = cx.wait_until(earliest(entries, deadline), PollWait::for_completion());
        }
      }  // unregisters every registered operation
      if (sel == Selected::aborted() && index_ready) {
        for (const SelectEntry& entry : entries) {
          if (entry.index == *index_ready && entry.handle->try_select(token)) {
            return selected(entry);
          }
        }
      } else if (sel.is_operation()) {
        for (SelectEntry& entry : entries) {
          if (sel == Selected::operation(operation_hook(&entry)) &&
              entry.handle->accept(token, cx)) {
            return selected(entry);
          }
        }
      }
    }
    if (const SelectEntry* ready = try_each(entries, token, /*shuffled=*/true)) {
      return selected(*ready);
    }
  }
}

std::optional<std::size_t> run_ready(std::span<SelectEntry> entries, bool now_only,
                                     Deadline deadline) {
  if (entries.empty()) {
    if (!now_only) sleep_until(deadline);
    return std::nullopt;
  }
  shuffle(entries);
  for (;;) {
    Backoff backoff;
    for (;;) {
      for (const SelectEntry& entry : entries) {
        if (entry.handle->is_ready()) return entry.index;
      }
      if (backoff.is_completed()) break;
      backoff.snooze();
    }
    if (timed_out(now_only, deadline)) return std::nullopt;
    const ContextLease lease;
    const Context& cx = lease.context();
    Selected sel = Selected::waiting();
    {
      Registrations<true> watched(entries);
      for (SelectEntry& entry : entries) {
        watched.add();
        const Operation oper = operation_hook(&entry);
        if (entry.handle->watch(oper, cx)) {
          sel = cx.try_select(Selected::operation(oper), &sel) ? Selected::operation(oper) : sel;
          break;
        }
        sel = cx.selected();
        if (!sel.is_waiting()) break;
      }
      // An observer is only told that something changed: nobody waits for it.
      if (sel.is_waiting()) {
        sel = cx.wait_until(earliest(entries, deadline), PollWait::for_completion());
      }
    }  // unwatches every watched operation
    if (sel.is_operation()) {
      for (SelectEntry& entry : entries) {
        if (sel == Selected::operation(operation_hook(&entry))) return entry.index;
      }
    }
  }
}

void selected_operation_dropped(std::size_t index) noexcept {
  std::fprintf(stderr,
               "ferrite::channel::SelectedOperation (index %zu) destroyed without completing the "
               "operation: call op.recv(rx) or op.send(tx, msg)\n",
               index);
  std::abort();
}

void select_misuse(const char* message) { panic(message); }

}  // namespace ferrite::detail

namespace ferrite::channel {

Select::Select(const Select& other) : Select() { copy_from(other); }

// Copies rather than steals: the in-place copies of the ends cannot move
// without their own handles (the entries point at them).
Select::Select(Select&& other) : Select() {
  copy_from(other);
  other.clear();
}

Select& Select::operator=(const Select& other) {
  if (this != &other) {
    clear();
    copy_from(other);
  }
  return *this;
}

Select& Select::operator=(Select&& other) {
  if (this != &other) {
    clear();
    copy_from(other);
    other.clear();
  }
  return *this;
}

Select::~Select() { detail::select_entries_end(entries()); }

void Select::copy_from(const Select& other) {
  for (const detail::SelectEntry& entry : other.entries()) {
    const bool from_loan = entry.loan != nullptr;
    if (!spilled_ && count_ < kInline) {
      add_in_place(*entry.handle, entry.index, entry.sending, from_loan);
    } else {
      add_to_heap(*entry.handle, entry.index, entry.sending, from_loan);
    }
  }
  next_index_ = other.next_index_;
}

void Select::release_copy(const detail::SelectEntry& entry) noexcept {
  const std::array<detail::SelectEntry, 1> one{entry};
  detail::select_entries_end(one);
  for (std::size_t slot = 0; slot < kInline; ++slot) {
    if (entry.copy == &copies_[slot]) {
      free_copies_ |= std::uint32_t{1} << slot;
      return;
    }
  }
  const auto owner =
      std::find_if(heap_copies_.begin(), heap_copies_.end(),
                   [&](const std::unique_ptr<detail::SelectCopy>& c) { return c.get() == entry.copy; });
  if (owner != heap_copies_.end()) heap_copies_.erase(owner);
}

void Select::clear() noexcept {
  detail::select_entries_end(entries());
  heap_.clear();
  heap_copies_.clear();
  free_copies_ = kAllInlineCopiesFree;
  spilled_ = false;
  count_ = 0;
  next_index_ = 0;
}

void Select::remove(std::size_t index) {
  const std::span<detail::SelectEntry> all = entries();
  const auto it = std::find_if(all.begin(), all.end(),
                               [index](const detail::SelectEntry& e) { return e.index == index; });
  if (it == all.end()) {
    detail::select_misuse("ferrite::channel::Select::remove: no operation with this index");
  }
  release_copy(*it);
  std::move(it + 1, all.end(), it);  // keep the order of the others
  if (spilled_) heap_.pop_back();
  --count_;
}

void Select::add_to_heap(const detail::SelectHandle& end, std::size_t index, bool sending,
                         bool from_loan) {
  // First everything that may throw (std::bad_alloc), so that nothing
  // changes if it does.
  if (!spilled_) {
    const std::span<const detail::SelectEntry> in_place = std::span(inline_).first(count_);
    heap_.reserve(count_ + 1);
    heap_.assign(in_place.begin(), in_place.end());
  } else {
    heap_.reserve(heap_.size() + 1);
  }
  detail::SelectCopy* copy = nullptr;
  if (free_copies_ != 0) {
    copy = &copies_[static_cast<std::size_t>(std::countr_zero(free_copies_))];
  } else {
    heap_copies_.reserve(heap_copies_.size() + 1);
    heap_copies_.push_back(std::make_unique<detail::SelectCopy>());
    copy = heap_copies_.back().get();
  }
  // Nothing below throws.
  for (std::size_t slot = 0; slot < kInline; ++slot) {
    if (copy == &copies_[slot]) free_copies_ &= ~(std::uint32_t{1} << slot);
  }
  detail::SelectEntry entry{nullptr, copy, nullptr, nullptr, index, sending};
  if (from_loan) {
    detail::select_entry_take_from_loan(end, *copy, entry);
  } else {
    detail::select_entry_take(end, *copy, entry);
  }
  heap_.push_back(entry);
  spilled_ = true;
  ++count_;
}

SelectedOperation Select::select() {
  if (count_ == 0) {
    detail::select_misuse("ferrite::channel::Select::select: no operations have been added");
  }
  detail::lock_order_before_blocking("ferrite::channel::Select::select");
  SelectedOperation op;  // returned in place (NRVO): the token is written where it is read
  detail::run_select(entries(), false, detail::kNoDeadline, op.result_);  // blocks until one is
  op.completed_ = false;
  return op;
}

std::optional<SelectedOperation> Select::run(bool now_only, detail::Deadline deadline) {
  std::optional<SelectedOperation> op(SelectedOperation{});
  if (!detail::run_select(entries(), now_only, deadline, op->result_)) return std::nullopt;
  op->completed_ = false;
  return op;
}

std::optional<SelectedOperation> Select::try_select() { return run(true, detail::kNoDeadline); }

std::optional<SelectedOperation> Select::select_deadline(Instant deadline) {
  return run(false, deadline);
}

std::size_t Select::ready() {
  if (count_ == 0) {
    detail::select_misuse("ferrite::channel::Select::ready: no operations have been added");
  }
  return *detail::run_ready(entries(), false, detail::kNoDeadline);
}

std::optional<std::size_t> Select::try_ready() {
  return detail::run_ready(entries(), true, detail::kNoDeadline);
}

std::optional<std::size_t> Select::ready_deadline(Instant deadline) {
  return detail::run_ready(entries(), false, deadline);
}

}  // namespace ferrite::channel
