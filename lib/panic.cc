// lib/panic.cc — the non-template half of ferrite/panic.h.
#include "ferrite/panic.h"

#include <string>
#include <utility>

namespace ferrite {

Panic::Panic(std::string message, std::source_location location)
    : message_(std::make_shared<const std::string>(std::move(message))), location_(location) {}

const char* Panic::what() const noexcept { return message_->c_str(); }

void panic(std::string msg, std::source_location location) {
  throw Panic(std::move(msg), location);
}

std::string PanicPayload::message() const {
  if (!exception_) return "unknown panic";
  try {
    std::rethrow_exception(exception_);
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown panic";
  }
}

void PanicPayload::resume() const {
  if (!exception_) panic("PanicPayload::resume: no exception to resume");
  std::rethrow_exception(exception_);
}

namespace detail {

void assert_failed(std::string_view condition, std::string_view message,
                   std::source_location location) {
  std::string text(message);
  text += ": ";
  text += condition;
  panic(std::move(text), location);
}

}  // namespace detail
}  // namespace ferrite
