// Scope::spawn's lifetime check (ferrite/thread.h, Scope): a scoped thread
// may borrow what outlives the scope, never a local of the scope's closure
// nor of the scoped thread that spawns it. Each rejected program here is
// one Rust rejects at compile time through the 'scope lifetime; ferrite
// panics in Scope::spawn before the thread starts. The same tests run
// under ASan (whose detect_stack_use_after_return moves locals to fake
// frames on the heap) and TSan.
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <semaphore>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/slice.h"
#include "ferrite/thread.h"
#include "ferrite/unsafe.h"
#include "ferrite/vec.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/support/test_types.h"

namespace ferrite {
namespace {

using ::ferrite::testing::panic_message;
using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr std::string_view kClosureLocal =
    "Scope::spawn: argument 2 borrows a local of the scope's closure (it dies before the scope "
    "joins its threads); declare it before thread::scope, or move it into the thread";
constexpr std::string_view kScopedThreadLocal =
    "Scope::spawn: argument 2 borrows a local of the scoped thread that spawns it (it dies when "
    "that thread returns, before the scope joins the new one); borrow what was declared before "
    "thread::scope, or move it into the thread";

// Callables that only read what they are given.
struct ReadInt {
  int operator()(const int& x) const { return x; }
};
struct SumInts {
  int operator()(std::span<const int> xs) const {
    int sum = 0;
    for (int x : xs) sum += x;
    return sum;
  }
};

// Runs `body` as a scope's closure and returns the panic message that
// escapes thread::scope ("" if none).
template <class Body>
std::string scope_panic(Body body) {
  return panic_message([&] { thread::scope(body); });
}

template <class F, class... Args>
concept CanScopedSpawn = requires(const thread::Scope& s, F f, Args... args) {
  s.spawn(std::move(f), std::move(args)...);
};

// --- the holes: locals of the closure ------------------------------------------------

TEST(ScopeBorrowTest, CrefOfAClosureLocalPanics) {
  std::atomic<bool> started{false};
  EXPECT_EQ(scope_panic([&](thread::Scope& s) {
              int local = 42;
              s.spawn(
                  [&started](const int& x) {
                    started = true;
                    return x;
                  },
                  std::cref(local));
            }),
            kClosureLocal);
  EXPECT_FALSE(started.load()) << "the check runs before the thread starts";
}

TEST(ScopeBorrowTest, SpanOfAStdArrayLocalPanics) {
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              std::array<int, 4> local{1, 2, 3, 4};
              s.spawn(SumInts(), std::span<const int>(local));
            }),
            kClosureLocal);
}

TEST(ScopeBorrowTest, AggregateHoldingABorrowOfALocalPanics) {
  struct Job {
    int id;
    std::reference_wrapper<const int> input;
  };
  struct Batch {
    std::span<const int> values;
    int scale;
  };
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              int local = 5;
              s.spawn([](Job job) { return job.input.get() + job.id; }, Job{1, std::cref(local)});
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              std::array<int, 2> local{1, 2};
              s.spawn([](Batch b) { return b.values.size(); }, Batch{local, 3});
            }),
            kClosureLocal);
}

TEST(ScopeBorrowTest, ScopedThreadBorrowingItsOwnLocalPanics) {
  // Its stack dies when it returns, before the scope joins the inner thread.
  thread::scope([](thread::Scope& s) {
    auto outer = s.spawn([&s] {
      int mine = 7;
      s.spawn(ReadInt(), std::cref(mine));
    });
    auto result = outer.join();
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message(), kScopedThreadLocal);
  });
  // Not joined: the scope reports it.
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              s.spawn([&s] {
                std::array<int, 3> mine{1, 2, 3};
                s.spawn(SumInts(), std::span<const int>(mine));
              });
            }),
            "thread::scope: a scoped thread panicked: " + std::string(kScopedThreadLocal));
}

TEST(ScopeBorrowTest, ScopedThreadMayPassOnWhatOutlivesTheScope) {
  const int before = 3;
  thread::scope([&](thread::Scope& s) {
    auto outer = s.spawn([&s, &before] { return *s.spawn(ReadInt(), std::cref(before)).join(); });
    EXPECT_EQ(*outer.join(), 3);
  });
}

TEST(ScopeBorrowTest, HelperFunctionsLocalsAreTheClosuresToo) {
  // A function called by the closure dies even sooner.
  struct Helper {
    static void spawn_own_local(const thread::Scope& s) {
      const std::array<int, 2> mine{4, 5};
      s.spawn(SumInts(), std::span<const int>(mine));
    }
  };
  EXPECT_EQ(scope_panic([](thread::Scope& s) { Helper::spawn_own_local(s); }), kClosureLocal);
}

