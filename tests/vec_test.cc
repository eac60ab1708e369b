// Tests for ferrite/vec.h: Vec<T>, its split_at/split_at_mut views, checked
// borrows. Behaviours follow Rust's alloc/tests/vec.rs. Slice<T> and SliceMut<T>
// themselves are tested in tests/slice_test.cc.
#include "ferrite/vec.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <numeric>
#include <optional>
#include <ranges>
#include <set>
#include <span>
#include <sstream>
#include <string>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "ferrite/slice.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/checked_borrows.h"
#include "tests/support/test_types.h"
#include "tests/support/vec_reentrancy.h"
#include "tests/support/vec_values.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;
using ::testing::HasSubstr;

// --- compile-time contract ---------------------------------------------------

static_assert(std::contiguous_iterator<Vec<int>::iterator>);
static_assert(std::contiguous_iterator<Vec<int>::const_iterator>);
static_assert(std::ranges::contiguous_range<Vec<int>>);
static_assert(std::ranges::contiguous_range<const Vec<int>>);
static_assert(std::is_same_v<decltype(*std::declval<const Vec<int>&>().begin()), const int&>);
static_assert(std::is_same_v<decltype(std::declval<const Vec<int>&>().first()), const int*>);
static_assert(std::is_same_v<decltype(std::declval<Vec<int>&>().first()), int*>);
static_assert(std::is_same_v<decltype(std::declval<Vec<int>&>().split_at_mut(0)),
                             std::optional<std::pair<SliceMut<int>, SliceMut<int>>>>);
static_assert(std::is_same_v<decltype(std::declval<const Vec<int>&>().split_at(0)),
                             std::optional<std::pair<Slice<int>, Slice<int>>>>);
static_assert(!std::is_copy_constructible_v<Vec<int>>, "Vec is cloned explicitly, as in Rust");
// Send/Sync rows of marker.h.
static_assert(Send<Vec<int>> && Sync<Vec<int>>);
static_assert(!Send<Vec<Rc<int>>> && !Sync<Vec<Rc<int>>>);

// --- the header example --------------------------------------------------------

TEST(VecTest, HeaderExample) {
  ferrite::Vec<int> v{1, 2, 3, 4};
  v.push(5);
  EXPECT_EQ(v.len(), 5u);
  {
    auto halves = v.split_at_mut(2);
    auto& [left, right] = *halves;
    left[0] = 10;
    right.swap(0, 2);
  }
  EXPECT_EQ(values(v), (std::vector<int>{10, 2, 5, 4, 3}));
  std::ranges::sort(v);
  EXPECT_TRUE(v == (ferrite::Vec<int>{2, 3, 4, 5, 10}));
}

// --- construction, capacity ------------------------------------------------------

TEST(VecTest, DefaultIsEmptyAndAllocatesNothing) {
  Vec<int> v;
  EXPECT_EQ(v.len(), 0u);
  EXPECT_EQ(v.capacity(), 0u);
  EXPECT_TRUE(v.is_empty());
  EXPECT_EQ(v.first(), nullptr);
  EXPECT_EQ(v.last(), nullptr);
  EXPECT_EQ(v.get(0), nullptr);
  EXPECT_EQ(std::as_const(v).first(), nullptr);
  EXPECT_EQ(std::as_const(v).last(), nullptr);
  EXPECT_FALSE(v.pop().has_value());
  EXPECT_TRUE(v.begin() == v.end());
  EXPECT_EQ(v.as_slice().len(), 0u);
}

TEST(VecTest, WithCapacityIsExact) {
  Vec<int> v = Vec<int>::with_capacity(10);
  EXPECT_EQ(v.capacity(), 10u);
  EXPECT_EQ(v.len(), 0u);
  for (int i = 0; i < 10; ++i) v.push(i);
  EXPECT_EQ(v.capacity(), 10u) << "no reallocation within the requested capacity";
  EXPECT_EQ(Vec<int>::with_capacity(0).capacity(), 0u);
}

// Growth relocates every element into the new buffer (ferrite/detail/raw_storage.h).
// audit: vec-relocate-end, vec-relocate-destroy
TEST(VecTest, GrowthDoublesFromRustsMinimumCapacity) {
  Vec<int> ints;
  std::vector<std::size_t> seen;
  for (int i = 0; i < 33; ++i) {
    ints.push(i);
    if (seen.empty() || seen.back() != ints.capacity()) seen.push_back(ints.capacity());
  }
  EXPECT_EQ(seen, (std::vector<std::size_t>{4, 8, 16, 32, 64}));
  Vec<char> chars;
  chars.push('a');
  EXPECT_EQ(chars.capacity(), 8u);
  struct Big {
    std::array<char, 2048> bytes;
  };
  Vec<Big> bigs;
  bigs.push(Big{});
  EXPECT_EQ(bigs.capacity(), 1u);
  bigs.push(Big{});
  EXPECT_EQ(bigs.capacity(), 2u);
}

TEST(VecTest, InitializerListCopiesInOrder) {
  NoLeaks no_leaks;
  Vec<Counted> v{Counted(1), Counted(2), Counted(3)};
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(v.capacity(), 3u);
}

TEST(VecTest, ReserveFollowsRust) {
  Vec<int> v;
  v.reserve(2);
  EXPECT_GE(v.capacity(), 2u);
  for (int i = 0; i < 16; ++i) v.push(i);
  v.reserve(16);
  EXPECT_GE(v.capacity(), 32u);
  const std::size_t cap = v.capacity();
  v.reserve(cap - v.len());
  EXPECT_EQ(v.capacity(), cap) << "enough room already: no change";
  v.reserve(cap - v.len() + 1);
  EXPECT_GE(v.capacity(), 2 * cap) << "amortized: at least doubles";
  Vec<int> exact{1, 2, 3};
  exact.reserve_exact(7);
  EXPECT_EQ(exact.capacity(), 10u);
  exact.reserve_exact(1);
  EXPECT_EQ(exact.capacity(), 10u);
  EXPECT_EQ(values(exact), (std::vector<int>{1, 2, 3}));
}

