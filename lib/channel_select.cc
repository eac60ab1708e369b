// lib/channel_select.cc — the run loops of channel::Select (see
// ferrite/channel_select.h; crossbeam-channel's select.rs).
#include "ferrite/channel_select.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "ferrite/channel.h"
#include "ferrite/channel_counter.h"
#include "ferrite/panic.h"

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

void shuffle(std::span<SelectEntry> entries) noexcept {
  for (std::size_t i = entries.size(); i > 1; --i) {
    const std::size_t j = next_random() % i;
    std::swap(entries[i - 1], entries[j]);
  }
}

bool timed_out(bool now_only, Deadline deadline) {
  return now_only || (deadline != kNoDeadline && std::chrono::steady_clock::now() >= deadline);
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

std::optional<SelectResult> run_select(std::span<SelectEntry> entries, bool now_only,
                                       Deadline deadline) {
  if (entries.empty()) {
    if (!now_only) sleep_until(deadline);
    return std::nullopt;
  }
  shuffle(entries);
  Token token;
  for (const SelectEntry& entry : entries) {
    if (entry.handle->try_select(token)) return SelectResult{token, entry.index, entry.end};
  }
  for (;;) {
    if (timed_out(now_only, deadline)) return std::nullopt;
    {
      const ContextLease lease;
      const Context& cx = lease.context();
      Selected sel = Selected::waiting();
      std::optional<std::size_t> index_ready;
      {
        Registrations<false> registered(entries);
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
        if (sel.is_waiting()) sel = cx.wait_until(earliest(entries, deadline));
      }  // unregisters every registered operation
      if (sel == Selected::aborted() && index_ready) {
        for (const SelectEntry& entry : entries) {
          if (entry.index == *index_ready && entry.handle->try_select(token)) {
            return SelectResult{token, entry.index, entry.end};
          }
        }
      } else if (sel.is_operation()) {
        for (SelectEntry& entry : entries) {
          if (sel == Selected::operation(operation_hook(&entry)) &&
              entry.handle->accept(token, cx)) {
            return SelectResult{token, entry.index, entry.end};
          }
        }
      }
    }
    for (const SelectEntry& entry : entries) {
      if (entry.handle->try_select(token)) return SelectResult{token, entry.index, entry.end};
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
      if (sel.is_waiting()) sel = cx.wait_until(earliest(entries, deadline));
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

void moved_from_channel_end(const char* what) {
  std::string message(what);
  message += ": this channel end was moved from";
  panic(std::move(message));
}

}  // namespace ferrite::detail

namespace ferrite::channel {

void Select::remove(std::size_t index) {
  const auto it = std::find_if(entries_.begin(), entries_.end(),
                               [index](const detail::SelectEntry& e) { return e.index == index; });
  if (it == entries_.end()) {
    detail::select_misuse("ferrite::channel::Select::remove: no operation with this index");
  }
  entries_.erase(it);
}

SelectedOperation Select::select() {
  if (entries_.empty()) {
    detail::select_misuse("ferrite::channel::Select::select: no operations have been added");
  }
  return SelectedOperation(*detail::run_select(entries_, false, detail::kNoDeadline));
}

std::optional<SelectedOperation> Select::try_select() {
  auto result = detail::run_select(entries_, true, detail::kNoDeadline);
  if (!result) return std::nullopt;
  return SelectedOperation(*result);
}

std::optional<SelectedOperation> Select::select_deadline(Instant deadline) {
  auto result = detail::run_select(entries_, false, deadline);
  if (!result) return std::nullopt;
  return SelectedOperation(*result);
}

std::size_t Select::ready() {
  if (entries_.empty()) {
    detail::select_misuse("ferrite::channel::Select::ready: no operations have been added");
  }
  return *detail::run_ready(entries_, false, detail::kNoDeadline);
}

std::optional<std::size_t> Select::try_ready() {
  return detail::run_ready(entries_, true, detail::kNoDeadline);
}

std::optional<std::size_t> Select::ready_deadline(Instant deadline) {
  return detail::run_ready(entries_, false, deadline);
}

}  // namespace ferrite::channel