TEST(ScopeBorrowTest, ThePanicNamesTheArgument) {
  const int before = 1;
  const std::string message = scope_panic([&](thread::Scope& s) {
    const int local = 2;
    s.spawn([](const int& a, const int& b, const int& c) { return a + b + c; }, std::cref(before),
            std::cref(before), std::cref(local));
  });
  EXPECT_THAT(message, StartsWith("Scope::spawn: argument 4 borrows a local of the scope's"));
  // The callable is argument 1.
  EXPECT_THAT(scope_panic([](thread::Scope& s) {
                const ReadInt local_callable;
                s.spawn(std::cref(local_callable), 1);
              }),
              StartsWith("Scope::spawn: argument 1 borrows a local"));
}

TEST(ScopeBorrowTest, CaughtInsideTheClosureNothingWasStarted) {
  std::atomic<int> started{0};
  thread::scope([&](thread::Scope& s) {
    const int local = 1;
    EXPECT_EQ(
        panic_message([&] { s.spawn([&started](const int&) { ++started; }, std::cref(local)); }),
        kClosureLocal);
    s.spawn([&started] { ++started; });  // the scope is still usable
  });
  EXPECT_EQ(started.load(), 1);
}

// --- what outlives the scope passes ---------------------------------------------------

TEST(ScopeBorrowTest, LocalsDeclaredBeforeTheScopePass) {
  const int before = 40;
  const std::array<int, 3> numbers{1, 2, 3};
  const std::string text = "short";  // its characters are inside the object, on the stack
  const int total = thread::scope([&](thread::Scope& s) {
    auto a = s.spawn(ReadInt(), std::cref(before));
    auto b = s.spawn(SumInts(), std::span<const int>(numbers));
    auto c = s.spawn([](std::string_view t) { return static_cast<int>(t.size()); },
                     std::string_view(text));
    auto d = s.spawn(
        [](std::tuple<std::reference_wrapper<const int>> t) { return std::get<0>(t).get(); },
        std::tuple(std::cref(before)));
    return *a.join() + *b.join() + *c.join() + *d.join();
  });
  EXPECT_EQ(total, 40 + 6 + 5 + 40);
}

TEST(ScopeBorrowTest, HeapAndStaticDataPass) {
  static const int kStatic = 9;
  const Arc<Mutex<int>> shared = make_arc<Mutex<int>>(0);
  Vec<int> v{1, 2, 3, 4};
  auto heap_array = std::make_unique<const std::array<int, 2>>(std::array<int, 2>{5, 6});
  thread::scope([&](thread::Scope& s) {
    s.spawn([](const Arc<Mutex<int>>& m) { m->with_lock([](int& value) { ++value; }); },
            std::cref(shared));
    s.spawn([](Slice<int> xs) { return xs.len(); }, v.as_slice());
    s.spawn(SumInts(), std::span<const int>(*heap_array));
    s.spawn(ReadInt(), std::cref(kStatic));
    // A literal's characters are static.
    s.spawn([](std::string_view t) { return t.size(); }, std::string_view("a literal"));
  });
  EXPECT_EQ(shared->with_lock([](int& value) { return value; }), 1);
}

TEST(ScopeBorrowTest, NestedScopes) {
  thread::scope([](thread::Scope& outer) {
    const int outer_local = 11;  // a local of the outer closure
    // Declared before the inner scope: it outlives the inner scope's join.
    const int inner_total = thread::scope([&](thread::Scope& inner) {
      return *inner.spawn(ReadInt(), std::cref(outer_local)).join();
    });
    EXPECT_EQ(inner_total, 11);
    // For the outer scope it is still the closure's local, spawned from
    // either closure.
    EXPECT_EQ(panic_message([&] { outer.spawn(ReadInt(), std::cref(outer_local)); }),
              kClosureLocal);
    EXPECT_EQ(panic_message([&] {
                thread::scope([&](thread::Scope& /*inner*/) {
                  outer.spawn(ReadInt(), std::cref(outer_local));
                });
              }),
              kClosureLocal);
    // An inner closure's local, for the inner scope.
    EXPECT_EQ(scope_panic([](thread::Scope& inner) {
                const int inner_local = 1;
                inner.spawn(ReadInt(), std::cref(inner_local));
              }),
              kClosureLocal);
  });
}

TEST(ScopeBorrowTest, ScopedThreadsOwnNestedScope) {
  // A scoped thread that enters a scope of its own is that scope's entering
  // thread: its locals declared before the inner scope outlive it.
  thread::scope([](thread::Scope& s) {
    auto h = s.spawn([] {
      const std::array<int, 3> mine{1, 2, 3};
      return thread::scope([&](thread::Scope& inner) {
        return *inner.spawn(SumInts(), std::span<const int>(mine)).join();
      });
    });
    EXPECT_EQ(*h.join(), 6);
  });
}