TEST(VecTest, ShrinkToFitMakesCapacityEqualLen) {
  NoLeaks no_leaks;
  Vec<Counted> v = Vec<Counted>::with_capacity(100);
  for (int i = 0; i < 10; ++i) v.emplace(i);
  v.shrink_to_fit();
  EXPECT_EQ(v.capacity(), 10u);
  EXPECT_EQ(values(v), (std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  v.clear();
  v.shrink_to_fit();
  EXPECT_EQ(v.capacity(), 0u);
  v.push(Counted(7));
  EXPECT_EQ(v[0].value(), 7);
}

TEST(VecTest, CapacityOverflowPanics) {
  Vec<int> v{1};
  const std::size_t max = static_cast<std::size_t>(PTRDIFF_MAX) / sizeof(int);
  EXPECT_THAT(panic_message([&] { v.reserve(std::numeric_limits<std::size_t>::max()); }),
              HasSubstr("capacity overflow"));
  EXPECT_THAT(panic_message([&] { v.reserve_exact(max); }), HasSubstr("capacity overflow"));
  EXPECT_THAT(panic_message([&] { (void)Vec<int>::with_capacity(max + 1); }),
              HasSubstr("capacity overflow"));
  EXPECT_EQ(values(v), (std::vector<int>{1})) << "a failed reserve changes nothing";
  EXPECT_EQ(v.capacity(), 1u);
}

// --- push / pop / insert / remove ----------------------------------------------------

TEST(VecTest, PushPopIsLifo) {
  NoLeaks no_leaks;
  Vec<Counted> v;
  for (int i = 0; i < 100; ++i) v.push(Counted(i));
  EXPECT_EQ(v.len(), 100u);
  for (int i = 99; i >= 0; --i) {
    std::optional<Counted> x = v.pop();
    ASSERT_TRUE(x.has_value());
    EXPECT_EQ(x->value(), i);
  }
  EXPECT_FALSE(v.pop().has_value());
  EXPECT_EQ(Counted::live(), 0);
}

TEST(VecTest, EmplaceConstructsInPlaceAndReturnsTheElement) {
  Vec<std::pair<int, std::string>> v;
  auto& e = v.emplace(1, "one");
  EXPECT_EQ(e.second, "one");
  e.first = 2;
  EXPECT_EQ(v[0].first, 2);
}

TEST(VecTest, PushOfOwnElementSurvivesReallocation) {
  // The argument refers into the old buffer, which growth frees: the new
  // element must be built before the old elements move (ASan checks this).
  Vec<std::string> v{std::string(100, 'x')};
  for (int i = 0; i < 10; ++i) {
    ASSERT_EQ(v.len(), v.capacity()) << "each push below must reallocate";
    const std::string& first = std::as_const(v)[0];
    v.push(first);
    v.shrink_to_fit();
  }
  for (const std::string& s : v) EXPECT_EQ(s, std::string(100, 'x'));
  v.emplace(std::as_const(v)[3]);
  EXPECT_EQ(v.len(), 12u);
}

TEST(VecTest, InsertAtEveryPosition) {
  NoLeaks no_leaks;
  Vec<Counted> v;
  v.insert(0, Counted(2));                // {2}
  v.insert(0, Counted(0));                // {0, 2}
  v.insert(1, Counted(1));                // {0, 1, 2}
  v.insert(3, Counted(4));                // {0, 1, 2, 4}
  v.insert(3, Counted(3));                // {0, 1, 2, 3, 4}
  EXPECT_EQ(values(v), (std::vector<int>{0, 1, 2, 3, 4}));
  v.shrink_to_fit();
  v.insert(2, Counted(9));                // grows
  EXPECT_EQ(values(v), (std::vector<int>{0, 1, 9, 2, 3, 4}));
}

TEST(VecTest, InsertPastLenPanics) {
  Vec<int> v{1, 2, 3};
  EXPECT_EQ(panic_message([&] { v.insert(4, 0); }),
            "ferrite::Vec::insert: insertion index (is 4) should be <= len (is 3)");
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3}));
}

TEST(VecTest, RemoveShiftsLeft) {
  NoLeaks no_leaks;
  Vec<Counted> v{Counted(0), Counted(1), Counted(2), Counted(3), Counted(4)};
  EXPECT_EQ(v.remove(0).value(), 0);
  EXPECT_EQ(v.remove(1).value(), 2);
  EXPECT_EQ(v.remove(2).value(), 4);
  EXPECT_EQ(values(v), (std::vector<int>{1, 3}));
  EXPECT_EQ(panic_message([&] { v.remove(2); }),
            "ferrite::Vec::remove: removal index (is 2) should be < len (is 2)");
  EXPECT_EQ(values(v), (std::vector<int>{1, 3}));
}

TEST(VecTest, SwapRemoveMovesTheLastElementIn) {
  NoLeaks no_leaks;
  Vec<Counted> v{Counted(0), Counted(1), Counted(2), Counted(3)};
  EXPECT_EQ(v.swap_remove(0).value(), 0);  // {3, 1, 2}
  EXPECT_EQ(values(v), (std::vector<int>{3, 1, 2}));
  EXPECT_EQ(v.swap_remove(2).value(), 2);  // the last itself
  EXPECT_EQ(values(v), (std::vector<int>{3, 1}));
  EXPECT_EQ(panic_message([&] { v.swap_remove(5); }),
            "ferrite::Vec::swap_remove: removal index (is 5) should be < len (is 2)");
}

TEST(VecTest, TruncateAndClearDestroyExactlyTheTail) {
  NoLeaks no_leaks;
  Vec<Counted> v;
  for (int i = 0; i < 10; ++i) v.emplace(i);
  const long before = Counted::live();
  v.truncate(20);
  EXPECT_EQ(v.len(), 10u) << "truncating to more than len does nothing";
  v.truncate(4);
  EXPECT_EQ(Counted::live(), before - 6);
  EXPECT_EQ(values(v), (std::vector<int>{0, 1, 2, 3}));
  const std::size_t cap = v.capacity();
  v.clear();
  EXPECT_EQ(v.len(), 0u);
  EXPECT_EQ(v.capacity(), cap) << "clear keeps the buffer";
  EXPECT_EQ(Counted::live(), before - 10);
}

