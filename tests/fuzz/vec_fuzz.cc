// libFuzzer target: random operation sequences on Vec<Tracked> and its
// slices, checked after every step against std::vector<int> as the model.
// Tracked counts live instances, so a leak or a double destruction aborts.
//
// Input: a byte stream read through ByteReader (std::span, checked access,
// no pointer arithmetic); each operation is one opcode byte plus operands.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "ferrite/panic.h"
#include "ferrite/unsafe.h"
#include "ferrite/vec.h"

namespace {

[[noreturn]] void fail(const char* what) {
  std::fprintf(stderr, "vec_fuzz: %s\n", what);
  std::abort();
}

class Tracked {
 public:
  static long& live() {
    static long count = 0;
    return count;
  }
  explicit Tracked(int value) : value_(value) { ++live(); }
  Tracked(const Tracked& other) : value_(other.value()) { ++live(); }
  Tracked(Tracked&& other) noexcept : value_(other.value()) { ++live(); }
  Tracked& operator=(const Tracked& other) {
    value_ = other.value();
    return *this;
  }
  Tracked& operator=(Tracked&& other) noexcept {
    value_ = other.value();
    return *this;
  }
  ~Tracked() {
    if (state_ != kAlive) fail("Tracked destroyed twice");
    state_ = kDead;
    --live();
  }
  int value() const {
    if (state_ != kAlive) fail("use of a destroyed Tracked");
    return value_;
  }

 private:
  static constexpr unsigned kAlive = 0x600D;
  static constexpr unsigned kDead = 0xDEAD;
  int value_;
  unsigned state_ = kAlive;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool empty() const { return bytes_.empty(); }
  std::uint8_t next() {
    if (bytes_.empty()) return 0;
    const std::uint8_t byte = bytes_.front();
    bytes_ = bytes_.subspan(1);
    return byte;
  }