// --- attacks: ways around the rule -----------------------------------------------------

TEST(ScopeBorrowTest, AttackWrapTheBorrow) {
  using CrefTuple = std::tuple<int, std::reference_wrapper<const int>>;
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int local = 1;
              const auto wrapped = std::make_tuple(0, std::cref(local));  // a copy of the cref
              s.spawn([](CrefTuple t) { return std::get<1>(t).get(); }, wrapped);
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int local = 1;
              s.spawn([](std::pair<std::reference_wrapper<const int>, int> p) { return p.second; },
                      std::pair(std::cref(local), 0));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int local = 1;
              // std::make_pair unwraps the cref: a pair holding `const int&`.
              s.spawn([](std::pair<const int&, int> p) { return p.first; },
                      std::make_pair(std::cref(local), 0));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int local = 1;
              s.spawn([](std::optional<std::reference_wrapper<const int>> o) { return o->get(); },
                      std::optional(std::cref(local)));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int a = 1;
              const int b = 2;
              // The container is on the heap; what it holds borrows the stack.
              std::vector<std::reference_wrapper<const int>> refs{std::cref(a), std::cref(b)};
              s.spawn(
                  [](const std::vector<std::reference_wrapper<const int>>& r) { return r.size(); },
                  std::move(refs));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const int local = 1;
              std::array<std::reference_wrapper<const int>, 1> refs{std::cref(local)};
              s.spawn([](auto r) { return r[0].get(); }, refs);
            }),
            kClosureLocal);
}

TEST(ScopeBorrowTest, AttackSliceOfAStdArrayLocal) {
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              std::array<int, 4> local{1, 2, 3, 4};
              // from_raw's contract: the view must not outlive `local`. The
              // spawn that would break it is what must panic.
              const auto view = Slice<int>::from_raw(unsafe_fn, local.data(), local.size());
              s.spawn([](Slice<int> xs) { return xs.len(); }, view);
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              std::array<int, 4> local{1, 2, 3, 4};
              auto view = SliceMut<int>::from_raw(unsafe_fn, local.data(), local.size());
              s.spawn(
                  [](SliceMut<int> xs) {
                    for (int& x : xs) x = 0;
                  },
                  std::move(view));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              std::array<int, 4> local{1, 2, 3, 4};
              const auto view = Slice<int>::from_raw(unsafe_fn, local.data(), local.size());
              s.spawn([](Slice<int>::iterator it) { return *it; }, view.begin());
            }),
            kClosureLocal);
}

TEST(ScopeBorrowTest, AttackViewsOfCharacters) {
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const std::string local = "short";  // small-string: characters inside the object
              s.spawn([](std::string_view t) { return t.size(); }, std::string_view(local));
            }),
            kClosureLocal);
  EXPECT_EQ(scope_panic([](thread::Scope& s) {
              const std::array<char, 4> local{'a', 'b', 'c', '\0'};
              s.spawn([](std::string_view t) { return t.size(); },
                      std::string_view(local.data(), 3));
            }),
            kClosureLocal);
}

TEST(ScopeBorrowTest, AttackPointersDoNotCompile) {
  // A raw pointer (or a C array, which decays to one) is not Send: rejected
  // before any run-time check, wherever it points.
  static_assert(!CanScopedSpawn<void (*)(const int*), const int*>);
  static_assert(!CanScopedSpawn<void (*)(std::tuple<const int*>), std::tuple<const int*>>);
  static_assert(CanScopedSpawn<ReadInt, std::reference_wrapper<const int>>);
}

// --- a Vec local of the closure: heap memory, seen by the checked build ----------------

#if FERRITE_CHECKED_BORROWS
void spawn_slice_of_a_closure_vec() {
  std::binary_semaphore never_released(0);
  thread::scope([&](thread::Scope& s) {
    Vec<int> local{1, 2, 3};
    // The Slice points to the heap, so the stack check passes it; the Vec
    // counts it as a borrow instead. The thread holds it past f's return.
    s.spawn(
        [&never_released](Slice<int> xs) {
          (void)never_released.try_acquire_for(std::chrono::seconds(10));
          return xs.len();
        },
        local.as_slice());
  });  // ~Vec runs while the thread still holds the Slice
}

TEST(ScopeBorrowDeathTest, VecLocalOfTheClosureAbortsWhenDestroyedUnderAThread) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_DEATH(spawn_slice_of_a_closure_vec(),
               "Vec::~Vec while [0-9]+ slices? or iterators? borrows? it: they would dangle");
}
#endif

}  // namespace
}  // namespace ferrite
