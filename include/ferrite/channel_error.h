// ferrite/channel_error.h — the errors of channel operations, shared by
// ferrite::channel (crossbeam-channel) and ferrite::mpsc (std::sync::mpsc).
//
// The types live in namespace `ferrite` and both channel namespaces export
// them, so `channel::SendError<T>` and `mpsc::SendError<T>` name one type.
// An error of a send carries the unsent message back; take it with
// `std::move(err).into_inner()`:
//
//   auto [tx, rx] = ferrite::channel::bounded<int>(1);
//   tx.send(1);
//   auto full = tx.try_send(2);                   // the one slot is taken
//   // !full && full.error().is_full() && std::move(full.error()).into_inner() == 2
//
// Send/Sync: the errors are Send/Sync exactly when the message type is
// (ordinary class templates holding a T; the enums and RecvError always are).
// Each error's `message()` is Rust's Display text.
#pragma once

#include <string_view>
#include <type_traits>
#include <utility>

namespace ferrite {

/// recv() failed: the channel is empty and every sender is gone.
struct RecvError {
  static constexpr std::string_view message() noexcept { return "receiving on a closed channel"; }
  friend constexpr bool operator==(RecvError, RecvError) noexcept = default;
};

// try_recv() failed: nothing is buffered (Empty), or nothing is buffered and
// every sender is gone (Disconnected).
enum class TryRecvError {
  Empty,
  Disconnected,
};

// recv_timeout() failed: the deadline passed first (Timeout), or the channel
// is empty and every sender is gone (Disconnected).
enum class RecvTimeoutError {
  Timeout,
  Disconnected,
};

// Rust's Display texts of the two enums above.
constexpr std::string_view message(TryRecvError error) noexcept {
  return error == TryRecvError::Empty ? "receiving on an empty channel"
                                      : "receiving on an empty and disconnected channel";
}
constexpr std::string_view message(RecvTimeoutError error) noexcept {
  return error == RecvTimeoutError::Timeout ? "timed out waiting on channel"
                                            : "channel is empty and sending half is closed";
}

/// send() failed because every receiver is gone; the message comes back.
///
/// Contract: `into_inner() &&` moves the message out (once; the error then
/// holds a moved-from T). `get_ref()` reads it in place.
template <class T>
class SendError {
 public:
  explicit SendError(T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : message_(std::move(message)) {}

  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  const T& get_ref() const noexcept { return message_; }
  static constexpr std::string_view message() noexcept { return "sending on a closed channel"; }

 private:
  T message_;
};

// Why try_send() failed.
enum class TrySendErrorKind {
  Full,          // the channel is full (or, for a rendezvous channel, no receiver waits)
  Disconnected,  // every receiver is gone
};

/// try_send() failed; the message comes back.
///
/// Contract: `kind()`, `is_full()`, `is_disconnected()` say why;
/// `into_inner() &&` moves the message out.
template <class T>
class TrySendError {
 public:
  TrySendError(TrySendErrorKind kind, T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : kind_(kind), message_(std::move(message)) {}

  TrySendErrorKind kind() const noexcept { return kind_; }
  bool is_full() const noexcept { return kind_ == TrySendErrorKind::Full; }
  bool is_disconnected() const noexcept { return kind_ == TrySendErrorKind::Disconnected; }
  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  const T& get_ref() const noexcept { return message_; }
  std::string_view message() const noexcept {
    return is_full() ? "sending on a full channel" : "sending on a closed channel";
  }

 private:
  TrySendErrorKind kind_;
  T message_;
};

// Why send_timeout() failed.
enum class SendTimeoutErrorKind {
  Timeout,       // the deadline passed before the message could be sent
  Disconnected,  // every receiver is gone
};

/// send_timeout() / send_deadline() failed; the message comes back.
///
/// Contract: `kind()`, `is_timeout()`, `is_disconnected()` say why;
/// `into_inner() &&` moves the message out.
template <class T>
class SendTimeoutError {
 public:
  SendTimeoutError(SendTimeoutErrorKind kind,
                   T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : kind_(kind), message_(std::move(message)) {}

  SendTimeoutErrorKind kind() const noexcept { return kind_; }
  bool is_timeout() const noexcept { return kind_ == SendTimeoutErrorKind::Timeout; }
  bool is_disconnected() const noexcept { return kind_ == SendTimeoutErrorKind::Disconnected; }
  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  const T& get_ref() const noexcept { return message_; }
  std::string_view message() const noexcept {
    return is_timeout() ? "timed out waiting on send operation" : "sending on a closed channel";
  }

 private:
  SendTimeoutErrorKind kind_;
  T message_;
};

}  // namespace ferrite