 private:
  std::span<const std::uint8_t> bytes_;
};

void check(const ferrite::Vec<Tracked>& v, const std::vector<int>& model) {
  if (v.len() != model.size()) fail("len differs from the model");
  if (v.capacity() < v.len()) fail("capacity < len");
  if (v.is_empty() != model.empty()) fail("is_empty differs");
  std::size_t i = 0;
  for (const Tracked& x : v) {
    if (x.value() != model.at(i)) fail("element differs from the model");
    ++i;
  }
  if (model.empty() ? v.first() != nullptr : v.first()->value() != model.front()) fail("first");
  if (model.empty() ? v.last() != nullptr : v.last()->value() != model.back()) fail("last");
}

// Runs f, which must panic iff `should_panic`.
template <class F>
void expect_panic(bool should_panic, F&& f) {
  bool panicked = false;
  try {
    f();
  } catch (const ferrite::Panic&) {
    panicked = true;
  }
  if (panicked != should_panic) fail(should_panic ? "missing panic" : "unexpected panic");
}

void run(ByteReader& in) {
  ferrite::Vec<Tracked> v;
  std::vector<int> model;
  while (!in.empty()) {
    const std::uint8_t op = in.next() % 16;
    const std::size_t arg = in.next();
    const int value = static_cast<int>(in.next());
    switch (op) {
      case 0:
      case 1:
        v.push(Tracked(value));
        model.push_back(value);
        break;
      case 2: {
        std::optional<Tracked> popped = v.pop();
        if (popped.has_value() != !model.empty()) fail("pop presence");
        if (popped) {
          if (popped->value() != model.back()) fail("pop value");
          model.pop_back();
        }
        break;
      }
      case 3: {
        const std::size_t at = arg % (model.size() + 2);  // sometimes past len
        expect_panic(at > model.size(), [&] { v.insert(at, Tracked(value)); });
        if (at <= model.size()) {
          model.insert(model.begin() + static_cast<std::ptrdiff_t>(at), value);
        }
        break;
      }
      case 4: {
        const std::size_t at = arg % (model.size() + 1);
        expect_panic(at >= model.size(), [&] {
          if (v.remove(at).value() != model.at(at)) fail("remove value");
        });
        if (at < model.size()) model.erase(model.begin() + static_cast<std::ptrdiff_t>(at));
        break;
      }
      case 5: {
        const std::size_t at = arg % (model.size() + 1);
        expect_panic(at >= model.size(), [&] {
          if (v.swap_remove(at).value() != model.at(at)) fail("swap_remove value");
        });
        if (at < model.size()) {
          model.at(at) = model.back();
          model.pop_back();
        }
        break;
      }
      case 6:
        v.truncate(arg);
        if (arg < model.size()) model.resize(arg);
        break;
      case 7:
        if (arg % 8 == 0) {
          v.clear();
          model.clear();
        } else {
          v.shrink_to_fit();
          if (v.capacity() != v.len()) fail("shrink_to_fit");
        }
        break;
      case 8: {
        const std::size_t before = v.capacity();
        v.reserve(arg);
        if (v.capacity() < v.len() + arg || (before >= v.len() + arg && v.capacity() != before)) {
          fail("reserve");
        }
        break;
      }
      case 9: {
        std::vector<Tracked> more;
        for (std::size_t k = 0; k < arg % 5; ++k) {
          more.emplace_back(value + static_cast<int>(k));
          model.push_back(value + static_cast<int>(k));
        }
        v.extend(more);
        break;
      }
      case 10: {
        ferrite::Vec<Tracked> copy = v.clone();
        if (!std::ranges::equal(copy, std::as_const(v), {}, &Tracked::value, &Tracked::value)) {
          fail("clone differs");
        }
        v = std::move(copy);
        break;
      }
      case 11: {
        const std::size_t mid = arg % (model.size() + 2);
        auto halves = v.split_at_mut(mid);
        if (halves.has_value() != (mid <= model.size())) fail("split_at_mut presence");
        if (halves) {
          auto& [left, right] = *halves;
          if (left.len() != mid || right.len() != model.size() - mid) fail("split lengths");
          for (Tracked& x : left) x = Tracked(x.value() + 1);
          for (Tracked& x : right) x = Tracked(x.value() - 1);
          for (std::size_t k = 0; k < model.size(); ++k) model.at(k) += k < mid ? 1 : -1;
        }
        break;
      }
      case 12: {
        const std::size_t chunk = arg % 4;
        expect_panic(chunk == 0, [&] {
          int index = 0;
          for (ferrite::SliceMut<Tracked> c : v.chunks_mut(chunk)) {
            if (!c.is_empty()) *c.first() = Tracked(index);
            ++index;
          }
        });
        for (std::size_t k = 0; chunk != 0 && k < model.size(); k += chunk) {
          model.at(k) = static_cast<int>(k / chunk);
        }
        break;
      }
      case 13: {
        const std::size_t i = arg % (model.size() + 1);
        const std::size_t j = static_cast<std::size_t>(value) % (model.size() + 1);
        ferrite::SliceMut<Tracked> all = v.as_mut_slice();
        expect_panic(i >= model.size() || j >= model.size(), [&] { all.swap(i, j); });
        if (i < model.size() && j < model.size()) std::swap(model.at(i), model.at(j));
        // While its halves live, the whole is frozen (checked builds).
        auto halves = all.split_at_mut(i);  // i <= len()
        if (!halves.has_value()) fail("split_at_mut within len");
        expect_panic(ferrite::detail::kCheckedBorrows, [&] { (void)std::as_const(all).get(0); });
        break;
      }
      case 14: {
        const std::size_t i = arg % (model.size() + 1);
        expect_panic(i >= model.size(), [&] {
          if (std::as_const(v)[i].value() != model.at(i)) fail("index value");
        });
        if ((v.get(i) == nullptr) != (i >= model.size())) fail("get");
        break;
      }
      default: {
        // A borrow makes every mutation panic and leaves the contents alone.
        ferrite::Slice<Tracked> borrowed = v.as_slice();
        expect_panic(ferrite::detail::kCheckedBorrows, [&] { v.reserve(arg + 1000); });
        if (borrowed.len() != model.size()) fail("borrowed len");
        break;
      }
    }
    check(v, model);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // SAFETY(fuzz-input): libFuzzer passes `size` readable bytes at `data`.
  const std::span<const std::uint8_t> input = FERRITE_UNSAFE_BUFFERS(std::span(data, size));
  ByteReader reader(input);
  run(reader);
  if (Tracked::live() != 0) fail("leaked or double-destroyed Tracked");
  return 0;
}
