// tests/fuzz/channel_fuzz.cc — libFuzzer target: ferrite::channel against a
// std::deque model, single-threaded.
//
// The first byte picks the flavor (unbounded, or bounded with capacity
// 1..8); each following pair of bytes is one operation: try_send, send
// (only when it cannot block), try_recv, recv (only when it cannot block),
// recv_timeout(0), send_timeout(0), clone or drop a sender or receiver,
// len/is_empty/is_full, a try_select over the receivers. Every result must
// match the model (contents, order, Full/Empty/Disconnected), and at the end
// every message has been destroyed exactly once (instance counts).
//
//   clang-19 -std=c++23 -fsanitize=fuzzer,address,undefined -I. -Iinclude \
//     tests/fuzz/channel_fuzz.cc lib/*.cc -lstdc++ -o channel_fuzz
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "ferrite/channel.h"

namespace {

long live = 0;

// A message that counts its instances (moved-from shells included).
struct Msg {
  explicit Msg(int v) : value(v) { ++live; }
  Msg(Msg&& other) noexcept : value(other.value) { ++live; }
  Msg& operator=(Msg&&) = delete;
  ~Msg() { --live; }
  int value;
};

[[noreturn]] void diverged(const char* what) {
  std::fprintf(stderr, "channel_fuzz: model diverged: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) diverged(what);
}

using ferrite::channel::Receiver;
using ferrite::channel::Sender;
using ferrite::channel::TryRecvError;

class Harness {
 public:
  explicit Harness(std::optional<std::size_t> cap) : cap_(cap) {
    auto [tx, rx] = cap ? ferrite::channel::bounded<Msg>(*cap) : ferrite::channel::unbounded<Msg>();
    senders_.push_back(std::move(tx));
    receivers_.push_back(std::move(rx));
  }

  void step(std::uint8_t op, std::uint8_t arg) {
    switch (op % 11) {
      case 0:
        try_send(arg);
        break;
      case 1:
        if (!full() || receivers_.empty()) blocking_send(arg);
        break;
      case 2:
        try_recv();
        break;
      case 3:
        if (!model_.empty() || senders_.empty()) blocking_recv();
        break;
      case 4:
        recv_timeout();
        break;
      case 5:
        send_timeout(arg);
        break;
      case 6:
        if (!senders_.empty()) senders_.push_back(senders_.at(arg % senders_.size()).clone());
        break;
      case 7:
        if (!senders_.empty()) erase(senders_, arg);
        break;
      case 8:
        if (!receivers_.empty()) receivers_.push_back(receivers_.at(arg % receivers_.size()));
        break;
      case 9:
        drop_receiver(arg);
        break;
      default:
        observe();
        break;
    }
  }

 private:
  bool full() const { return cap_ && model_.size() >= *cap_; }

  template <class V>
  static void erase(V& handles, std::uint8_t arg) {
    handles.erase(handles.begin() + static_cast<std::ptrdiff_t>(arg % handles.size()));
  }

  void drop_receiver(std::uint8_t arg) {
    if (receivers_.empty()) return;
    erase(receivers_, arg);
    if (receivers_.empty()) model_.clear();  // buffered messages are destroyed
  }

  void expect_sent(bool ok) { check(ok == !receivers_.empty(), "send result"); }

  void try_send(std::uint8_t arg) {
    if (senders_.empty()) return;
    auto r = senders_.front().try_send(Msg(next_));
    if (receivers_.empty()) {
      check(!r && r.error().is_disconnected(), "try_send to a disconnected channel");
      check(r.error().get_ref().value == next_, "try_send hands the message back");
    } else if (full()) {
      check(!r && r.error().is_full(), "try_send to a full channel");
    } else {
      check(r.has_value(), "try_send with room");
      model_.push_back(next_);
    }
    ++next_;
    static_cast<void>(arg);
  }

  void blocking_send(std::uint8_t) {
    if (senders_.empty()) return;
    auto r = senders_.back().send(Msg(next_));
    expect_sent(r.has_value());
    if (r) model_.push_back(next_);
    ++next_;
  }

  void send_timeout(std::uint8_t) {
    if (senders_.empty()) return;
    auto r = senders_.front().send_timeout(Msg(next_), std::chrono::nanoseconds(0));
    if (receivers_.empty()) {
      check(!r && r.error().is_disconnected(), "send_timeout disconnected");
    } else if (full()) {
      check(!r && r.error().is_timeout(), "send_timeout full");
      check(std::move(r.error()).into_inner().value == next_, "send_timeout hands back");
    } else {
      check(r.has_value(), "send_timeout with room");
      model_.push_back(next_);
    }
    ++next_;
  }

  void expect_received(std::optional<int> got) {
    if (!model_.empty()) {
      check(got == model_.front(), "FIFO order");
      model_.pop_front();
    } else {
      check(!got, "received from an empty model");
    }
  }

  // Checks a receive's result against the model: a message must be the
  // model's front; a failure is allowed only with the model empty, and
  // `failure_ok` checks what the error says.
  template <class Result, class FailureOk>
  void expect_result(const Result& r, const char* what, FailureOk failure_ok) {
    if (r) {
      expect_received(r->value);
    } else {
      check(model_.empty() && failure_ok(r.error()), what);
    }
  }

  void try_recv() {
    if (receivers_.empty()) return;
    expect_result(receivers_.front().try_recv(), "try_recv error (empty model, kind)",
                  [&](TryRecvError e) {
                    return e == (senders_.empty() ? TryRecvError::Disconnected
                                                  : TryRecvError::Empty);
                  });
  }

  void blocking_recv() {
    if (receivers_.empty()) return;
    expect_result(receivers_.back().recv(), "recv fails only empty and disconnected",
                  [&](auto) { return senders_.empty(); });
  }

  void recv_timeout() {
    if (receivers_.empty()) return;
    expect_result(receivers_.front().recv_timeout(std::chrono::nanoseconds(0)),
                  "recv_timeout failed with messages buffered", [](auto) { return true; });
  }

  void observe() {
    for (const Receiver<Msg>& rx : receivers_) {
      check(rx.len() == model_.size(), "len");
      check(rx.is_empty() == model_.empty(), "is_empty");
      check(rx.is_full() == full(), "is_full");
      check(rx.capacity() == cap_, "capacity");
    }
    if (receivers_.empty()) return;
    ferrite::channel::Select sel;
    for (const Receiver<Msg>& rx : receivers_) sel.recv(rx);
    auto op = sel.try_select();
    if (!model_.empty() || senders_.empty()) {
      check(op.has_value(), "try_select with a ready receiver");
      auto r = op->recv(receivers_.at(op->index()));
      expect_received(r ? std::optional<int>(r->value) : std::nullopt);
    } else {
      check(!op.has_value(), "try_select with nothing ready");
    }
  }

  std::optional<std::size_t> cap_;
  std::vector<Sender<Msg>> senders_;
  std::vector<Receiver<Msg>> receivers_;
  std::deque<int> model_;
  int next_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // SAFETY(channel-fuzz-input): libFuzzer passes `size` readable bytes at `data`.
  const std::span<const std::uint8_t> input = FERRITE_UNSAFE_BUFFERS(std::span(data, size));
  if (input.empty()) return 0;
  {
    const std::uint8_t flavor = input.front() % 9;
    Harness harness(flavor == 0 ? std::nullopt : std::optional<std::size_t>(flavor));
    for (std::size_t i = 1; i + 1 < input.size(); i += 2) harness.step(input[i], input[i + 1]);
  }
  check(live == 0, "every message destroyed exactly once");
  return 0;
}
