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
#include <memory>
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

bool run_select(std::span<SelectEntry> entries, bool now_only, Deadline deadline,
                SelectResult& out) {
  if (entries.empty()) {
    if (!now_only) sleep_until(deadline);
    return false;
  }
  shuffle(entries);
  Token& token = out.token;
  // The selected entry, recorded where the caller will read it.
  const auto selected = [&out](const SelectEntry& entry) {
    out.index = entry.index;
    out.channel = entry.handle->channel_id();
    out.sending = entry.sending;
    return true;
  };
  for (const SelectEntry& entry : entries) {
    if (entry.handle->try_select(token)) return selected(entry);
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
    for (const SelectEntry& entry : entries) {
      if (entry.handle->try_select(token)) return selected(entry);
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

Select::~Select() {
  for (const detail::SelectEntry& entry : entries()) entry.handle->destroy_copy();
}

void Select::copy_from(const Select& other) {
  for (const detail::SelectEntry& entry : other.entries()) {
    if (!spilled_ && count_ < kInline) {
      add_in_place(*entry.handle, entry.index, entry.sending);
    } else {
      add_to_heap(*entry.handle, entry.index, entry.sending);
    }
  }
  next_index_ = other.next_index_;
}

void Select::release_copy(const detail::SelectEntry& entry) noexcept {
  entry.handle->destroy_copy();
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
  for (const detail::SelectEntry& entry : entries()) entry.handle->destroy_copy();
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

void Select::add_to_heap(const detail::SelectHandle& end, std::size_t index, bool sending) {
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
  heap_.push_back(detail::SelectEntry{end.copy_into(copy->bytes.data()), copy, index, sending});
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
