// Tests for ferrite/slice.h: a SliceMut is exclusive (Rust's `&mut [T]`).
// Every view or iterator taken from a SliceMut borrows it (checked builds):
// while a mutable one lives, every access through the SliceMut panics; while
// only shared ones live, its shared access works and its mutable access
// panics. The views also keep the root Vec borrowed. Release builds keep
// zero-cost views (tests/vec_release_test.cc).
#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <initializer_list>
#include <latch>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/panic.h"
#include "ferrite/slice.h"
#include "ferrite/thread.h"
#include "ferrite/unsafe.h"
#include "ferrite/vec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/checked_borrows.h"
#include "tests/support/test_types.h"
#include "tests/support/vec_values.h"

namespace ferrite {
namespace {

using ::ferrite::testing::Counted;
using ::ferrite::testing::NoLeaks;
using ::ferrite::testing::panic_message;
using ::ferrite::testing::values;
using ::testing::HasSubstr;

// --- compile-time contract ---------------------------------------------------

static_assert(!std::is_copy_constructible_v<SliceMut<int>>, "&mut [T] is not Copy");
static_assert(!std::is_copy_assignable_v<SliceMut<int>>);
static_assert(std::is_nothrow_move_constructible_v<SliceMut<int>>);
static_assert(std::is_nothrow_move_assignable_v<SliceMut<int>>);

// "<op> while N (mutable) slice(s) or iterator(s) borrow(s) it: ...".
std::string lent(const std::string& op, const std::string& views) {
  return op + " while " + views +
         ": a SliceMut is exclusive (Rust's &mut [T]) while views taken from it live; let them "
         "go out of scope first";
}
std::string lent_mutably(const std::string& op, const std::string& views) {
  return op + " while " + views + ": a shared view would alias it; let it go out of scope first";
}

class SliceBorrowTest : public ::ferrite::testing::CheckedBorrowsTest {};

// --- hostile programs: each races in a build without the checks ---------------------------

// `let m = &mut v[..]; let s = &*m; m[0] = 1; s[0]` does not compile in Rust.
TEST_F(SliceBorrowTest, SharedViewFreezesMutationThroughTheParent) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  {
    Slice<int> s = m.as_slice();
    EXPECT_EQ(panic_message([&] { m[0] = 9; }),
              lent("SliceMut::operator[]", "1 slice or iterator borrows it"));
    Slice<int> coerced = m;  // the implicit conversion is a shared view too
    EXPECT_EQ(panic_message([&] { m[0] = 9; }),
              lent("SliceMut::operator[]", "2 slices or iterators borrow it"));
    EXPECT_THAT(panic_message([&] { (void)m.get(0); }), HasSubstr("SliceMut::get while 2"));
    EXPECT_THAT(panic_message([&] { (void)m.first(); }), HasSubstr("SliceMut::first while"));
    EXPECT_THAT(panic_message([&] { (void)m.last(); }), HasSubstr("SliceMut::last while"));
    EXPECT_THAT(panic_message([&] { m.swap(0, 1); }), HasSubstr("SliceMut::swap while"));
    EXPECT_THAT(panic_message([&] { (void)m.begin(); }), HasSubstr("SliceMut::begin while"));
    EXPECT_THAT(panic_message([&] { (void)m.end(); }), HasSubstr("SliceMut::end while"));
    EXPECT_THAT(panic_message([&] { (void)m.split_at_mut(1); }),
                HasSubstr("SliceMut::split_at_mut while"));
    EXPECT_THAT(panic_message([&] { (void)m.chunks_mut(1); }),
                HasSubstr("SliceMut::chunks_mut while"));
    EXPECT_THAT(panic_message([&] { (void)m.as_span(unsafe_fn); }),
                HasSubstr("SliceMut::as_span while"));
    Vec<int> other{7, 7, 7, 7};
    EXPECT_THAT(panic_message([&] { m.copy_from_slice(other); }),
                HasSubstr("SliceMut::copy_from_slice while"));
    // Rust's `m.copy_from_slice(m)` does not compile either.
    EXPECT_THAT(panic_message([&] { m.copy_from_slice(m); }),
                HasSubstr("SliceMut::copy_from_slice while 3 slices"));
    EXPECT_EQ(s[0], 1);
    EXPECT_EQ(coerced[3], 4);
  }
  m[0] = 9;  // the shared views are gone
  EXPECT_EQ(m[0], 9);
}

TEST_F(SliceBorrowTest, SharedViewReadOnAnotherThreadWhileTheParentWrites) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  std::atomic<int> sum{0};
  std::latch attempted(1);
  std::string refused;
  thread::scope([&](thread::Scope& scope) {
    scope.spawn([&sum, &attempted](Slice<int> view) {
      for (int x : view) sum += x;
      attempted.wait();  // the view lives until the write has been tried
    }, m.as_slice());
    refused = panic_message([&] { m[0] = 100; });  // would race with the reader
    attempted.count_down();
  });
  EXPECT_THAT(refused, ::testing::StartsWith("SliceMut::operator[] while "));
  EXPECT_THAT(refused, HasSubstr("a SliceMut is exclusive (Rust's &mut [T])"));
  EXPECT_EQ(sum.load(), 10);
  m[0] = 100;  // the reader is gone
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{100, 2, 3, 4}));
}