TEST(VecTest, DestructionOrderIsFrontToBack) {
  static std::vector<int>* order;
  struct Noisy {
    int id;
    ~Noisy() { order->push_back(id); }
  };
  std::vector<int> log;
  order = &log;
  {
    Vec<Noisy> v;
    for (int i = 0; i < 4; ++i) v.push(Noisy{i});
    log.clear();  // moves during growth destroyed moved-from copies
  }
  EXPECT_EQ(log, (std::vector<int>{0, 1, 2, 3}));
}

TEST(VecTest, ExtendAppendsAnyRange) {
  Vec<int> v{1};
  std::vector<int> source{2, 3};
  v.extend(source);
  v.extend(std::views::iota(4, 7));
  std::istringstream words("7 8");
  v.extend(std::views::istream<int>(words));  // an input-only, unsized range
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4, 5, 6, 7, 8}));
  Vec<std::string> strings;
  std::vector<std::string> movable{"a", "b"};
  strings.extend(movable | std::views::transform([](std::string& x) { return std::move(x); }));
  EXPECT_EQ(strings[1], "b");
  EXPECT_TRUE(movable[1].empty()) << "the transform moved the strings in";
}

TEST(VecTest, ResizeGrowsWithCopiesOrTruncates) {
  NoLeaks no_leaks;
  Vec<Counted> v;
  v.resize(3, Counted(7));
  EXPECT_EQ(values(v), (std::vector<int>{7, 7, 7}));
  v.resize(1, Counted(0));
  EXPECT_EQ(values(v), (std::vector<int>{7}));
}

// --- access -----------------------------------------------------------------------

TEST(VecTest, IndexingIsChecked) {
  Vec<int> v{10, 20, 30};
  EXPECT_EQ(v[2], 30);
  v[2] = 31;
  EXPECT_EQ(std::as_const(v)[2], 31);
  EXPECT_EQ(panic_message([&] { (void)v[3]; }),
            "ferrite::Vec: index out of bounds: the len is 3 but the index is 3");
  EXPECT_EQ(panic_message([&] { (void)std::as_const(v)[100]; }),
            "ferrite::Vec: index out of bounds: the len is 3 but the index is 100");
  EXPECT_EQ(*v.get(1), 20);
  EXPECT_EQ(v.get(3), nullptr);
  EXPECT_EQ(std::as_const(v).get(3), nullptr);
  EXPECT_EQ(*v.first(), 10);
  EXPECT_EQ(*v.last(), 31);
  EXPECT_EQ(v.get_unchecked(unsafe_fn, 1), 20);
}

TEST(VecTest, WorksWithAlgorithmsAndRanges) {
  Vec<int> v;
  for (int i = 0; i < 100; ++i) v.push((i * 37) % 100);
  std::sort(v.begin(), v.end());
  EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
  EXPECT_EQ(std::accumulate(v.begin(), v.end(), 0), 4950);
  std::ranges::reverse(v);
  EXPECT_EQ(v[0], 99);
  {
    // A filter view caches its begin(), a mutable iterator: it borrows v
    // until it goes out of scope.
    auto evens = v | std::views::filter([](int x) { return x % 2 == 0; });
    EXPECT_EQ(std::ranges::distance(evens), 50);
  }
  {
    auto it = std::ranges::find(std::as_const(v), 42);
    EXPECT_EQ(it - std::as_const(v).begin(), 57);
  }  // a shared iterator is gone: mutable ones may be taken again
  EXPECT_EQ(std::to_address(v.begin()), std::as_const(v).get(0));
  Vec<int>::const_iterator c = v.begin();  // iterator -> const_iterator
  EXPECT_EQ(*(c + 1), 98);
  EXPECT_EQ(c[2], 97);
  EXPECT_EQ(*(v.end() - 1), 0);
}

// --- clone / equality / moves ---------------------------------------------------------

TEST(VecTest, CloneIsDeepAndIndependent) {
  NoLeaks no_leaks;
  Vec<Counted> a{Counted(1), Counted(2)};
  Vec<Counted> b = a.clone();
  EXPECT_TRUE(a == b);
  EXPECT_EQ(b.capacity(), 2u);
  b.push(Counted(3));
  EXPECT_FALSE(a == b);
  EXPECT_EQ(a.len(), 2u);
  // Nested Vecs are cloned through Vec::clone (they are not copyable).
  Vec<Vec<int>> nested;
  nested.push(Vec<int>{1, 2});
  nested.push(Vec<int>{3});
  Vec<Vec<int>> copy = nested.clone();
  copy[0].push(9);
  EXPECT_EQ(nested[0].len(), 2u);
  EXPECT_EQ(copy[0].len(), 3u);
}

TEST(VecTest, MovesTransferTheBuffer) {
  NoLeaks no_leaks;
  Vec<Counted> a{Counted(1), Counted(2)};
  Vec<Counted> b(std::move(a));
  EXPECT_EQ(a.len(), 0u);  // NOLINT(bugprone-use-after-move): documented empty
  EXPECT_EQ(a.capacity(), 0u);
  EXPECT_EQ(values(b), (std::vector<int>{1, 2}));
  Vec<Counted> c{Counted(5)};
  c = std::move(b);
  EXPECT_EQ(values(c), (std::vector<int>{1, 2}));
  auto& self = c;
  c = std::move(self);
  EXPECT_EQ(values(c), (std::vector<int>{1, 2})) << "self-move is a no-op";
  a.push(Counted(3));  // a moved-from Vec is usable
  c.swap(a);
  EXPECT_EQ(values(c), (std::vector<int>{3}));
  EXPECT_EQ(values(a), (std::vector<int>{1, 2}));
}

// --- empty and over-aligned types -------------------------------------------------------

struct Empty {
  static inline long live = 0;
  Empty() { ++live; }
  Empty(const Empty&) { ++live; }
  Empty(Empty&&) noexcept { ++live; }
  Empty& operator=(const Empty&) = default;
  ~Empty() { --live; }
};
static_assert(std::is_empty_v<Empty>);

