// ferrite/channel_select.h — waiting on several channel operations at once
// (crossbeam-channel's dynamic Select; included by ferrite/channel.h).
//
// Add operations, each getting an index in the order added; select() blocks
// until one of them can proceed, *starts* it, and returns a
// SelectedOperation whose index() says which. The caller must then finish
// exactly that operation with `op.recv(rx)` or `op.send(tx, msg)`, passing
// the Receiver/Sender that was added (or another end of its channel):
//
//   auto [tx1, rx1] = ferrite::channel::unbounded<int>();
//   auto [tx2, rx2] = ferrite::channel::unbounded<int>();
//   tx2.send(7);
//   ferrite::channel::Select sel;
//   const std::size_t first = sel.recv(rx1);   // index 0
//   const std::size_t second = sel.recv(rx2);  // index 1
//   ferrite::channel::SelectedOperation op = sel.select();
//   // op.index() == second; *op.recv(rx2) == 7
//
// When several operations are ready, one is chosen at random (fairness).
// A send or receive on a disconnected channel counts as ready: it completes
// at once with its error.
//
// Contract of Select:
// * `send(tx)` / `recv(rx)` add an operation and return its index. They take
//   lvalues only: an rvalue end (`sel.recv(channel::after(d))`,
//   `sel.recv(std::move(rx))`) is a compile error, since the caller needs the
//   end afterwards to finish the operation (`op.recv(rx)`); store it in a
//   variable that outlives the Select:
//     auto timeout = ferrite::channel::after(d);
//     sel.recv(timeout);
// * Select keeps its own copy of each end it was given, and never the end's
//   address. So an end destroyed, moved from, assigned to or swapped while
//   it is registered is never touched: select(), try_select() and ready()
//   go on working on the copy, and the selected operation is finished with
//   any end of the same channel (a clone the caller kept). As long as the
//   Select holds a sender's copy, the channel counts that sender (in
//   crossbeam the Select borrows the sender, which keeps it alive just the
//   same). The copy is a loan, not counted: when the last count of a side
//   goes while a Select holds a loan of it, the Select takes that count
//   over until remove() or ~Select (lib/channel_select.cc has the scheme).
// * `remove(index)` removes an operation (panics for an unknown index).
// * `select()` blocks until an operation is selected; `try_select()` does
//   not block (nullopt if none is ready); `select_timeout(d)` /
//   `select_deadline(t)` give up with nullopt when the time passes.
// * `ready()` / `try_ready()` / `ready_timeout(d)` / `ready_deadline(t)` do
//   the same but only *report* the index of an operation that may proceed,
//   without starting it (another thread may take it first: retry with
//   try_recv/try_send).
// * select() and ready() with no operations added panic (they would block
//   forever).
// Copying a Select copies its operations (same indices, one more handle of
// each channel); a moved-from Select is empty.
// Select is neither Send nor Sync in spirit (crossbeam's borrows the channel
// ends); use it on one thread.
//
// Contract of SelectedOperation:
// * `index()`: the selected operation's index.
// * `recv(rx)` (for a selected receive) → std::expected<T, RecvError>;
//   `send(tx, msg)` (for a selected send) → std::expected<void, SendError<T>>
//   (the error means the channel is disconnected and hands msg back).
// * Pass the end added for this index, or any end of the same channel and
//   direction (a clone of it): SelectedOperation compares channels, not
//   addresses, and keeps nothing, so a temporary clone is fine too. An end
//   of another channel, or recv() for a selected send (send() for a
//   selected receive), panics and leaves the operation pending (call again
//   with the right one).
// * Completing it twice panics. Destroying it without completing it is a
//   bug that would wedge the channel's partner (a rendezvous sender is
//   waiting for this very receive): the destructor prints a message and
//   aborts the process, as crossbeam's panics in Drop.
// Movable, not copyable.
#pragma once

#include <array>
#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <memory>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/channel/token.h"
#include "ferrite/detail/config.h"
#include "ferrite/detail/deadline.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

// Room for a Select's copy of one channel end (SelectHandle::copy_into).
struct alignas(kSelectCopyAlign) SelectCopy {
  std::array<std::byte, kSelectCopySize> bytes;
};

// A slot of a thread's table of loans (lib/channel_select.cc).
struct LoanSlot;