// `let (a, b) = m.split_at_mut(2); m[0] = 1; a[0] = 2;` does not compile in Rust.
TEST_F(SliceBorrowTest, SplitHalvesFreezeEveryAccessThroughTheParent) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  {
    auto [a, b] = *m.split_at_mut(2);
    EXPECT_EQ(panic_message([&] { m[0] = 1; }),
              lent("SliceMut::operator[]", "2 slices or iterators borrow it"));
    EXPECT_EQ(panic_message([&] { (void)std::as_const(m)[0]; }),
              lent_mutably("SliceMut::operator[]", "2 mutable slices or iterators borrow it"));
    EXPECT_THAT(panic_message([&] { (void)m.as_slice(); }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { Slice<int> s = m; }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.begin(); }),
                HasSubstr("SliceMut::begin while 2 slices"));
    EXPECT_THAT(panic_message([&] { (void)std::as_const(m).begin(); }),
                HasSubstr("SliceMut::begin while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.chunks_mut(1); }),
                HasSubstr("SliceMut::chunks_mut while 2"));
    EXPECT_THAT(panic_message([&] { (void)m.chunks(1); }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.split_at_mut(1); }),
                HasSubstr("SliceMut::split_at_mut while 2"));
    EXPECT_THAT(panic_message([&] { (void)m.split_at(1); }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.to_vec(); }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)(m == m); }), HasSubstr("SliceMut::begin while 2"));
    EXPECT_THAT(panic_message([&] { (void)std::as_const(m).get(0); }),
                HasSubstr("SliceMut::get while 2 mutable"));
    EXPECT_EQ(m.len(), 4u) << "the view's own length is no access to its elements";
    a[0] = 10;
    b[1] = 40;
  }
  m[1] = 20;  // the halves are gone: the parent is usable again
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{10, 20, 3, 40}));
}

TEST_F(SliceBorrowTest, ParentWritesWhileAHalfIsWrittenOnAnotherThread) {
  Vec<int> v(std::initializer_list<int>{0, 0, 0, 0});
  SliceMut<int> m = v.as_mut_slice();
  std::latch attempted(1);
  std::string refused;
  thread::scope([&](thread::Scope& scope) {
    auto [a, b] = *m.split_at_mut(2);
    scope.spawn([&attempted](SliceMut<int> half) {
      for (int& x : half) x = 1;
      attempted.wait();  // the half lives until the write has been tried
    }, std::move(a));
    refused = panic_message([&] { m[0] = 2; });  // would race with the writer
    attempted.count_down();
    b[0] = 3;
  });
  EXPECT_EQ(refused, lent("SliceMut::operator[]", "2 slices or iterators borrow it"));
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{1, 1, 3, 0}));
}