TEST(VecTest, EmptyTypesAreStoredOneBytePerElement) {
  {
    Vec<Empty> v;
    for (int i = 0; i < 100; ++i) v.emplace();
    EXPECT_EQ(v.len(), 100u);
    EXPECT_EQ(Empty::live, 100);
    std::set<const Empty*> addresses;
    for (const Empty& e : std::as_const(v)) addresses.insert(&e);
    EXPECT_EQ(addresses.size(), 100u) << "distinct objects need distinct addresses";
    EXPECT_TRUE(v.pop().has_value());
    EXPECT_EQ(Empty::live, 99);
    v.insert(5, Empty());
    v.remove(0);
    v.truncate(10);
    EXPECT_EQ(Empty::live, 10);
    v.shrink_to_fit();
    EXPECT_EQ(v.capacity(), 10u);
    Vec<Empty> copy = v.clone();
    EXPECT_EQ(Empty::live, 20);
  }
  EXPECT_EQ(Empty::live, 0);
}

template <std::size_t kAlign>
struct alignas(kAlign) Wide {
  int value;
};

template <class T>
void expect_aligned(const Vec<T>& v) {
  for (const T& x : v) {
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(&x) % alignof(T), 0u);
  }
}

TEST(VecTest, OverAlignedTypesAreAligned) {
  static_assert(alignof(Wide<256>) > __STDCPP_DEFAULT_NEW_ALIGNMENT__);
  Vec<Wide<64>> a;
  Vec<Wide<256>> b;
  for (int i = 0; i < 50; ++i) {
    a.push(Wide<64>{i});
    b.push(Wide<256>{i});
    expect_aligned(a);
    expect_aligned(b);
  }
  b.insert(3, Wide<256>{-1});
  b.shrink_to_fit();
  expect_aligned(b);
  Vec<Wide<256>> c = b.clone();
  expect_aligned(c);
  EXPECT_EQ(c[3].value, -1);
  EXPECT_EQ(c[49].value, 48);
}

// --- fault injection: exception guarantees -------------------------------------------

// A Fragile whose copy is deleted: relocation must move, and may throw.
class MoveOnlyFragile {
 public:
  explicit MoveOnlyFragile(int value) : inner_(value) {}
  MoveOnlyFragile(MoveOnlyFragile&&) = default;
  MoveOnlyFragile& operator=(MoveOnlyFragile&&) = default;
  MoveOnlyFragile(const MoveOnlyFragile&) = delete;
  int value() const { return inner_.value(); }

 private:
  Fragile inner_;
};
static_assert(!std::is_nothrow_move_constructible_v<Fragile>);
static_assert(std::is_copy_constructible_v<Fragile>);

Vec<Fragile> fragile_vec(int n, bool full) {
  Vec<Fragile> v = Vec<Fragile>::with_capacity(full ? n : 2 * n);
  for (int i = 0; i < n; ++i) v.emplace(i);
  return v;
}

// Calls op on a fresh Vec from make() under FaultPlan(n) for n = 1, 2, ...
// until it succeeds; after each injected fault, `check(v, before)` runs.
template <class Make, class Op, class Check>
int for_each_fault(Make make, Op op, Check check) {
  for (int n = 1; n < 1000; ++n) {
    auto v = make();
    const std::vector<int> before = values(v);
    const std::size_t capacity = v.capacity();
    {
      FaultPlan plan(n);
      try {
        op(v);
      } catch (const FaultInjected&) {
        check(v, before, capacity);
        continue;
      }
    }
    return n;  // succeeded: the op needs fewer than n fallible steps
  }
  ADD_FAILURE() << "never succeeded";
  return 0;
}

auto expect_unchanged() {
  return [](const auto& v, const std::vector<int>& before, std::size_t capacity) {
    EXPECT_EQ(values(v), before) << "strong guarantee: contents unchanged";
    EXPECT_EQ(v.capacity(), capacity) << "strong guarantee: buffer unchanged";
  };
}

auto expect_contents_unchanged() {
  return [](const auto& v, const std::vector<int>& before, std::size_t /*capacity*/) {
    EXPECT_EQ(values(v), before) << "contents unchanged";
  };
}

TEST(VecFaultTest, PushAndEmplaceAreStrong) {
  NoLeaks no_leaks;
  for (bool full : {true, false}) {
    int steps = for_each_fault([&] { return fragile_vec(5, full); },
                               [](Vec<Fragile>& v) { v.emplace(99); }, expect_unchanged());
    EXPECT_EQ(steps, full ? 7 : 2) << "construct 1 + relocate-by-copy 5 when full";
    for_each_fault([&] { return fragile_vec(5, full); },
                   [](Vec<Fragile>& v) {
                     const Fragile value(42);
                     v.push(value);
                   },
                   expect_unchanged());
    for_each_fault([&] { return fragile_vec(5, full); },
                   [](Vec<Fragile>& v) { v.push(Fragile(42)); }, expect_unchanged());
  }
  EXPECT_EQ(Counted::live(), 0);
}

TEST(VecFaultTest, ReserveAndShrinkAreStrong) {
  NoLeaks no_leaks;
  for_each_fault([] { return fragile_vec(6, true); }, [](Vec<Fragile>& v) { v.reserve(10); },
                 expect_unchanged());
  for_each_fault([] { return fragile_vec(6, true); },
                 [](Vec<Fragile>& v) { v.reserve_exact(1); }, expect_unchanged());
  for_each_fault([] { return fragile_vec(6, false); },
                 [](Vec<Fragile>& v) { v.shrink_to_fit(); }, expect_unchanged());
}

TEST(VecFaultTest, InsertIsStrongAtEveryPosition) {
  NoLeaks no_leaks;
  for (bool full : {true, false}) {
    for (std::size_t at : {0u, 2u, 5u}) {
      for_each_fault([&] { return fragile_vec(5, full); },
                     [&](Vec<Fragile>& v) { v.insert(at, Fragile(77)); }, expect_unchanged());
      auto v = fragile_vec(5, full);
      v.insert(at, Fragile(77));
      EXPECT_EQ(v[at].value(), 77);
      EXPECT_EQ(v.len(), 6u);
    }
  }
}

TEST(VecFaultTest, InitializerListLeavesNothingBehind) {
  // A constructor that throws never runs ~Vec: the copies made so far and
  // the buffer must be released by the constructor itself (LSan, NoLeaks).
  NoLeaks no_leaks;
  int n = 1;
  for (;; ++n) {
    FaultPlan plan(n);
    try {
      Vec<Fragile> v{Fragile(1), Fragile(2), Fragile(3), Fragile(4)};
      EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4}));
      break;
    } catch (const FaultInjected&) {
    }
  }
  EXPECT_EQ(n, 9) << "4 values, then 4 copies into the Vec";
}

