// tests/support/test_types.h — instance counting and fault injection for tests.
//
// Counted: every constructor increments `live()`, every destructor decrements
// it, and a destroyed object is marked so a double destruction is caught.
//
// FaultPlan + Fragile: a Fragile's copy and move constructors (and its
// value constructor) count down a per-thread budget; the N-th such call throws
// FaultInjected. Tests loop N = 1, 2, ... until an operation completes
// without a throw, checking the exception guarantee at every step:
//
//   for (int n = 1;; ++n) {
//     FaultPlan plan(n);                 // arms the n-th copy/move to throw
//     try { op(); } catch (const FaultInjected&) { check_unchanged(); continue; }
//     break;                             // op needed fewer than n copies/moves
//   }
#pragma once

#include <atomic>
#include <compare>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "ferrite/panic.h"
#include "gtest/gtest.h"

namespace ferrite::testing {

// Counts live instances across all threads.
class Counted {
 public:
  static long live() { return live_.load(); }

  explicit Counted(int value = 0) : value_(value) { live_.fetch_add(1); }
  Counted(const Counted& other) : value_(other.checked()) { live_.fetch_add(1); }
  Counted(Counted&& other) noexcept : value_(other.checked()) { live_.fetch_add(1); }
  Counted& operator=(const Counted& other) {
    value_ = other.checked();
    return *this;
  }
  Counted& operator=(Counted&& other) noexcept {
    value_ = other.checked();
    return *this;
  }
  ~Counted() {
    EXPECT_NE(state_, kDestroyed) << "Counted destroyed twice";
    state_ = kDestroyed;
    live_.fetch_sub(1);
  }

  int value() const { return checked(); }
  friend bool operator==(const Counted& a, const Counted& b) { return a.value() == b.value(); }

 private:
  static constexpr unsigned kAlive = 0xA11CEu;
  static constexpr unsigned kDestroyed = 0xDEADu;
  int checked() const {
    EXPECT_EQ(state_, kAlive) << "use of a destroyed Counted";
    return value_;
  }
  static inline std::atomic<long> live_{0};
  int value_;
  unsigned state_ = kAlive;
};

// Asserts that a scope leaves the number of live Counted objects unchanged.
class NoLeaks {
 public:
  NoLeaks() : before_(Counted::live()) {}
  ~NoLeaks() { EXPECT_EQ(Counted::live(), before_) << "Counted objects leaked or destroyed twice"; }
  NoLeaks(const NoLeaks&) = delete;
  NoLeaks& operator=(const NoLeaks&) = delete;

 private:
  long before_;
};

struct FaultInjected : std::runtime_error {
  FaultInjected() : std::runtime_error("fault injected") {}
};

// While alive, the n-th Fragile construction on this thread (value, copy or
// move) throws FaultInjected; later ones succeed. Disarmed on destruction.
class FaultPlan {
 public:
  explicit FaultPlan(int n) { countdown() = n; }
  ~FaultPlan() { countdown() = 0; }
  FaultPlan(const FaultPlan&) = delete;
  FaultPlan& operator=(const FaultPlan&) = delete;

  // Called by Fragile; throws when the countdown reaches zero.
  static void step() {
    int& c = countdown();
    if (c > 0 && --c == 0) throw FaultInjected();
  }
  // True once the armed fault has fired.
  static bool fired() { return countdown() == 0; }

 private:
  static int& countdown() {
    thread_local int value = 0;
    return value;
  }
};

// A Counted whose constructions may throw under a FaultPlan. Its move is
// not noexcept, so containers must not rely on it for the strong guarantee
// unless they fall back to copying.
class Fragile {
 public:
  explicit Fragile(int value = 0) : inner_((FaultPlan::step(), value)) {}
  Fragile(const Fragile& other) : inner_((FaultPlan::step(), other.inner_)) {}
  Fragile(Fragile&& other) : inner_((FaultPlan::step(), std::move(other.inner_))) {}
  Fragile& operator=(const Fragile& other) {
    FaultPlan::step();
    inner_ = other.inner_;
    return *this;
  }
  Fragile& operator=(Fragile&& other) {
    FaultPlan::step();
    inner_ = std::move(other.inner_);
    return *this;
  }
  ~Fragile() = default;

  int value() const { return inner_.value(); }
  friend bool operator==(const Fragile& a, const Fragile& b) { return a.value() == b.value(); }

 private:
  Counted inner_;
};

// Runs `f` and returns the message of the ferrite::Panic it throws ("" if it
// returns normally; any other exception propagates).
template <class F>
std::string panic_message(F&& f) {
  try {
    std::forward<F>(f)();
  } catch (const Panic& p) {
    return p.what();
  }
  return "";
}

// Whether `text` contains `part`: a panic message names the type, the rule
// and the way out, and tests check each part.
inline bool contains(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

}  // namespace ferrite::testing