TEST_F(SliceBorrowTest, ChunksMutRangeAndItsChunksFreezeTheParent) {
  Vec<int> v{1, 2, 3, 4, 5};
  SliceMut<int> m = v.as_mut_slice();
  {
    ChunksMut<int> chunks = m.chunks_mut(2);
    EXPECT_EQ(panic_message([&] { m[0] = 0; }),
              lent("SliceMut::operator[]", "1 slice or iterator borrows it"));
    for (SliceMut<int> chunk : chunks) {
      EXPECT_THAT(panic_message([&] { (void)std::as_const(m)[0]; }),
                  HasSubstr("SliceMut::operator[] while 1 mutable"));
      chunk[0] *= 10;
      auto [head, tail] = *chunk.split_at_mut(1);
      EXPECT_THAT(panic_message([&] { chunk[0] = 0; }),
                  HasSubstr("SliceMut::operator[] while 2 slices"));
      head[0] += 1;
    }
  }
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{11, 2, 31, 4, 51}));
  {
    Chunks<int> shared = m.chunks(2);
    EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("SliceMut::operator[] while 1 slice"));
    EXPECT_EQ(std::as_const(m)[0], 11) << "shared reads go on beside shared chunks";
    EXPECT_EQ((*shared.begin())[1], 2);
  }
}

TEST_F(SliceBorrowTest, MutableIteratorsFreezeTheParentButPairUp) {
  Vec<int> v{3, 1, 2};
  SliceMut<int> m = v.as_mut_slice();
  {
    auto first = m.begin();
    auto last = m.end();  // begin() and end() pair up
    EXPECT_EQ(panic_message([&] { m[0] = 0; }),
              lent("SliceMut::operator[]", "2 slices or iterators borrow it"));
    EXPECT_THAT(panic_message([&] { (void)std::as_const(m)[0]; }),
                HasSubstr("SliceMut::operator[] while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.as_slice(); }),
                HasSubstr("SliceMut::as_slice while 2 mutable"));
    EXPECT_THAT(panic_message([&] { (void)m.split_at_mut(1); }),
                HasSubstr("SliceMut::split_at_mut while 2"));
    SliceMut<int>::const_iterator read_only = first;  // still a mutable borrow
    EXPECT_THAT(panic_message([&] { (void)std::as_const(m).begin(); }),
                HasSubstr("SliceMut::begin while 3 mutable"));
    EXPECT_EQ(*read_only, 3);
    std::sort(first, last);
  }
  std::ranges::sort(m, std::ranges::greater{});
  for (int& x : m) x += 1;
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{4, 3, 2}));
}

TEST_F(SliceBorrowTest, SubSlicesOfSubSlicesFreezeEachLevel) {
  Vec<int> v{1, 2, 3, 4, 5, 6, 7, 8};
  SliceMut<int> m = v.as_mut_slice();
  {
    auto [a, b] = *m.split_at_mut(4);
    {
      auto [a1, a2] = *a.split_at_mut(2);
      EXPECT_THAT(panic_message([&] { a[0] = 0; }), HasSubstr("SliceMut::operator[] while 2"));
      EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("SliceMut::operator[] while 2"));
      Slice<int> shared = a1.as_slice();
      EXPECT_THAT(panic_message([&] { a1[0] = 0; }),
                  HasSubstr("SliceMut::operator[] while 1 slice"));
      a2[0] = 30;
      b[0] = 50;
      EXPECT_EQ(shared[1], 2);
    }
    a[0] = 10;  // a's halves are gone; m's are not
    EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("SliceMut::operator[] while 2"));
  }
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{10, 2, 30, 4, 50, 6, 7, 8}));
}