TEST(VecFaultTest, CloneLeavesNothingBehind) {
  NoLeaks no_leaks;
  int steps = for_each_fault(
      [] { return fragile_vec(8, false); },
      [](Vec<Fragile>& v) {
        Vec<Fragile> copy = v.clone();
        EXPECT_TRUE(copy == v);
      },
      expect_unchanged());
  EXPECT_EQ(steps, 9);
}

TEST(VecFaultTest, ExtendAndResizeRestoreTheContents) {
  NoLeaks no_leaks;
  std::vector<Fragile> more;
  for (int i = 0; i < 4; ++i) more.emplace_back(100 + i);
  for (bool full : {true, false}) {
    for_each_fault([&] { return fragile_vec(3, full); },
                   [&](Vec<Fragile>& v) { v.extend(more); }, expect_contents_unchanged());
    for_each_fault([&] { return fragile_vec(3, full); },
                   [](Vec<Fragile>& v) { v.resize(9, Fragile(5)); },
                   expect_contents_unchanged());
  }
}

TEST(VecFaultTest, ThrowingMoveWithoutCopyIsBasic) {
  // Relocation must move and the move may throw: only the basic guarantee.
  // Everything must still be destroyed exactly once (NoLeaks, Counted).
  NoLeaks no_leaks;
  auto make = [] {
    Vec<MoveOnlyFragile> v = Vec<MoveOnlyFragile>::with_capacity(4);
    for (int i = 0; i < 4; ++i) v.emplace(i);
    return v;
  };
  auto still_valid = [](const Vec<MoveOnlyFragile>& v, const std::vector<int>& before,
                        std::size_t /*capacity*/) {
    EXPECT_EQ(v.len(), before.size()) << "the length is unchanged";
  };
  for_each_fault(make, [](Vec<MoveOnlyFragile>& v) { v.emplace(9); }, still_valid);
  for_each_fault(make, [](Vec<MoveOnlyFragile>& v) { v.insert(1, MoveOnlyFragile(9)); },
                 still_valid);
  for_each_fault(make, [](Vec<MoveOnlyFragile>& v) { v.remove(1); }, still_valid);
  for_each_fault(make, [](Vec<MoveOnlyFragile>& v) { (void)v.pop(); }, still_valid);
}

// The removed element is moved exactly once, into the caller's object: a
// second move after the length dropped could throw and lose it. pop's,
// remove's and swap_remove's single named return relies on the compiler's
// named-return elision; this test fails on a compiler that does not do it.
struct MoveCount {
  explicit MoveCount(int v) : value(v) {}
  MoveCount(MoveCount&& other) noexcept(false) : value(other.value) { ++moves(); }
  MoveCount& operator=(MoveCount&& other) noexcept(false) {
    value = other.value;
    return *this;
  }
  static int& moves() {
    thread_local int count = 0;
    return count;
  }
  int value;
};

TEST(VecTest, RemovedElementIsMovedOnce) {
  Vec<MoveCount> v = Vec<MoveCount>::with_capacity(8);
  for (int i = 0; i < 6; ++i) v.emplace(i);
  MoveCount::moves() = 0;
  MoveCount removed = v.remove(1);
  EXPECT_EQ(removed.value, 1);
  EXPECT_EQ(MoveCount::moves(), 1) << "Vec::remove";
  MoveCount::moves() = 0;
  MoveCount swapped = v.swap_remove(0);
  EXPECT_EQ(swapped.value, 0);
  EXPECT_EQ(MoveCount::moves(), 1) << "Vec::swap_remove";
  MoveCount::moves() = 0;
  std::optional<MoveCount> popped = v.pop();
  ASSERT_TRUE(popped.has_value());
  EXPECT_EQ(popped->value, 4);
  EXPECT_EQ(MoveCount::moves(), 1) << "Vec::pop";
  EXPECT_EQ(v.len(), 3u);
}

// --- split_at / split_at_mut ---------------------------------------------------------------

TEST(VecTest, SplitAtMutAtZeroLenAndPastLen) {
  Vec<int> v{1, 2, 3};
  {
    auto at_zero = v.split_at_mut(0);
    ASSERT_TRUE(at_zero.has_value());
    EXPECT_EQ(at_zero->first.len(), 0u);
    EXPECT_EQ(at_zero->second.len(), 3u);
    EXPECT_EQ(at_zero->first.first(), nullptr);
  }
  {
    auto at_len = v.split_at_mut(3);
    ASSERT_TRUE(at_len.has_value());
    EXPECT_EQ(at_len->first.len(), 3u);
    EXPECT_EQ(at_len->second.len(), 0u);
    EXPECT_EQ(at_len->second.last(), nullptr);
  }
  EXPECT_FALSE(v.split_at_mut(4).has_value());
  EXPECT_FALSE(v.split_at(4).has_value());
  Vec<int> empty;
  EXPECT_TRUE(empty.split_at_mut(0).has_value());
  EXPECT_FALSE(empty.split_at_mut(1).has_value());
}

TEST(VecTest, SplitHalvesAreDisjointViews) {
  Vec<int> v{0, 1, 2, 3, 4};
  {
    auto [left, right] = *v.split_at_mut(2);
    for (int& x : left) x += 10;
    for (int& x : right) x += 20;
    EXPECT_EQ(*left.last(), 11);
    EXPECT_EQ(*right.first(), 22);
  }
  EXPECT_EQ(values(v), (std::vector<int>{10, 11, 22, 23, 24}));
  auto [a, b] = *std::as_const(v).split_at(1);
  EXPECT_EQ(a.len(), 1u);
  EXPECT_EQ(b[3], 24);
}

// --- checked borrows ------------------------------------------------------------------------

class BorrowTest : public ::ferrite::testing::CheckedBorrowsTest {};

