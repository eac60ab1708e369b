// Tests for ferrite/rc.h: Rc<T>, rc::Weak<T>, make_rc. The contract Rc
// shares with Arc is one typed suite (tests/shared_pointer_contract.h),
// instantiated here for Rc.
#include "ferrite/rc.h"

#include <cassert>
#include <optional>
#include <string>
#include <utility>

#include "ferrite/marker.h"
#include "ferrite/panic.h"
#include "gtest/gtest.h"
#include "tests/shared_pointer_contract.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;

// --- Send/Sync and const access (compile-time contract) ---------------------

static_assert(!Send<Rc<int>>, "Rc is not Send: its count is not atomic");
static_assert(!Sync<Rc<int>>, "Rc is not Sync: its count is not atomic");
static_assert(!Send<rc::Weak<int>>, "rc::Weak is not Send");
static_assert(!Sync<rc::Weak<int>>, "rc::Weak is not Sync");
// Shared access is const and unique access needs the only handle, as for Arc
// (tests/shared_pointer_contract.h).
static_assert(has_shared_pointer_types<RcPointer>());

TEST(RcTest, HeaderExample) {
  ferrite::Rc<std::string> a = ferrite::make_rc<std::string>("hi");
  ferrite::Rc<std::string> b = a;  // clone: strong_count() == 2
  EXPECT_EQ(a.strong_count(), 2u);
  ferrite::rc::Weak<std::string> w = a.downgrade();
  b.make_mut() += "!";  // b now owns its own copy
  assert(*a == "hi" && *b == "hi!");
  EXPECT_EQ(*a, "hi");
  EXPECT_EQ(*b, "hi!");
  a = b;  // the "hi" value is destroyed
  assert(!w.upgrade().has_value());
  EXPECT_FALSE(w.upgrade().has_value());
}

// --- the contract shared with Arc ---------------------------------------------------

INSTANTIATE_TYPED_TEST_SUITE_P(Rc, SharedPointerContract, RcPointer);
INSTANTIATE_TYPED_TEST_SUITE_P(Rc, SharedPointerMutBorrow, RcPointer);

// --- get_mut / make_mut lend a borrow of the handle (checked builds) ------------

// The class comment's example.
TEST(RcMutBorrow, ClassExample) {
  auto r = ferrite::make_rc<std::string>("a");
  r.make_mut() += "b";  // the borrow starts
  if constexpr (detail::kCheckedBorrows) {
    EXPECT_FALSE(panic_message([&] { auto s = r; }).empty());  // the borrow is alive
  }
  EXPECT_EQ(*r, "ab");  // shared access ends it
  auto s = r;           // fine
  EXPECT_EQ(s.strong_count(), 2u);
}

// A long chain whose links are released recursively; every link once.
TEST(RcTest, ChainOfRcsIsReleasedExactlyOnce) {
  NoLeaks no_leaks;
  struct Link {
    Counted marker{0};
    std::optional<Rc<Link>> next;
  };
  std::optional<Rc<Link>> head;
  const long before = Counted::live();
  for (int i = 0; i < 1000; ++i) head = make_rc<Link>(Counted(i), std::move(head));
  EXPECT_EQ(Counted::live(), before + 1000);
  head.reset();
  EXPECT_EQ(Counted::live(), before);
}

}  // namespace
}  // namespace ferrite