TEST_F(SliceBorrowTest, SharedViewsAllowSharedAccessToTheParent) {
  Vec<int> v{1, 2, 3};
  SliceMut<int> m = v.as_mut_slice();
  Slice<int> s = m.as_slice();
  const SliceMut<int>& reader = m;
  EXPECT_EQ(reader[2], 3);
  EXPECT_EQ(*reader.get(1), 2);
  EXPECT_EQ(*reader.first(), 1);
  EXPECT_EQ(*reader.last(), 3);
  EXPECT_EQ(std::ranges::distance(reader.begin(), reader.end()), 3);
  Slice<int> again = m.as_slice();
  EXPECT_TRUE(again == s);
  EXPECT_TRUE(m == m);
  EXPECT_EQ(m.chunks(2).size(), 2u);
  EXPECT_TRUE(m.split_at(1).has_value());
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{1, 2, 3}));
  EXPECT_THAT(panic_message([&] { (void)m.begin(); }),
              HasSubstr("SliceMut::begin while 2 slices or iterators"));
}

// --- the parent may die first --------------------------------------------------------------

TEST_F(SliceBorrowTest, HalvesOfATemporaryParentLiveOnAndKeepTheVecBorrowed) {
  Vec<int> v{1, 2, 3, 4};
  v.shrink_to_fit();
  {
    auto [a, b] = *v.as_mut_slice().split_at_mut(2);  // the parent is a temporary
    a[0] = 10;
    b[1] = 40;
    EXPECT_EQ(panic_message([&] { v.push(5); }),
              "Vec::emplace while 1 slice or iterator borrows it: it could invalidate them; let "
              "them go out of scope first");
    SliceMut<int> kept = std::move(a);
    b = SliceMut<int>();  // one half gone; the other still borrows the Vec
    EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("while 1 slice"));
    kept[1] = 20;
  }
  v.push(5);  // every view is gone
  EXPECT_EQ(values(v), (std::vector<int>{10, 20, 3, 40, 5}));
  int index = 0;
  for (SliceMut<int> chunk : v.as_mut_slice().chunks_mut(2)) chunk[0] = index++;
  EXPECT_EQ(values(v), (std::vector<int>{0, 20, 1, 40, 2}));
}

TEST_F(SliceBorrowTest, HalvesOnTwoThreadsThenTheParentAgain) {
  NoLeaks no_leaks;
  Vec<Counted> v;
  for (int i = 0; i < 64; ++i) v.push(Counted(i));
  SliceMut<Counted> m = v.as_mut_slice();
  {
    auto [left, right] = *m.split_at_mut(32);
    thread::scope([&](thread::Scope& scope) {
      scope.spawn([](SliceMut<Counted> half) {
        for (Counted& x : half) x = Counted(x.value() + 1000);
      }, std::move(left));
      scope.spawn([](SliceMut<Counted> half) {
        for (Counted& x : half) x = Counted(-x.value());
      }, std::move(right));
    });
  }
  m.swap(0, 63);  // the halves are gone
  EXPECT_EQ(m[0].value(), -63);
  EXPECT_EQ(m[63].value(), 1000);
  EXPECT_EQ(m[31].value(), 1031);
}

TEST_F(SliceBorrowTest, AnIteratorOutlivingItsSliceMutKeepsTheVecBorrowed) {
  Vec<int> v{1, 2};
  v.shrink_to_fit();
  SliceMut<int>::iterator it;
  {
    SliceMut<int> m = v.as_mut_slice();
    it = m.begin() + 1;
  }
  *it = 20;
  EXPECT_THAT(panic_message([&] { v.push(3); }), HasSubstr("Vec::emplace while 1 slice"));
  it = SliceMut<int>::iterator();
  v.push(3);
  EXPECT_EQ(values(v), (std::vector<int>{1, 20, 3}));
}

TEST_F(SliceBorrowTest, VecCountsItsOwnViewsAndTheirChildrenCountOnThem) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  auto halves = m.split_at_mut(2);
  Slice<int> s = halves->first.as_slice();
  EXPECT_EQ(panic_message([&] { v.clear(); }),
            "Vec::clear while 1 slice or iterator borrows it: it could invalidate them; let them "
            "go out of scope first");
  EXPECT_EQ(s[1], 2);
}

// --- attacks: ways around the rule ----------------------------------------------------------