TEST_F(BorrowTest, EveryMutationPanicsWhileASliceIsAlive) {
  Vec<int> v{1, 2, 3};
  Vec<int> other{4};
  Slice<int> s = v.as_slice();
  const std::vector<std::pair<std::string, std::function<void()>>> operations = {
      {"Vec::emplace", [&] { v.emplace(1); }},
      {"Vec::emplace", [&] { v.push(1); }},
      {"Vec::pop", [&] { (void)v.pop(); }},
      {"Vec::insert", [&] { v.insert(0, 1); }},
      {"Vec::remove", [&] { (void)v.remove(0); }},
      {"Vec::swap_remove", [&] { (void)v.swap_remove(0); }},
      {"Vec::truncate", [&] { v.truncate(0); }},
      {"Vec::clear", [&] { v.clear(); }},
      {"Vec::reserve", [&] { v.reserve(100); }},
      {"Vec::reserve_exact", [&] { v.reserve_exact(100); }},
      {"Vec::shrink_to_fit", [&] { v.shrink_to_fit(); }},
      {"Vec::extend", [&] { v.extend(std::vector<int>{1}); }},
      {"Vec::resize", [&] { v.resize(10, 0); }},
      {"Vec::operator[]", [&] { v[0] = 5; }},
      {"Vec::get", [&] { (void)v.get(0); }},
      {"Vec::get", [&] { (void)v.first(); }},
      {"Vec::get", [&] { (void)v.last(); }},
      {"Vec::begin", [&] { (void)v.begin(); }},
      {"Vec::end", [&] { (void)v.end(); }},
      {"Vec::as_mut_slice", [&] { (void)v.as_mut_slice(); }},
      {"Vec::split_at_mut", [&] { (void)v.split_at_mut(1); }},
      {"Vec::chunks_mut", [&] { (void)v.chunks_mut(1); }},
      {"Vec::swap", [&] { v.swap(other); }},
      {"Vec::swap", [&] { other.swap(v); }},
      {"Vec::Vec(Vec&&)", [&] { Vec<int> stolen(std::move(v)); }},
      {"Vec::operator=(Vec&&)", [&] { v = Vec<int>{9}; }},
      {"Vec::operator=(Vec&&) (source)", [&] { other = std::move(v); }},
  };
  for (const auto& [name, op] : operations) {
    EXPECT_EQ(panic_message(op),
              name + " while 1 slice or iterator borrows it: it could invalidate them; let them go "
                     "out of scope first")
        << name;
  }
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3})) << "every refused operation changed nothing";
  EXPECT_EQ(s[2], 3) << "the slice is still valid";
  EXPECT_EQ(values(other), (std::vector<int>{4}));
}

TEST_F(BorrowTest, ConstAccessIsAllowedWhileBorrowed) {
  Vec<int> v{1, 2, 3};
  Slice<int> s = v.as_slice();
  const Vec<int>& shared = v;
  EXPECT_EQ(shared[0], 1);
  EXPECT_EQ(*shared.get(1), 2);
  EXPECT_EQ(*shared.last(), 3);
  EXPECT_EQ(std::ranges::distance(shared), 3);
  EXPECT_EQ(v.len(), 3u);
  EXPECT_EQ(v.capacity(), 3u);
  Slice<int> again = v.as_slice();
  EXPECT_TRUE(again == s);
  EXPECT_TRUE(v.clone() == v);
  EXPECT_EQ(v.chunks(2).size(), 2u);
  EXPECT_TRUE(v.split_at(1).has_value());
}

TEST_F(BorrowTest, MessageCountsEveryLiveView) {
  Vec<int> v{1, 2, 3, 4};
  {
    auto halves = v.split_at_mut(2);
    EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("Vec::emplace while 2 slices or iterators"));
    // Views taken from a half borrow the half, which keeps borrowing the Vec.
    Slice<int> copy = halves->first.as_slice();
    Slice<int> copy2 = copy;
    EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("while 2 slices or iterators borrow it"));
    EXPECT_THAT(panic_message([&] { halves->first[0] = 5; }),
                HasSubstr("SliceMut::operator[] while 2 slices or iterators borrow it"));
  }
  {
    Chunks<int> chunks = v.chunks(1);
    EXPECT_THAT(panic_message([&] { v.clear(); }), HasSubstr("Vec::clear while 1 slice or iterator"));
    auto it = chunks.begin();
    Slice<int> first_chunk = *it;  // the range, its iterator and the chunk
    EXPECT_THAT(panic_message([&] { v.clear(); }), HasSubstr("while 3 slices"));
  }
  {
    SliceMut<int> whole = v.as_mut_slice();
    SliceMut<int> moved = std::move(whole);  // a move transfers, does not add
    EXPECT_THAT(panic_message([&] { v.clear(); }), HasSubstr("while 1 slice"));
  }
  v.push(5);  // every borrow has ended
  EXPECT_EQ(v.len(), 5u);
}

TEST_F(BorrowTest, DanglingSliceAttemptPanicsInsteadOfDangling) {
  // In Rust this does not compile: `let s = &v[..]; v.push(4); s[0]`.
  Vec<std::string> v{"a", "b", "c"};
  Slice<std::string> s = v.as_slice();
  EXPECT_THAT(panic_message([&] { v.push("d"); }),
              HasSubstr("Vec::emplace while 1 slice or iterator borrows it"));
  EXPECT_EQ(s[0], "a") << "no reallocation happened: the slice is still valid (ASan checks)";
}

TEST_F(BorrowTest, SlicesOnOtherThreadsAreCounted) {
  Vec<int> v{1, 2, 3, 4};
  std::optional<Slice<int>> held;
  {
    Slice<int> s = v.as_slice();
    std::thread t([copy = s]() mutable { (void)copy[0]; });
    t.join();
    held = s;
  }
  EXPECT_THAT(panic_message([&] { v.clear(); }), HasSubstr("while 1 slice"));
  held.reset();
  v.clear();
}

// --- re-entrancy: element code that reaches its own Vec ------------------------------------

