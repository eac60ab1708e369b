// Tests for ferrite/slice.h: Slice<T>, SliceMut<T>, their iterators and
// chunks. Behaviours follow Rust's core/tests/slice.rs. The views are taken
// from a Vec (ferrite/vec.h), as in most programs; the borrow checks that tie
// them to it are tested in tests/vec_test.cc.
#include "ferrite/slice.h"

#include <array>
#include <cstddef>
#include <initializer_list>
#include <iterator>
#include <optional>
#include <ranges>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "ferrite/vec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/checked_borrows.h"
#include "tests/support/test_types.h"
#include "tests/support/vec_values.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- compile-time contract ---------------------------------------------------

static_assert(std::contiguous_iterator<Slice<int>::iterator>);
static_assert(std::contiguous_iterator<SliceMut<int>::iterator>);
static_assert(std::ranges::contiguous_range<Slice<int>>);
static_assert(std::ranges::contiguous_range<SliceMut<int>>);
static_assert(std::ranges::forward_range<Chunks<int>>);
static_assert(std::ranges::input_range<ChunksMut<int>> && !std::ranges::forward_range<ChunksMut<int>>,
              "chunks_mut is single-pass: each mutable chunk exists once");
static_assert(!std::copy_constructible<ChunksMut<int>::iterator>);
static_assert(std::ranges::sized_range<ChunksMut<int>>);
static_assert(std::ranges::sized_range<Chunks<int>>);
static_assert(std::is_same_v<decltype(std::declval<const SliceMut<int>&>()[0]), const int&>);
static_assert(std::is_same_v<decltype(std::declval<SliceMut<int>&>()[0]), int&>);
static_assert(std::is_same_v<decltype(std::declval<Slice<int>&>()[0]), const int&>);
static_assert(!std::is_copy_constructible_v<SliceMut<int>>, "&mut [T] is not Copy");
static_assert(std::is_copy_constructible_v<Slice<int>>, "&[T] is Copy");
// Send/Sync rows of marker.h.
static_assert(Send<SliceMut<int>> && Sync<SliceMut<int>>);
static_assert(Send<Slice<int>> && Sync<Slice<int>>);

// --- Slice / SliceMut -----------------------------------------------------------------------

TEST(SliceTest, CheckedAccess) {
  Vec<int> v{1, 2, 3};
  Slice<int> s = v.as_slice();
  EXPECT_EQ(s.len(), 3u);
  EXPECT_FALSE(s.is_empty());
  EXPECT_EQ(s[2], 3);
  EXPECT_EQ(*s.first(), 1);
  EXPECT_EQ(*s.last(), 3);
  EXPECT_EQ(s.get(3), nullptr);
  EXPECT_EQ(panic_message([&] { (void)s[3]; }),
            "ferrite::Slice: index out of bounds: the len is 3 but the index is 3");
  EXPECT_EQ(s.as_span(unsafe_fn).size(), 3u);
  EXPECT_EQ(s.get_unchecked(unsafe_fn, 0), 1);
  Slice<int> empty;
  EXPECT_TRUE(empty.is_empty());
  EXPECT_EQ(empty.first(), nullptr);
  EXPECT_EQ(empty.last(), nullptr);
  EXPECT_TRUE(empty.begin() == empty.end());
}

TEST(SliceTest, SplitAtMirrorsVec) {
  Vec<int> v{1, 2, 3, 4};
  Slice<int> s = v.as_slice();
  auto halves = s.split_at(1);
  ASSERT_TRUE(halves.has_value());
  EXPECT_EQ(halves->first.len(), 1u);
  EXPECT_EQ(halves->second[0], 2);
  auto inner = halves->second.split_at(3);
  ASSERT_TRUE(inner.has_value());
  EXPECT_TRUE(inner->second.is_empty());
  EXPECT_FALSE(s.split_at(5).has_value());
  EXPECT_FALSE(halves->second.split_at(4).has_value());
}

TEST(SliceTest, ChunksCoverEverythingInOrder) {
  Vec<int> v;
  for (int i = 0; i < 10; ++i) v.push(i);
  std::vector<std::size_t> sizes;
  std::vector<int> seen;
  for (Slice<int> chunk : v.chunks(3)) {
    sizes.push_back(chunk.len());
    for (int x : chunk) seen.push_back(x);
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{3, 3, 3, 1}));
  EXPECT_EQ(seen, values(v));
  EXPECT_EQ(v.chunks(3).size(), 4u);
  EXPECT_EQ(v.chunks(10).size(), 1u);
  EXPECT_EQ(v.chunks(11).size(), 1u);
  EXPECT_EQ(std::ranges::distance(v.chunks(5)), 2);
  Vec<int> empty;
  EXPECT_TRUE(empty.chunks(2).empty());
  EXPECT_TRUE(empty.chunks(2).begin() == empty.chunks(2).end());
  // Forward range: two passes over one range see the same chunks.
  Chunks<int> chunks = v.as_slice().chunks(4);
  EXPECT_EQ(std::ranges::distance(chunks), std::ranges::distance(chunks));
  auto it = chunks.begin();
  auto copy = it++;
  EXPECT_EQ((*copy)[0], 0);
  EXPECT_EQ((*it)[0], 4);
}

