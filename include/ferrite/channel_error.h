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
  /// "receiving on a closed channel", Rust's text for this error.
  static constexpr std::string_view message() noexcept { return "receiving on a closed channel"; }
  friend constexpr bool operator==(RecvError, RecvError) noexcept = default;
};

/// try_recv() failed: nothing is buffered (Empty), or nothing is buffered and
/// every sender is gone (Disconnected).
enum class TryRecvError {
  Empty,
  Disconnected,
};

/// recv_timeout() failed: the deadline passed first (Timeout), or the channel
/// is empty and every sender is gone (Disconnected).
enum class RecvTimeoutError {
  Timeout,
  Disconnected,
};

/// Rust's Display texts of the two enums above.
constexpr std::string_view message(TryRecvError error) noexcept {
  return error == TryRecvError::Empty ? "receiving on an empty channel"
                                      : "receiving on an empty and disconnected channel";
}
/// Rust's Display text of a RecvTimeoutError.
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
  /// An error carrying the unsent `message`.
  explicit SendError(T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : message_(std::move(message)) {}

  /// Moves the unsent message out.
  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  /// The unsent message, in place.
  const T& get_ref() const noexcept { return message_; }
  /// "sending on a closed channel", Rust's text for this error.
  static constexpr std::string_view message() noexcept { return "sending on a closed channel"; }

 private:
  T message_;
};

/// Why try_send() failed.
enum class TrySendErrorKind {
  Full,          ///< the channel is full (or, for a rendezvous channel, no receiver waits)
  Disconnected,  ///< every receiver is gone
};

/// try_send() failed; the message comes back.
///
/// Contract: `kind()`, `is_full()`, `is_disconnected()` say why;
/// `into_inner() &&` moves the message out.
template <class T>
class TrySendError {
 public:
  /// An error of `kind` carrying the unsent `message`.
  TrySendError(TrySendErrorKind kind, T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : kind_(kind), message_(std::move(message)) {}

  /// Why the send failed.
  TrySendErrorKind kind() const noexcept { return kind_; }
  /// True if the channel was full (rendezvous: no receiver was waiting).
  bool is_full() const noexcept { return kind_ == TrySendErrorKind::Full; }
  /// True if every receiver is gone.
  bool is_disconnected() const noexcept { return kind_ == TrySendErrorKind::Disconnected; }
  /// Moves the unsent message out.
  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  /// The unsent message, in place.
  const T& get_ref() const noexcept { return message_; }
  /// Rust's text for this error: "sending on a full channel" or "sending on a closed channel".
  std::string_view message() const noexcept {
    return is_full() ? "sending on a full channel" : "sending on a closed channel";
  }

 private:
  TrySendErrorKind kind_;
  T message_;
};

/// Why send_timeout() failed.
enum class SendTimeoutErrorKind {
  Timeout,       ///< the deadline passed before the message could be sent
  Disconnected,  ///< every receiver is gone
};

/// send_timeout() / send_deadline() failed; the message comes back.
///
/// Contract: `kind()`, `is_timeout()`, `is_disconnected()` say why;
/// `into_inner() &&` moves the message out.
template <class T>
class SendTimeoutError {
 public:
  /// An error of `kind` carrying the unsent `message`.
  SendTimeoutError(SendTimeoutErrorKind kind,
                   T message) noexcept(std::is_nothrow_move_constructible_v<T>)
      : kind_(kind), message_(std::move(message)) {}

  /// Why the send failed.
  SendTimeoutErrorKind kind() const noexcept { return kind_; }
  /// True if the deadline passed first.
  bool is_timeout() const noexcept { return kind_ == SendTimeoutErrorKind::Timeout; }
  /// True if every receiver is gone.
  bool is_disconnected() const noexcept { return kind_ == SendTimeoutErrorKind::Disconnected; }
  /// Moves the unsent message out.
  T into_inner() && noexcept(std::is_nothrow_move_constructible_v<T>) {
    return std::move(message_);
  }
  /// The unsent message, in place.
  const T& get_ref() const noexcept { return message_; }
  /// Rust's text for this error: "timed out waiting on send operation" or
  /// "sending on a closed channel".
  std::string_view message() const noexcept {
    return is_timeout() ? "timed out waiting on send operation" : "sending on a closed channel";
  }

 private:
  SendTimeoutErrorKind kind_;
  T message_;
};

}  // namespace ferrite
