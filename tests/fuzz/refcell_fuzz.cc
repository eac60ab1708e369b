// tests/fuzz/refcell_fuzz.cc — libFuzzer target: RefCell against a model.
//
// Each input byte is one operation on a RefCell<int> and a pool of live
// guards: borrow, borrow_mut, try_borrow, try_borrow_mut, drop a guard, move
// a guard, Ref::clone, write through a RefMut, read through any guard. The
// model is just the number of live shared and mutable guards (and the value);
// every result — success, BorrowError/BorrowMutError, panic — must match what
// the model predicts, else the target aborts.
//
//   clang-19 -std=c++23 -fsanitize=fuzzer,address,undefined -I. -Iinclude \
//     tests/fuzz/refcell_fuzz.cc lib/panic.cc -lstdc++ -o refcell_fuzz
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "ferrite/cell.h"

namespace {

using Guard = std::variant<ferrite::Ref<int>, ferrite::RefMut<int>>;

struct Model {
  std::size_t shared = 0;
  std::size_t exclusive = 0;
  int value = 0;
};

[[noreturn]] void diverged(const char* what) {
  std::fprintf(stderr, "refcell_fuzz: model diverged: %s\n", what);
  std::abort();
}

void check(bool ok, const char* what) {
  if (!ok) diverged(what);
}

class Harness {
 public:
  void step(std::uint8_t op, std::uint8_t arg) {
    switch (op % 9) {
      case 0:
        borrow();
        break;
      case 1:
        borrow_mut();
        break;
      case 2:
        try_borrow();
        break;
      case 3:
        try_borrow_mut();
        break;
      case 4:
        drop(arg);
        break;
      case 5:
        move_guard(arg);
        break;
      case 6:
        clone(arg);
        break;
      case 7:
        write(arg);
        break;
      default:
        read_all();
        break;
    }
    check(shared_count() == model_.shared, "shared count");
    check(exclusive_count() == model_.exclusive, "exclusive count");
  }

  void finish() {
    guards_.clear();
    model_ = Model{0, 0, model_.value};
    check(cell_.try_borrow_mut().has_value(), "guards released at the end");
    check(*cell_.borrow() == model_.value, "final value");
  }

 private:
  void borrow() {
    try {
      ferrite::Ref<int> ref = cell_.borrow();
      check(model_.exclusive == 0, "borrow succeeded while mutably borrowed");
      guards_.emplace_back(std::move(ref));
      ++model_.shared;
    } catch (const ferrite::Panic&) {
      check(model_.exclusive != 0, "borrow panicked while free");
    }
  }
  void borrow_mut() {
    try {
      ferrite::RefMut<int> ref = cell_.borrow_mut();
      check(model_.exclusive == 0 && model_.shared == 0, "borrow_mut succeeded while borrowed");
      guards_.emplace_back(std::move(ref));
      ++model_.exclusive;
    } catch (const ferrite::Panic&) {
      check(model_.exclusive != 0 || model_.shared != 0, "borrow_mut panicked while free");
    }
  }
  void try_borrow() {
    auto ref = cell_.try_borrow();
    check(ref.has_value() == (model_.exclusive == 0), "try_borrow result");
    if (ref) {
      guards_.emplace_back(std::move(*ref));
      ++model_.shared;
    }
  }
  void try_borrow_mut() {
    auto ref = cell_.try_borrow_mut();
    check(ref.has_value() == (model_.exclusive == 0 && model_.shared == 0), "try_borrow_mut");
    if (ref) {
      guards_.emplace_back(std::move(*ref));
      ++model_.exclusive;
    }
  }
  void drop(std::uint8_t arg) {
    if (guards_.empty()) return;
    const std::size_t index = arg % guards_.size();
    if (std::holds_alternative<ferrite::Ref<int>>(guards_.at(index))) {
      --model_.shared;
    } else {
      --model_.exclusive;
    }
    guards_.erase(guards_.begin() + static_cast<std::ptrdiff_t>(index));
  }
  void move_guard(std::uint8_t arg) {
    if (guards_.empty()) return;
    const std::size_t index = arg % guards_.size();
    Guard moved = std::move(guards_.at(index));
    guards_.erase(guards_.begin() + static_cast<std::ptrdiff_t>(index));
    guards_.push_back(std::move(moved));  // moving transfers the borrow, no count change
  }
  void clone(std::uint8_t arg) {
    if (guards_.empty()) return;
    Guard& guard = guards_.at(arg % guards_.size());
    if (auto* ref = std::get_if<ferrite::Ref<int>>(&guard)) {
      guards_.emplace_back(ferrite::Ref<int>::clone(*ref));
      ++model_.shared;
    }
  }
  void write(std::uint8_t arg) {
    for (Guard& guard : guards_) {
      if (auto* ref = std::get_if<ferrite::RefMut<int>>(&guard)) {
        **ref = arg;
        model_.value = arg;
        return;
      }
    }
  }
  void read_all() {
    for (const Guard& guard : guards_) {
      const int seen = std::visit([](const auto& g) -> int { return *g; }, guard);
      check(seen == model_.value, "value read through a guard");
    }
  }
  std::size_t shared_count() const {
    std::size_t n = 0;
    for (const Guard& guard : guards_) n += std::holds_alternative<ferrite::Ref<int>>(guard);
    return n;
  }
  std::size_t exclusive_count() const { return guards_.size() - shared_count(); }

  // Declared first so it is destroyed last: guards must not outlive it.
  ferrite::RefCell<int> cell_{0};
  std::vector<Guard> guards_;
  Model model_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // SAFETY(cell-fuzz-input): libFuzzer guarantees `data` points at `size`
  // readable bytes for the duration of this call.
  const std::span<const std::uint8_t> input = FERRITE_UNSAFE_BUFFERS(std::span(data, size));
  Harness harness;
  for (std::size_t i = 0; i + 1 < input.size(); i += 2) {
    harness.step(input[i], input[i + 1]);
  }
  harness.finish();
  return 0;
}