TEST(SliceTest, ChunksMutWritesEachChunk) {
  Vec<int> v(std::initializer_list<int>{0, 0, 0, 0, 0, 0, 0});
  int chunk_index = 0;
  for (SliceMut<int> chunk : v.chunks_mut(3)) {
    for (int& x : chunk) x = chunk_index;
    ++chunk_index;
  }
  EXPECT_EQ(values(v), (std::vector<int>{0, 0, 0, 1, 1, 1, 2}));
  SliceMut<int> whole = v.as_mut_slice();
  for (SliceMut<int> chunk : whole.chunks_mut(2)) chunk[0] = -1;
  EXPECT_EQ(whole[6], -1);
  EXPECT_EQ(whole.chunks(4).size(), 2u);
}

TEST(SliceTest, ChunkSizeZeroPanics) {
  Vec<int> v{1, 2};
  EXPECT_EQ(panic_message([&] { (void)v.chunks(0); }),
            "ferrite::Slice::chunks: chunk size must be non-zero");
  EXPECT_EQ(panic_message([&] { (void)v.chunks_mut(0); }),
            "ferrite::Vec::chunks_mut: chunk size must be non-zero");
  SliceMut<int> s = v.as_mut_slice();
  EXPECT_EQ(panic_message([&] { (void)s.chunks_mut(0); }),
            "ferrite::SliceMut::chunks_mut: chunk size must be non-zero");
  EXPECT_EQ(panic_message([&] { (void)s.chunks(0); }),
            "ferrite::Slice::chunks: chunk size must be non-zero");
}

// --- exclusive views: shared and mutable borrows do not mix ---------------------------------

class ExclusiveTest : public ::ferrite::testing::CheckedBorrowsTest {};

TEST_F(ExclusiveTest, SharedViewWhileSplitHalvesLivePanics) {
  Vec<int> v{1, 2, 3, 4};
  {
    auto halves = v.split_at_mut(2);
    EXPECT_EQ(panic_message([&] { (void)v.as_slice(); }),
              "Vec::as_slice while 2 mutable slices or iterators borrow it: a shared view would "
              "alias it; let it go out of scope first");
    EXPECT_THAT(panic_message([&] { (void)v.chunks(2); }), ::testing::HasSubstr("Vec::as_slice"));
    EXPECT_THAT(panic_message([&] { (void)v.clone(); }), ::testing::HasSubstr("Vec::as_slice"));
    EXPECT_THAT(panic_message([&] { (void)(v == v); }), ::testing::HasSubstr("Vec::as_slice"));
    EXPECT_THAT(panic_message([&] { (void)std::as_const(v).begin(); }),
                ::testing::HasSubstr("Vec::begin while 2 mutable"));
    halves->first[0] = 10;
  }
  {
    Slice<int> shared = v.as_slice();
    EXPECT_THAT(panic_message([&] { (void)v.as_mut_slice(); }),
                ::testing::HasSubstr("Vec::as_mut_slice while 1 slice"));
    EXPECT_THAT(panic_message([&] { (void)v.begin(); }),
                ::testing::HasSubstr("Vec::begin while 1 slice"));
  }
  EXPECT_EQ(values(v), (std::vector<int>{10, 2, 3, 4}));
}

TEST_F(ExclusiveTest, ChunksMutIsSinglePass) {
  NoLeaks no_leaks;
  Vec<Counted> v{Counted(1), Counted(2), Counted(3)};
  ChunksMut<Counted> chunks = v.chunks_mut(2);
  {
    auto it = chunks.begin();
    SliceMut<Counted> first = *it;
    EXPECT_EQ(panic_message([&] { (void)*it; }),
              "ferrite::ChunksMut: the chunk with 3 elements left was already handed out: "
              "chunks_mut is single-pass, and two mutable views of one chunk would alias; advance "
              "the iterator first");
    ++it;
    SliceMut<Counted> second = *it;  // the next position may be handed out once
    EXPECT_EQ(second.len(), 1u);
  }
  EXPECT_EQ(panic_message([&] { (void)chunks.begin(); }),
            "ferrite::ChunksMut: begin() called twice: chunks_mut is single-pass, and a second "
            "pass would hand out a second mutable view of each chunk; call chunks_mut() again "
            "once the first pass's chunks are gone");
}