// One operation of a Select: the Select's own loan or copy of the channel
// end, the operation's index, and its direction.
struct SelectEntry {
  SelectHandle* handle;  // the loan or copy, constructed in *copy
  SelectCopy* copy;      // its storage, owned by the Select
  LoanSlot* loan;        // the loan's slot, or null: a counted copy
  const void* key;       // the loan's key (see Counter::lend)
  std::size_t index;
  bool sending;
};

// Sets `entry`'s handle, loan and key: a loan of `end` constructed in
// `copy` where the end can be lent and this thread has a free slot, else a
// counted copy. Nothing else of `entry` is touched.
void select_entry_take(const SelectHandle& end, SelectCopy& copy, SelectEntry& entry) noexcept;
// The same from another entry's loan (a copy of a Select).
void select_entry_take_from_loan(const SelectHandle& loan, SelectCopy& copy,
                                 SelectEntry& entry) noexcept;
// Ends the loans of `entries` (one fence for all of them; a loan itself is
// not destroyed, see SelectHandle::loan_into) and destroys their counted
// copies.
void select_entries_end(std::span<const SelectEntry> entries) noexcept;

// The operation a select started, and which channel and direction it is
// (compared by SelectedOperation).
struct SelectResult {
  Token token;
  std::size_t index;
  const void* channel;  // the end's channel_id()
  bool sending;
};

// The run loops of Select (crossbeam's run_select / run_ready), in
// lib/channel_select.cc. `now_only`: do not block at all; otherwise block
// until `deadline` (kNoDeadline: forever). Both shuffle `entries`.
// run_select starts the operation in `*out` (its final home: copying a token
// right after the channel wrote it stalls the CPU's store forwarding) and
// returns false if none was selected.
bool run_select(std::span<SelectEntry> entries, bool now_only, Deadline deadline,
                SelectResult& out);
std::optional<std::size_t> run_ready(std::span<SelectEntry> entries, bool now_only,
                                     Deadline deadline);

// Aborts the process: a SelectedOperation was destroyed without completing.
[[noreturn]] void selected_operation_dropped(std::size_t index) noexcept;
// Panics with `message` (out of line, keeps the templates small).
[[noreturn]] void select_misuse(const char* message);

}  // namespace ferrite::detail

namespace ferrite::channel {

/// The operation a Select chose and started, which the caller must finish with
/// recv(rx) or send(tx, msg) on an end of the same channel.
///
/// Contract: index() says which operation was chosen. Passing an end of
/// another channel, or the wrong direction, panics and leaves the operation
/// pending. Completing it twice panics; destroying it without completing it
/// prints a message and aborts (the channel's partner may be waiting on it),
/// as crossbeam's panics in Drop. Movable, not copyable.
class SelectedOperation {
 public:
  /// Takes over `other`'s pending operation; `other` counts as completed.
  SelectedOperation(SelectedOperation&& other) noexcept
      : result_(other.result_), completed_(std::exchange(other.completed_, true)) {}
  SelectedOperation& operator=(SelectedOperation&&) = delete;
  SelectedOperation(const SelectedOperation&) = delete;
  SelectedOperation& operator=(const SelectedOperation&) = delete;
  ~SelectedOperation() {
    if (!completed_) detail::selected_operation_dropped(result_.index);
  }

  /// The index (as returned by Select::send/recv) of the chosen operation.
  std::size_t index() const noexcept { return result_.index; }

  /// Finishes a selected receive with `rx` (the added receiver, or another end of
  /// its channel): the message, or RecvError if the channel is disconnected.
  template <class T>
  std::expected<T, RecvError> recv(const Receiver<T>& rx) {
    check(rx.channel_id(), false,
          "ferrite::channel::SelectedOperation::recv: this receiver was not selected");
    completed_ = true;
    return rx.read_selected(result_.token);
  }

  /// Finishes a selected send of `msg` with `tx` (the added sender, or another end
  /// of its channel); SendError hands `msg` back if the channel is disconnected.
  template <class T>
  std::expected<void, SendError<T>> send(const Sender<T>& tx, T msg) {
    check(tx.channel_id(), true,
          "ferrite::channel::SelectedOperation::send: this sender was not selected");
    completed_ = true;
    if (tx.write_selected(result_.token, msg)) return {};
    return std::unexpected(SendError<T>(std::move(msg)));
  }