TEST_F(SliceBorrowTest, MovingTheParentCarriesItsChildren) {
  Vec<int> v{1, 2, 3, 4};
  Vec<int> w{5, 6};
  SliceMut<int> m = v.as_mut_slice();
  auto [a, b] = *m.split_at_mut(2);
  SliceMut<int> moved = std::move(m);
  EXPECT_EQ(panic_message([&] { moved[0] = 0; }),
            lent("SliceMut::operator[]", "2 slices or iterators borrow it"));
  SliceMut<int> assigned;
  assigned = std::move(moved);
  EXPECT_THAT(panic_message([&] { (void)assigned.begin(); }), HasSubstr("SliceMut::begin while 2"));
  // The moved-from views are empty: nothing left to alias.
  EXPECT_EQ(m.len(), 0u);      // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(moved.len(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("index out of bounds"));
  EXPECT_TRUE(m.split_at_mut(0).has_value());
  // Assigning a new view to a lent parent leaves the old children attached
  // to the old view's borrow.
  assigned = w.as_mut_slice();
  assigned[0] = 50;
  a[0] = 10;
  EXPECT_THAT(panic_message([&] { v.push(5); }), HasSubstr("while 1 slice"));
}

TEST_F(SliceBorrowTest, ASharedViewSurvivesAMoveOfTheParent) {
  Vec<int> v{1, 2};
  SliceMut<int> m = v.as_mut_slice();
  Slice<int> s = m;
  SliceMut<int> moved = std::move(m);
  EXPECT_THAT(panic_message([&] { moved[0] = 0; }),
              HasSubstr("SliceMut::operator[] while 1 slice"));
  EXPECT_EQ(std::as_const(moved)[0], 1);
  EXPECT_EQ(s[0], 1);
}

TEST_F(SliceBorrowTest, AChildRangeIsSinglePass) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  ChunksMut<int> chunks = m.chunks_mut(2);
  for (SliceMut<int> chunk : chunks) chunk[0] = 0;
  EXPECT_THAT(panic_message([&] { (void)chunks.begin(); }),
              HasSubstr("ferrite::ChunksMut: begin() called twice"));
  EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("SliceMut::operator[] while 1"));
}

TEST_F(SliceBorrowTest, AnIteratorOfATemporaryChunkRangeStillBorrows) {
  Vec<int> v{1, 2, 3, 4};
  SliceMut<int> m = v.as_mut_slice();
  {
    auto it = m.chunks_mut(2).begin();  // the range was a temporary
    EXPECT_EQ(panic_message([&] { m[0] = 0; }),
              lent("SliceMut::operator[]", "1 slice or iterator borrows it"));
    SliceMut<int> chunk = *it;
    EXPECT_THAT(panic_message([&] { (void)*it; }),
                HasSubstr("was already handed out"));
    chunk[1] = 20;
    ++it;
    (*it)[0] = 30;
  }
  m[0] = 10;
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{10, 20, 30, 4}));
}

TEST_F(SliceBorrowTest, AViewOfForeignMemoryIsExclusiveToo) {
  std::array<int, 4> raw{1, 2, 3, 4};
  SliceMut<int> m = SliceMut<int>::from_raw(unsafe_fn, std::span<int>(raw).data(), raw.size());
  {
    auto [a, b] = *m.split_at_mut(2);
    EXPECT_THAT(panic_message([&] { m[0] = 0; }), HasSubstr("SliceMut::operator[] while 2"));
    a[0] = 10;
  }
  m[3] = 40;
  EXPECT_EQ(raw, (std::array<int, 4>{10, 2, 3, 40}));
}

TEST_F(SliceBorrowTest, EmptyViewsLendFreely) {
  SliceMut<int> empty;
  auto halves = empty.split_at_mut(0);
  ASSERT_TRUE(halves.has_value());
  EXPECT_TRUE(empty.as_slice().is_empty());
  EXPECT_TRUE(empty.begin() == empty.end());
}

}  // namespace
}  // namespace ferrite
