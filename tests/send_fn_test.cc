// Tests for ferrite/send_fn.h: a type-erased callable that checks, when it
// is stored, that the callable is Send.
#include "ferrite/send_fn.h"

#include <memory>
#include <string>
#include <utility>

#include "ferrite/arc.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using namespace ::ferrite::testing;
using ::testing::HasSubstr;

// A callable whose type says it may not cross threads.
struct LocalOnly : NotSend {
  int operator()() const { return 1; }
};

template <class Sig, class F>
concept Storable = std::constructible_from<SendFn<Sig>, F>;

static_assert(Storable<int(), decltype([] { return 1; })>);
static_assert(!Storable<int(), LocalOnly>, "a callable that is not Send is refused");
static_assert(!Storable<int(), Rc<int>>, "not a callable at all");
static_assert(!Storable<int(int), decltype([] { return 1; })>, "the signature must match");
static_assert(!std::is_copy_constructible_v<SendFn<void()>>, "move-only");
static_assert(Send<SendFn<void()>> && !Sync<SendFn<void()>>);

TEST(SendFnTest, CallsTheStoredCallable) {
  SendFn<int(int)> twice = [](int x) { return 2 * x; };
  EXPECT_TRUE(static_cast<bool>(twice));
  EXPECT_EQ(twice(21), 42);
}

TEST(SendFnTest, KeepsStateAndMoveOnlyCaptures) {
  auto owned = std::make_unique<std::string>("job");
  SendFn<std::string()> f = [s = std::move(owned)] { return *s + "!"; };
  EXPECT_EQ(f(), "job!");
  EXPECT_EQ(f(), "job!");
}

TEST(SendFnTest, CrossesToAThread) {
  SendFn<int(int)> twice = [](int x) { return 2 * x; };
  auto handle = thread::spawn(
      [](SendFn<int(int)> f, int x) { return f(x); }, std::move(twice), 21);
  auto result = handle.join();
  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(*result, 42);
}

TEST(SendFnTest, CallingAMovedFromSendFnPanics) {
  SendFn<int()> f = [] { return 7; };
  SendFn<int()> g = std::move(f);
  EXPECT_EQ(g(), 7);
  EXPECT_FALSE(static_cast<bool>(f));  // NOLINT(bugprone-use-after-move): tested on purpose
  EXPECT_THAT(panic_message([&] { f(); }), HasSubstr("SendFn: called after it was moved from"));
}

TEST(SendFnTest, DestroysTheCallableOnce) {
  auto shared = make_arc<int>(5);
  {
    SendFn<int()> f = [copy = shared] { return *copy; };
    EXPECT_EQ(shared.strong_count(), 2u);
    SendFn<int()> g = std::move(f);
    EXPECT_EQ(shared.strong_count(), 2u);
    EXPECT_EQ(g(), 5);
  }
  EXPECT_EQ(shared.strong_count(), 1u);
}

}  // namespace
}  // namespace ferrite
