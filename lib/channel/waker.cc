// lib/channel/waker.cc — lists of blocked channel operations (see
// ferrite/channel/waker.h; crossbeam-channel's waker.rs).
#include "ferrite/channel/waker.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

namespace {

std::optional<WakerEntry> take(std::vector<WakerEntry>& entries, Operation oper) noexcept {
  const auto it = std::find_if(entries.begin(), entries.end(),
                               [oper](const WakerEntry& entry) { return entry.oper == oper; });
  if (it == entries.end()) return std::nullopt;
  std::optional<WakerEntry> entry(std::move(*it));
  entries.erase(it);
  return entry;
}

// Whether nobody has selected the entry's context yet (a selected one waits
// only to run and unregister).
bool still_waits(const WakerEntry& entry) noexcept { return entry.cx.selected().is_waiting(); }

}  // namespace

Waker::~Waker() { FERRITE_DEBUG_ASSERT(is_empty()); }

bool Waker::register_with_packet(Operation oper, void* packet, const Context& cx) {
  const bool others_wait = !selectors_.empty();
  selectors_.push_back(WakerEntry{oper, packet, cx});
  return others_wait;
}

std::optional<WakerEntry> Waker::unregister(Operation oper) noexcept {
  return take(selectors_, oper);
}

bool Waker::can_select() const noexcept {
  const std::uintptr_t me = current_thread_id();
  return std::any_of(selectors_.begin(), selectors_.end(), [me](const WakerEntry& entry) {
    return entry.cx.thread_id() != me && still_waits(entry);
  });
}

bool Waker::has_waiters() const noexcept {
  return !observers_.empty() || std::any_of(selectors_.begin(), selectors_.end(), still_waits);
}

void Waker::watch(Operation oper, const Context& cx) {
  observers_.push_back(WakerEntry{oper, nullptr, cx});
}

void Waker::unwatch(Operation oper) noexcept { take(observers_, oper); }

void Waker::notify() noexcept {
  for (const WakerEntry& entry : observers_) {
    if (entry.cx.try_select(Selected::operation(entry.oper))) entry.cx.unpark();
  }
  observers_.clear();
}

void Waker::disconnect() noexcept {
  for (const WakerEntry& entry : selectors_) {
    if (entry.cx.try_select(Selected::disconnected())) entry.cx.unpark();
  }
  notify();
}

template <class Change>
void SyncWaker::change_list(Change change) noexcept(noexcept(change(std::declval<Waker&>()))) {
  ChannelLock guard(lock_);
  change(waker_);
  update_nobody_to_wake();
}

bool SyncWaker::register_op(Operation oper, const Context& cx) {
  bool others_wait = false;
  change_list([&](Waker& waker) { others_wait = waker.register_op(oper, cx); });
  return others_wait;
}

void SyncWaker::unregister(Operation oper) noexcept {
  change_list([&](Waker& waker) noexcept { waker.unregister(oper); });
}

void SyncWaker::watch(Operation oper, const Context& cx) {
  change_list([&](Waker& waker) { waker.watch(oper, cx); });
}

void SyncWaker::unwatch(Operation oper) noexcept {
  change_list([&](Waker& waker) noexcept { waker.unwatch(oper); });
}

void SyncWaker::disconnect() noexcept {
  change_list([](Waker& waker) noexcept { waker.disconnect(); });
}

void SyncWaker::notify_slow() noexcept {
  ChannelLock guard(lock_);
  if (nobody_to_wake_.load()) return;
  waker_.try_select();
  waker_.notify();
  update_nobody_to_wake();
}

void SyncWaker::update_nobody_to_wake() noexcept {
  nobody_to_wake_.store(!waker_.has_waiters());
}

}  // namespace ferrite::detail