TEST(SliceMutTest, SwapIsChecked) {
  Vec<int> v{1, 2, 3};
  SliceMut<int> s = v.as_mut_slice();
  s.swap(0, 2);
  s.swap(1, 1);
  EXPECT_EQ(s[0], 3);
  EXPECT_EQ(s[2], 1);
  EXPECT_EQ(panic_message([&] { s.swap(0, 3); }),
            "ferrite::SliceMut::swap: index out of bounds: the len is 3 but the index is 3");
  EXPECT_EQ(panic_message([&] { s.swap(7, 0); }),
            "ferrite::SliceMut::swap: index out of bounds: the len is 3 but the index is 7");
  EXPECT_EQ(s[0], 3) << "a failed swap changes nothing";
  EXPECT_EQ(panic_message([&] { s[3] = 0; }),
            "ferrite::SliceMut: index out of bounds: the len is 3 but the index is 3");
  EXPECT_EQ(panic_message([&] { (void)std::as_const(s)[3]; }),
            "ferrite::SliceMut: index out of bounds: the len is 3 but the index is 3");
  EXPECT_EQ(s.get(3), nullptr);
  EXPECT_EQ(std::as_const(s).get(3), nullptr);
  *s.first() = 5;
  *s.last() = 6;
  EXPECT_EQ(*std::as_const(s).first(), 5);
  EXPECT_EQ(*std::as_const(s).last(), 6);
}

TEST(SliceMutTest, CopyFromSliceRequiresEqualLengths) {
  Vec<int> src{1, 2, 3};
  Vec<int> dst{0, 0, 0};
  {
    SliceMut<int> d = dst.as_mut_slice();
    d.copy_from_slice(src);
    Slice<int> two = src.as_slice().split_at(2)->first;
    EXPECT_EQ(panic_message([&] { d.copy_from_slice(two); }),
              "ferrite::SliceMut::copy_from_slice: source slice length (2) does not match "
              "destination slice length (3)");
  }
  EXPECT_EQ(values(dst), (std::vector<int>{1, 2, 3})) << "the failed copy changed nothing";
}

TEST(SliceMutTest, CopyFromOverlappingViewIsLikeMemmove) {
  std::array<int, 6> raw{0, 1, 2, 3, 4, 5};
  std::span<int> all(raw);
  // Destination after the source: [0, 4) onto [2, 6).
  SliceMut<int> dst = SliceMut<int>::from_raw(unsafe_fn, all.subspan(2).data(), 4);
  dst.copy_from_slice(Slice<int>::from_raw(unsafe_fn, all.data(), 4));
  EXPECT_EQ(raw, (std::array<int, 6>{0, 1, 0, 1, 2, 3}));
  raw = {0, 1, 2, 3, 4, 5};
  // Destination before the source: [2, 6) onto [0, 4).
  SliceMut<int> front = SliceMut<int>::from_raw(unsafe_fn, all.data(), 4);
  front.copy_from_slice(Slice<int>::from_raw(unsafe_fn, all.subspan(2).data(), 4));
  EXPECT_EQ(raw, (std::array<int, 6>{2, 3, 4, 5, 4, 5}));
}

TEST(SliceMutTest, MovedFromIsEmpty) {
  Vec<int> v{1, 2};
  SliceMut<int> a = v.as_mut_slice();
  SliceMut<int> b = std::move(a);
  EXPECT_EQ(a.len(), 0u);  // NOLINT(bugprone-use-after-move): documented empty
  EXPECT_EQ(b.len(), 2u);
  SliceMut<int> c;
  c = std::move(b);
  EXPECT_EQ(b.len(), 0u);  // NOLINT(bugprone-use-after-move)
  EXPECT_EQ(c[1], 2);
}

TEST(SliceTest, ConversionsToVecAndEquality) {
  NoLeaks no_leaks;
  Vec<Counted> v{Counted(1), Counted(2), Counted(3)};
  Vec<Counted> tail = v.as_slice().split_at(1)->second.to_vec();
  EXPECT_EQ(values(tail), (std::vector<int>{2, 3}));
  Slice<Counted> a = v;  // deref coercion
  Slice<Counted> b = v.as_slice();
  EXPECT_TRUE(a == b);
  EXPECT_FALSE(a == tail.as_slice());
  SliceMut<Counted> m = tail.as_mut_slice();
  Slice<Counted> from_mut = m;
  EXPECT_EQ(from_mut.len(), 2u);
  EXPECT_EQ(values(m.to_vec()), (std::vector<int>{2, 3}));
  EXPECT_TRUE(m == m);
}

}  // namespace
}  // namespace ferrite
