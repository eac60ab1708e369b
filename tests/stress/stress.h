// tests/stress/stress.h — what the stress scenarios share: how long each one
// runs, a fingerprint of a set of message ids, a message that reports where
// it ended, and the line each scenario prints.
//
// A scenario runs for scenario_time() (`--seconds N` on the command line,
// else the environment's FERRITE_STRESS_SECONDS, else a second), then checks
// its invariant over everything it moved:
//
//   const stress::Clock clock;
//   while (clock.running()) { ... }
//   stress::report("channel unbounded", {{"messages", n}}, clock);
//
// The binaries are ferrite_cc_tests (plain, _asan, _tsan) with their own main
// (tests/stress/stress_main.cc); tools/stress runs them for longer.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string_view>
#include <utility>

namespace ferrite::stress {

// How long each scenario runs (set once by main before the tests start).
std::chrono::duration<double> scenario_time();
void set_scenario_time(std::chrono::duration<double> time);

// A scenario's time budget, started at construction.
class Clock {
 public:
  // `fraction`: of scenario_time(), where phases of one scenario share it.
  explicit Clock(double fraction = 1.0)
      : start_(std::chrono::steady_clock::now()), end_(start_ + budget(fraction)) {}
  bool running() const { return std::chrono::steady_clock::now() < end_; }
  std::chrono::steady_clock::time_point end() const { return end_; }
  double elapsed_seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  static std::chrono::steady_clock::duration budget(double fraction) {
    return std::chrono::duration_cast<std::chrono::steady_clock::duration>(scenario_time() *
                                                                           fraction);
  }
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point end_;
};

// Prints one line: `[stress] NAME: key=value ... in S s (R per second)`,
// the rate taken from the first figure.
void report(std::string_view name,
            std::initializer_list<std::pair<std::string_view, std::uint64_t>> figures,
            const Clock& clock);

// A multiset of 64-bit ids summarized so that two sets compare equal only if
// they hold the same ids (count, sum and a sum of mixed ids; a lost id and a
// duplicated one cannot cancel out). Adding is commutative, so threads keep
// their own and add them up at the end.
struct Fingerprint {
  std::uint64_t count = 0;
  std::uint64_t sum = 0;
  std::uint64_t mixed = 0;

  void add(std::uint64_t id) {
    ++count;
    sum += id;
    mixed += mix(id);
  }
  Fingerprint& operator+=(const Fingerprint& other) {
    count += other.count;
    sum += other.sum;
    mixed += other.mixed;
    return *this;
  }
  friend Fingerprint operator+(Fingerprint a, const Fingerprint& b) { return a += b; }
  friend bool operator==(const Fingerprint&, const Fingerprint&) = default;

  // splitmix64's finalizer.
  static std::uint64_t mix(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15u;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9u;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBu;
    return x ^ (x >> 31);
  }
};

// A Fingerprint many threads add to at once.
class SharedFingerprint {
 public:
  void add(std::uint64_t id) {
    // ORDERING(stress-fingerprint): relaxed; read only after the threads that
    // add have been joined, which orders every addition before the read.
    count_.fetch_add(1, std::memory_order_relaxed);
    sum_.fetch_add(id, std::memory_order_relaxed);
    mixed_.fetch_add(Fingerprint::mix(id), std::memory_order_relaxed);
  }
  Fingerprint load() const {
    return {count_.load(std::memory_order_relaxed), sum_.load(std::memory_order_relaxed),
            mixed_.load(std::memory_order_relaxed)};
  }

 private:
  std::atomic<std::uint64_t> count_{0};
  std::atomic<std::uint64_t> sum_{0};
  std::atomic<std::uint64_t> mixed_{0};
};

// The id of the `seq`-th message of producer `producer`.
inline std::uint64_t message_id(std::uint64_t producer, std::uint64_t seq) {
  return (producer << 40) | seq;
}
inline std::uint64_t producer_of(std::uint64_t id) { return id >> 40; }
inline std::uint64_t seq_of(std::uint64_t id) { return id & ((std::uint64_t{1} << 40) - 1); }

// A channel message that knows whether it reached a receiver. The receiver
// opens it (take()); a Parcel destroyed unopened (a channel destroying what
// it buffered when its receivers went, a send that threw with the message)
// adds its id to `dropped`. So every Parcel made ends in exactly one place:
// opened by a receiver, handed back to its sender, or in `dropped`.
class Parcel {
 public:
  Parcel(std::uint64_t id, SharedFingerprint& dropped) : id_(id), dropped_(&dropped) {}
  Parcel(Parcel&& other) noexcept
      : id_(other.id_), dropped_(std::exchange(other.dropped_, nullptr)) {}
  Parcel& operator=(Parcel&& other) noexcept {
    if (this != &other) {
      drop();
      id_ = other.id_;
      dropped_ = std::exchange(other.dropped_, nullptr);
    }
    return *this;
  }
  Parcel(const Parcel&) = delete;
  Parcel& operator=(const Parcel&) = delete;
  ~Parcel() { drop(); }

  // Opens the parcel: its id, and it no longer counts as dropped.
  std::uint64_t take() && {
    dropped_ = nullptr;
    return id_;
  }
  std::uint64_t id() const { return id_; }

 private:
  void drop() noexcept {
    if (dropped_ != nullptr) dropped_->add(id_);
  }
  std::uint64_t id_;
  SharedFingerprint* dropped_;  // null once opened or moved from
};

// A small, fast, per-thread generator (xorshift64*), seeded per thread.
class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(Fingerprint::mix(seed) | 1) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Du;
  }
  // Uniform in [0, n).
  std::uint64_t below(std::uint64_t n) { return next() % n; }
  bool one_in(std::uint64_t n) { return below(n) == 0; }

 private:
  std::uint64_t state_;
};

}  // namespace ferrite::stress