 private:
  friend class Select;
  // Nothing pending yet: Select fills result_ in place, then sets completed_.
  SelectedOperation() noexcept : completed_(true) {}

  void check(const void* channel, bool sending, const char* message) const {
    if (completed_) {
      detail::select_misuse(
          "ferrite::channel::SelectedOperation: the operation was already completed");
    }
    if (channel != result_.channel || sending != result_.sending) detail::select_misuse(message);
  }

  detail::SelectResult result_{};
  bool completed_;
};

#if defined(__clang__)
#pragma clang diagnostic push
// `= FERRITE_DELETE("reason")` is C++26 (P2573); clang 19 accepts it as an extension.
#pragma clang diagnostic ignored "-Wc++26-extensions"
#endif

/// Waits on several channel operations at once (crossbeam-channel's dynamic
/// Select).
///
/// Add operations with send(tx) / recv(rx), each getting an index in the order
/// added; select() blocks until one can proceed, starts it and returns a
/// SelectedOperation to finish. When several are ready, one is chosen at
/// random; an operation on a disconnected channel counts as ready. Select keeps
/// its own copy of each end (a loan, see the file's comment), never the end's
/// address. select() and ready()
/// with no operations panic. Use it on one thread.
///
/// The selecting calls allocate to register their operations and may throw
/// std::bad_alloc; one that throws has selected nothing, and no partner was
/// told that an operation completed (a partner that selected one of the
/// operations before an allocation failed gets it: the call returns that
/// operation instead of throwing).
///
/// ```cpp
///     auto [tx1, rx1] = ferrite::channel::unbounded<int>();
///     auto [tx2, rx2] = ferrite::channel::unbounded<int>();
///     tx2.send(7);
///     ferrite::channel::Select sel;
///     const std::size_t first = sel.recv(rx1);   // index 0
///     const std::size_t second = sel.recv(rx2);  // index 1
///     ferrite::channel::SelectedOperation op = sel.select();
///     // op.index() == second; *op.recv(rx2) == 7
/// ```
class Select {
 public:
  Select() = default;
  /// A copy has the same operations with the same indices (each one more
  /// handle of its channel); a moved-from Select is empty, as a new one.
  Select(const Select& other);
  /// Takes `other`'s operations; `other` is left empty, as a new Select.
  Select(Select&& other);
  /// Replaces this Select's operations with copies of `other`'s.
  Select& operator=(const Select& other);
  /// Replaces this Select's operations with `other`'s; `other` is left empty.
  Select& operator=(Select&& other);
  ~Select();

  /// Adds a send on `tx`'s channel; returns its index. Takes lvalues only.
  template <class T>
  std::size_t send(const Sender<T>& tx) {
    return add(tx.select_handle(), true);
  }
  /// Adds a receive on `rx`'s channel; returns its index. Takes lvalues only.
  template <class T>
  std::size_t recv(const Receiver<T>& rx) {
    return add(rx.select_handle(), false);
  }
  /// A temporary end would be gone before the selected operation could be
  /// finished with it (op.send(tx, msg) / op.recv(rx) take the end).
  template <class T>
  std::size_t send(const Sender<T>&& tx) = FERRITE_DELETE(
      "ferrite::channel::Select::send: the sender is an rvalue (a temporary, or std::move'd), "
      "which may be gone before select() returns, and op.send(tx, msg) needs it to finish the "
      "operation; store it in a variable that outlives the Select, e.g. "
      "`auto tx2 = tx.clone(); sel.send(tx2);`");
  /// Deleted: an rvalue receiver would be gone before op.recv(rx) could finish
  /// the operation; store it in a variable that outlives the Select.
  template <class T>
  std::size_t recv(const Receiver<T>&& rx) = FERRITE_DELETE(
      "ferrite::channel::Select::recv: the receiver is an rvalue (a temporary, or std::move'd), "
      "which may be gone before select() returns, and op.recv(rx) needs it to finish the "
      "operation; store it in a variable that outlives the Select, e.g. "
      "`auto timeout = channel::after(d); sel.recv(timeout);`");
  /// Removes the operation with `index`; panics if there is none.
  void remove(std::size_t index);

