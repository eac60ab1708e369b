// ferrite/channel_select.h — waiting on several channel operations at once
// (crossbeam-channel's dynamic Select; included by ferrite/channel.h).
//
// Add operations, each getting an index in the order added; select() blocks
// until one of them can proceed, *starts* it, and returns a
// SelectedOperation whose index() says which. The caller must then finish
// exactly that operation with `op.recv(rx)` or `op.send(tx, msg)`, passing
// the same Receiver/Sender object that was added:
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
// * `send(tx)` / `recv(rx)` add an operation and return its index. Select
//   keeps a pointer to `tx`/`rx`: they must outlive it (invalid otherwise).
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
// Select is neither Send nor Sync in spirit (it borrows the channel ends);
// use it on one thread.
//
// Contract of SelectedOperation:
// * `index()`: the selected operation's index.
// * `recv(rx)` (for a selected receive) → std::expected<T, RecvError>;
//   `send(tx, msg)` (for a selected send) → std::expected<void, SendError<T>>
//   (the error means the channel is disconnected and hands msg back).
// * Passing an end other than the one added for this index panics and
//   leaves the operation pending (call again with the right one).
// * Completing it twice panics. Destroying it without completing it is a
//   bug that would wedge the channel's partner (a rendezvous sender is
//   waiting for this very receive): the destructor prints a message and
//   aborts the process, as crossbeam's panics in Drop.
// Movable, not copyable.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <expected>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/channel/token.h"
#include "ferrite/detail/deadline.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

// One operation of a Select: its handle, its index, and the channel end it
// was added with (compared by SelectedOperation).
struct SelectEntry {
  const SelectHandle* handle;
  std::size_t index;
  const void* end;
};

// The operation a select started.
struct SelectResult {
  Token token;
  std::size_t index;
  const void* end;
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

class SelectedOperation {
 public:
  SelectedOperation(SelectedOperation&& other) noexcept
      : result_(other.result_), completed_(std::exchange(other.completed_, true)) {}
  SelectedOperation& operator=(SelectedOperation&&) = delete;
  SelectedOperation(const SelectedOperation&) = delete;
  SelectedOperation& operator=(const SelectedOperation&) = delete;
  ~SelectedOperation() {
    if (!completed_) detail::selected_operation_dropped(result_.index);
  }

  std::size_t index() const noexcept { return result_.index; }

  template <class T>
  std::expected<T, RecvError> recv(const Receiver<T>& rx) {
    check(&rx, "ferrite::channel::SelectedOperation::recv: this receiver was not selected");
    completed_ = true;
    return rx.read_selected(result_.token);
  }

  template <class T>
  std::expected<void, SendError<T>> send(const Sender<T>& tx, T msg) {
    check(&tx, "ferrite::channel::SelectedOperation::send: this sender was not selected");
    completed_ = true;
    if (tx.write_selected(result_.token, msg)) return {};
    return std::unexpected(SendError<T>(std::move(msg)));
  }

 private:
  friend class Select;
  // Nothing pending yet: Select fills result_ in place, then sets completed_.
  SelectedOperation() noexcept : completed_(true) {}

  void check(const void* end, const char* message) const {
    if (completed_) {
      detail::select_misuse(
          "ferrite::channel::SelectedOperation: the operation was already completed");
    }
    if (end != result_.end) detail::select_misuse(message);
  }

  detail::SelectResult result_{};
  bool completed_;
};

class Select {
 public:
  Select() = default;

  template <class T>
  std::size_t send(const Sender<T>& tx) {
    return add(&tx.select_handle(), &tx);
  }
  template <class T>
  std::size_t recv(const Receiver<T>& rx) {
    return add(&rx.select_handle(), &rx);
  }
  void remove(std::size_t index);

  SelectedOperation select();
  std::optional<SelectedOperation> try_select();
  template <class Rep, class Period>
  std::optional<SelectedOperation> select_timeout(std::chrono::duration<Rep, Period> timeout) {
    return select_deadline(detail::deadline_after(timeout));
  }
  std::optional<SelectedOperation> select_deadline(Instant deadline);

  std::size_t ready();
  std::optional<std::size_t> try_ready();
  template <class Rep, class Period>
  std::optional<std::size_t> ready_timeout(std::chrono::duration<Rep, Period> timeout) {
    return ready_deadline(detail::deadline_after(timeout));
  }
  std::optional<std::size_t> ready_deadline(Instant deadline);

 private:
  // crossbeam's select! keeps its operations on the stack; so do we, up to
  // kInline of them, so that a Select built per message allocates nothing.
  static constexpr std::size_t kInline = 8;

  std::size_t add(const detail::SelectHandle* handle, const void* end) {
    if (spilled_ || count_ == kInline) return add_to_heap(handle, end);
    // Field by field, not through a temporary: see run_select on store forwarding.
    detail::SelectEntry& entry = inline_[count_];
    entry.handle = handle;
    entry.index = next_index_;
    entry.end = end;
    ++count_;
    return next_index_++;
  }
  std::size_t add_to_heap(const detail::SelectHandle* handle, const void* end);
  // Runs run_select into a fresh SelectedOperation; nullopt if none was selected.
  std::optional<SelectedOperation> run(bool now_only, detail::Deadline deadline);

  std::span<detail::SelectEntry> entries() noexcept {
    if (spilled_) return heap_;
    return std::span(inline_).first(count_);
  }

  std::array<detail::SelectEntry, kInline> inline_;  // the first count_ are set
  std::vector<detail::SelectEntry> heap_;  // all the entries, once there were more than kInline
  bool spilled_ = false;
  std::size_t count_ = 0;
  std::size_t next_index_ = 0;
};

}  // namespace ferrite::channel