// An element whose destructor pushes into the Vec that holds it (as a
// reviewer's hostile program would), recording the panic it gets: a panic
// cannot leave a destructor, so the element catches it.
struct PushesOnDestruction : LinkedToItsVec<PushesOnDestruction> {
  static inline std::vector<std::string>* panics = nullptr;
  using LinkedToItsVec::LinkedToItsVec;
  PushesOnDestruction(PushesOnDestruction&&) noexcept = default;
  PushesOnDestruction& operator=(PushesOnDestruction&&) noexcept = default;
  ~PushesOnDestruction() {
    if (owner == nullptr) return;
    try {
      owner->push(PushesOnDestruction(nullptr, -1));
    } catch (const Panic& p) {
      panics->push_back(p.what());
    }
  }
};

// An element whose copy (relocation of a T without a noexcept move) pushes
// into the Vec whose buffer is being moved.
struct PushesOnCopy {
  static inline Vec<PushesOnCopy>* owner = nullptr;
  Counted counted;
  explicit PushesOnCopy(int value) : counted(value) {}
  PushesOnCopy(const PushesOnCopy& other) : counted(other.counted) {
    if (owner != nullptr) owner->push(PushesOnCopy(-1));
  }
  int value() const { return counted.value(); }
};

TEST_F(BorrowTest, DestructorPushingIntoItsVecPanics) {
  NoLeaks no_leaks;
  std::vector<std::string> panics;
  PushesOnDestruction::panics = &panics;
  const std::vector<std::pair<std::string, std::function<void(Vec<PushesOnDestruction>&)>>>
      operations = {
          {"Vec::clear", [](auto& v) { v.clear(); }},
          {"Vec::truncate", [](auto& v) { v.truncate(1); }},
          {"Vec::operator=(Vec&&)", [](auto& v) { v = Vec<PushesOnDestruction>(); }},
      };
  for (const auto& [name, op] : operations) {
    panics.clear();
    {
      Vec<PushesOnDestruction> v;
      for (int i = 0; i < 4; ++i) v.emplace(&v, i);
      v.shrink_to_fit();  // a push would have to reallocate
      op(v);
      ASSERT_FALSE(panics.empty()) << name;
      EXPECT_EQ(panics[0],
                "ferrite::Vec modified or borrowed while one of its elements' constructor/"
                "destructor runs: Vec::emplace inside " +
                    name + "; an element's code must not reach the Vec that holds it");
      for (PushesOnDestruction& x : v) x.owner = nullptr;
    }
  }
  // Dropping the Vec: ~Vec holds the same borrow.
  panics.clear();
  {
    Vec<PushesOnDestruction> v;
    for (int i = 0; i < 3; ++i) v.emplace(&v, i);
  }
  ASSERT_EQ(panics.size(), 3u);
  EXPECT_THAT(panics[0], HasSubstr("Vec::emplace inside Vec::~Vec"));
}

TEST_F(BorrowTest, ConstructorEmplacingIntoItsVecPanics) {
  NoLeaks no_leaks;
  for (bool full : {true, false}) {
    Vec<EmplacesOnConstruction> v = two_emplaced(full);
    EXPECT_EQ(panic_message([&] { v.emplace(&v, 2); }),
              "ferrite::Vec modified or borrowed while one of its elements' constructor/"
              "destructor runs: Vec::emplace inside Vec::emplace; an element's code must not "
              "reach the Vec that holds it");
    EXPECT_EQ(values(v), (std::vector<int>{0, 1})) << "the failed emplace changed nothing";
    EXPECT_EQ(v.capacity(), full ? 2u : 8u);
  }
}

TEST_F(BorrowTest, CopyDuringRelocationReachingTheVecPanics) {
  NoLeaks no_leaks;
  Vec<PushesOnCopy> v;
  v.emplace(0);
  v.emplace(1);
  v.shrink_to_fit();
  PushesOnCopy::owner = &v;
  EXPECT_THAT(panic_message([&] { v.reserve(10); }), HasSubstr("Vec::emplace inside Vec::reserve"));
  EXPECT_THAT(panic_message([&] { v.push(PushesOnCopy(2)); }),
              HasSubstr("Vec::emplace inside Vec::emplace"));
  PushesOnCopy::owner = nullptr;
  EXPECT_EQ(values(v), (std::vector<int>{0, 1})) << "strong guarantee: nothing changed";
  EXPECT_EQ(v.capacity(), 2u);
}

// An element whose operator== pushes into a Vec being compared.
struct Meddling {
  static inline Vec<Meddling>* target = nullptr;
  int value;
  bool operator==(const Meddling& other) const {
    if (target != nullptr) target->push(Meddling{0});
    return value == other.value;
  }
};

TEST_F(BorrowTest, ComparisonReachingTheVecPanics) {
  Vec<Meddling> a{Meddling{1}, Meddling{2}};
  Vec<Meddling> b{Meddling{1}, Meddling{2}};
  Meddling::target = &a;
  EXPECT_THAT(panic_message([&] { (void)(a == b); }),
              HasSubstr("Vec::emplace while 3 slices or iterators borrow it"));
  Meddling::target = nullptr;
  EXPECT_EQ(a.len(), 2u);
}

// --- aliasing: growing operations copy an argument that lives in the Vec --------------------

TEST(VecTest, ResizeFromOwnElementSurvivesReallocation) {
  NoLeaks no_leaks;
  Vec<std::string> v{std::string(64, 'x')};
  v.resize(8, v[0]);  // v[0] lives in the buffer that growing frees (ASan checks)
  for (const std::string& s : v) EXPECT_EQ(s, std::string(64, 'x'));
  v.shrink_to_fit();
  v.resize(20, std::as_const(v)[7]);
  EXPECT_EQ(v.len(), 20u);
  EXPECT_EQ(std::as_const(v)[19], std::string(64, 'x'));
  Vec<Counted> counted{Counted(5)};
  counted.resize(9, counted[0]);
  EXPECT_EQ(values(counted), (std::vector<int>(9, 5)));
}

TEST(VecTest, ExtendFromItselfCopiesFirst) {
  NoLeaks no_leaks;
  Vec<std::string> v{"a", "b"};
  v.extend(v);  // a view of v's own elements: copied before the buffer grows
  EXPECT_EQ(v.len(), 4u);
  EXPECT_EQ(std::as_const(v)[3], "b");
  // A std::span escapes the borrow checks (made through std::ranges::data),
  // yet extend still sees that it views the Vec's own elements.
  v.shrink_to_fit();
  std::span<const std::string> view(std::as_const(v));
  v.extend(view.subspan(1, 2));
  EXPECT_EQ(v.len(), 6u);
  EXPECT_EQ(std::as_const(v)[4], "b");
  EXPECT_EQ(std::as_const(v)[5], "a");
  Vec<Counted> counted{Counted(1), Counted(2)};
  counted.extend(counted);
  EXPECT_EQ(values(counted), (std::vector<int>{1, 2, 1, 2}));
}