  /// Blocks until an operation can proceed, starts it and returns it.
  SelectedOperation select();
  /// As select(), without blocking: nullopt if no operation is ready now.
  std::optional<SelectedOperation> try_select();
  /// As select(), but nullopt once `timeout` has passed.
  template <class Rep, class Period>
  std::optional<SelectedOperation> select_timeout(std::chrono::duration<Rep, Period> timeout) {
    return select_deadline(detail::deadline_after(timeout));
  }
  /// As select(), but nullopt once `deadline` has passed.
  std::optional<SelectedOperation> select_deadline(Instant deadline);

  /// Blocks until an operation may proceed and returns its index, without
  /// starting it (another thread may take it first: retry with try_recv/try_send).
  std::size_t ready();
  /// As ready(), without blocking: nullopt if no operation is ready now.
  std::optional<std::size_t> try_ready();
  /// As ready(), but nullopt once `timeout` has passed.
  template <class Rep, class Period>
  std::optional<std::size_t> ready_timeout(std::chrono::duration<Rep, Period> timeout) {
    return ready_deadline(detail::deadline_after(timeout));
  }
  /// As ready(), but nullopt once `deadline` has passed.
  std::optional<std::size_t> ready_deadline(Instant deadline);

 private:
  // crossbeam's select! keeps its operations on the stack; so do we, up to
  // kInline of them (entries and copies of the ends), so that a Select built
  // per message allocates nothing.
  static constexpr std::size_t kInline = 8;
  static constexpr std::uint32_t kAllInlineCopiesFree = (std::uint32_t{1} << kInline) - 1;

  std::size_t add(const detail::SelectHandle& end, bool sending) {
    if (spilled_ || count_ == kInline) {
      add_to_heap(end, next_index_, sending);
    } else {
      add_in_place(end, next_index_, sending);
    }
    return next_index_++;
  }
  // Requires !spilled_ && count_ < kInline.
  // `from_loan`: `end` is another Select's loan (copy_from).
  void add_in_place(const detail::SelectHandle& end, std::size_t index, bool sending,
                    bool from_loan = false) {
    // Not spilled: the in-place entries hold the in-place copies, so one is free.
    const auto slot = static_cast<std::size_t>(std::countr_zero(free_copies_));
    detail::SelectCopy& copy = copies_[slot];
    // Field by field, not through a temporary: see run_select on store forwarding.
    detail::SelectEntry& entry = inline_[count_];
    if (from_loan) {
      detail::select_entry_take_from_loan(end, copy, entry);
    } else {
      detail::select_entry_take(end, copy, entry);
    }
    entry.copy = &copy;
    entry.index = index;
    entry.sending = sending;
    free_copies_ &= ~(std::uint32_t{1} << slot);
    ++count_;
  }
  void add_to_heap(const detail::SelectHandle& end, std::size_t index, bool sending,
                   bool from_loan = false);
  // Adds a copy of each of `other`'s operations, with its index.
  void copy_from(const Select& other);
  // Destroys the copy of the end of `entry` and frees its storage.
  void release_copy(const detail::SelectEntry& entry) noexcept;
  // Removes every operation: as a new Select.
  void clear() noexcept;
  // Runs run_select into a fresh SelectedOperation; nullopt if none was selected.
  std::optional<SelectedOperation> run(bool now_only, detail::Deadline deadline);

  std::span<detail::SelectEntry> entries() noexcept {
    if (spilled_) return heap_;
    return std::span(inline_).first(count_);
  }
  std::span<const detail::SelectEntry> entries() const noexcept {
    if (spilled_) return heap_;
    return std::span(inline_).first(count_);
  }

  std::array<detail::SelectEntry, kInline> inline_;  // the first count_ are set
  std::array<detail::SelectCopy, kInline> copies_;   // storage for the copies of the ends
  std::uint32_t free_copies_ = kAllInlineCopiesFree;  // bit i: copies_[i] holds no copy
  std::vector<detail::SelectEntry> heap_;  // all the entries, once there were more than kInline
  // Storage for the copies that do not fit in copies_ (the 9th operation on).
  std::vector<std::unique_ptr<detail::SelectCopy>> heap_copies_;
  bool spilled_ = false;
  std::size_t count_ = 0;
  std::size_t next_index_ = 0;
};

#if defined(__clang__)
#pragma clang diagnostic pop
#endif

}  // namespace ferrite::channel