TEST_F(BorrowTest, ExtendFromAViewOfItselfPanics) {
  Vec<int> v{1, 2, 3, 4};
  // The filter view asks the Vec for its begin and its end in one call, whose
  // arguments are evaluated in no fixed order: either is refused first.
  const auto refused = [](const char* accessor) {
    return std::string(
               "ferrite::Vec modified or borrowed while one of its elements' constructor/"
               "destructor runs: Vec::") +
           accessor + " inside Vec::extend; an element's code must not reach the Vec that holds it";
  };
  EXPECT_THAT(panic_message([&] { v.extend(v | std::views::filter([](int x) { return x % 2; })); }),
              ::testing::AnyOf(refused("begin"), refused("end")));
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4}));
}

// --- iterators are borrows ------------------------------------------------------------------

TEST_F(BorrowTest, PushWhileIteratingPanics) {
  Vec<std::string> v{"a", "b"};
  v.shrink_to_fit();
  EXPECT_EQ(panic_message([&] {
              for (std::string& s : v) v.push(s);
            }),
            "Vec::emplace while 2 slices or iterators borrow it: it could invalidate them; let "
            "them go out of scope first");
  EXPECT_THAT(panic_message([&] {
                for (const std::string& s : std::as_const(v)) v.push(s);
              }),
              HasSubstr("Vec::emplace while 2 slices or iterators borrow it"));
  EXPECT_EQ(v.len(), 2u);
  {
    auto it = v.begin();
    EXPECT_THAT(panic_message([&] { (void)v.as_slice(); }),
                HasSubstr("Vec::as_slice while 1 mutable slice or iterator borrows it"));
    EXPECT_THAT(panic_message([&] { (void)std::as_const(v).begin(); }),
                HasSubstr("Vec::begin while 1 mutable slice or iterator"));
    Vec<std::string>::const_iterator c = it;
    EXPECT_EQ(*c, "a");
  }
  {
    auto c = std::as_const(v).begin();
    EXPECT_THAT(panic_message([&] { (void)v.begin(); }),
                HasSubstr("Vec::begin while 1 slice or iterator"));
  }
  v.push("c");  // every iterator is gone
  EXPECT_EQ(v.len(), 3u);
}

TEST_F(BorrowTest, ChunkIteratorOutlivingItsRangeStillBorrows) {
  Vec<int> v{1, 2, 3, 4};
  v.shrink_to_fit();
  {
    auto it = v.chunks_mut(2).begin();  // the range was a temporary
    EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("Vec::emplace while 1 slice"));
    (*it)[0] = 10;
  }
  auto slice_it = v.chunks(3).begin();
  EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("Vec::emplace while 1 slice"));
  auto element_it = std::as_const(v).as_slice().begin();  // the slice was a temporary
  EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("Vec::emplace while 2 slices"));
  EXPECT_EQ(*element_it, 10);
}

// --- iterators are bounds-checked -----------------------------------------------------------

TEST_F(BorrowTest, IteratorArithmeticIsChecked) {
  Vec<int> v{1, 2, 3, 4};
  {
    auto it = v.begin();
    EXPECT_EQ(panic_message([&] { it[8] = 42; }),
              "ferrite: iterator out of bounds: moving by 8 from position 0 of a view of len 4 "
              "(an iterator stays within [begin(), end()])");
    EXPECT_THAT(panic_message([&] { (void)(it + 5); }), HasSubstr("moving by 5 from position 0"));
    EXPECT_THAT(panic_message([&] { (void)(it - 1); }), HasSubstr("moving by -1 from position 0"));
    EXPECT_THAT(panic_message([&] { --it; }), HasSubstr("moving by -1"));
    auto end = v.end();
    EXPECT_EQ(panic_message([&] { *end = 1; }),
              "ferrite: iterator out of bounds: dereferencing position 4 of a view of len 4");
    EXPECT_THAT(panic_message([&] { ++end; }), HasSubstr("moving by 1 from position 4"));
    EXPECT_EQ(end - it, 4);
    EXPECT_EQ(it[3], 4);
    EXPECT_EQ(*(end - 4), 1);
    EXPECT_EQ(std::to_address(end) - std::to_address(it), 4);
  }
  auto c = std::as_const(v).begin();
  EXPECT_THAT(panic_message([&] { (void)c[4]; }), HasSubstr("dereferencing position 4"));
  EXPECT_THAT(panic_message([&] { (void)c[5]; }), HasSubstr("moving by 5 from position 0"));
  Vec<int> other{1};
  auto o = std::as_const(other).begin();
  EXPECT_THAT(panic_message([&] { (void)(o - c); }), HasSubstr("two different views"));
  Vec<int>::const_iterator empty;
  EXPECT_THAT(panic_message([&] { (void)*empty; }), HasSubstr("dereferencing position 0"));
  EXPECT_EQ(values(v), (std::vector<int>{1, 2, 3, 4})) << "no write went through";
}

using BorrowDeathTest = BorrowTest;

void destroy_vec_under_a_slice() {
  std::optional<Slice<int>> s;
  {
    Vec<int> v{1, 2, 3};
    s = v.as_slice();
  }  // ~Vec runs here, with `s` still alive
}

void destroy_vec_under_two_halves() {
  auto v = std::make_unique<Vec<int>>(std::initializer_list<int>{1, 2});
  auto halves = v->split_at_mut(1);
  v.reset();
}

TEST_F(BorrowDeathTest, DestroyingABorrowedVecAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(destroy_vec_under_a_slice(),
               "Vec::~Vec while 1 slice or iterator borrows it: they would dangle");
  EXPECT_DEATH(destroy_vec_under_two_halves(), "Vec::~Vec while 2 slices or iterators borrow it");
}

}  // namespace
}  // namespace ferrite
