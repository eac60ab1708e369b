// tests/marker_test.cc — ferrite/marker.h: every row of the Send/Sync table.
//
// Most checks are static_asserts: this file failing to compile is the test
// failing. The runtime tests check the diagnostics' text.
#include "ferrite/marker.h"

#include <any>
#include <array>
#include <atomic>
#include <deque>
#include <expected>
#include <forward_list>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <queue>
#include <set>
#include <span>
#include <stack>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <variant>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/channel_error.h"
#include "ferrite/detail/boundary.h"
#include "ferrite/mutex.h"
#include "ferrite/rc.h"
#include "ferrite/send_fn.h"
#include "ferrite/slice.h"
#include "ferrite/vec.h"
#include "gtest/gtest.h"

namespace {

using ferrite::Send;
using ferrite::Sync;

template <class T>
constexpr bool send_and_sync = Send<T>&& Sync<T>;
template <class T>
constexpr bool neither = !Send<T> && !Sync<T>;

// --- scalars, std::string ---------------------------------------------------
enum class Color { kRed };
enum Plain { kPlain };
static_assert(send_and_sync<int>);
static_assert(send_and_sync<double>);
static_assert(send_and_sync<bool>);
static_assert(send_and_sync<char>);
static_assert(send_and_sync<Color>);
static_assert(send_and_sync<Plain>);
static_assert(send_and_sync<std::nullptr_t>);
static_assert(send_and_sync<void>);
static_assert(send_and_sync<std::string>);

// --- pointers -----------------------------------------------------------------
static_assert(neither<int*>);
static_assert(neither<const int*>);
static_assert(neither<void*>);
static_assert(neither<int* const>);
static_assert(neither<std::string*>);
static_assert(send_and_sync<void (*)(int)>);
static_assert(send_and_sync<int (*)()>);
static_assert(send_and_sync<void(int)>);
struct Widget {
  int field;
  int method() const { return field; }
};
static_assert(send_and_sync<int Widget::*>);
static_assert(send_and_sync<int (Widget::*)() const>);

// --- references, std::reference_wrapper, std::span ------------------------------
// Only a const reference is Rust's `&T`; a `T&` is a mutable alias.
static_assert(neither<int&>);
static_assert(send_and_sync<const int&>);
static_assert(neither<int&&>);
static_assert(send_and_sync<const int&&>);
static_assert(neither<ferrite::Cell<int>&>);
static_assert(neither<const ferrite::Cell<int>&>);
static_assert(neither<ferrite::RefCell<int>&>);
static_assert(neither<ferrite::Mutex<int>&>);
static_assert(send_and_sync<const ferrite::Mutex<int>&>);
static_assert(neither<std::reference_wrapper<int>>);
static_assert(neither<std::reference_wrapper<std::atomic<int>>>);
static_assert(send_and_sync<std::reference_wrapper<const std::string>>);
static_assert(neither<std::reference_wrapper<ferrite::Cell<int>>>);
static_assert(neither<std::reference_wrapper<const ferrite::Cell<int>>>);
static_assert(neither<int*&>);
static_assert(neither<int* const&>);
static_assert(send_and_sync<void (&)()>);  // functions live for the whole program
static_assert(neither<std::span<int>>);
static_assert(neither<std::span<int, 3>>);
static_assert(send_and_sync<std::span<const int>>);
static_assert(neither<std::span<ferrite::Cell<int>>>);
static_assert(neither<std::span<const ferrite::Cell<int>>>);

// --- cv-qualified types follow the unqualified type -------------------------------
static_assert(send_and_sync<const int>);
static_assert(send_and_sync<volatile int>);
static_assert(send_and_sync<const volatile std::string>);
static_assert(neither<const ferrite::Rc<int>>);
static_assert(Send<const ferrite::Cell<int>> && !Sync<const ferrite::Cell<int>>);

// --- arrays and std containers: all elements -------------------------------------
static_assert(send_and_sync<int[4]>);
static_assert(neither<int* [4]>);
static_assert(send_and_sync<int[2][3]>);
static_assert(Send<ferrite::Cell<int>[2]> && !Sync<ferrite::Cell<int>[2]>);
static_assert(send_and_sync<std::optional<int>>);
static_assert(neither<std::optional<int*>>);
static_assert(send_and_sync<std::expected<int, std::string>>);
static_assert(send_and_sync<std::expected<void, int>>);
static_assert(neither<std::expected<int, int*>>);
static_assert(neither<std::expected<ferrite::Rc<int>, int>>);
static_assert(send_and_sync<std::vector<std::string>>);
static_assert(neither<std::vector<ferrite::Rc<int>>>);
static_assert(Send<std::vector<ferrite::Cell<int>>> && !Sync<std::vector<ferrite::Cell<int>>>);
static_assert(send_and_sync<std::array<int, 3>>);
static_assert(neither<std::array<int*, 3>>);
static_assert(send_and_sync<std::pair<int, std::string>>);
static_assert(neither<std::pair<int, int*>>);
static_assert(neither<std::pair<int*, int>>);
static_assert(send_and_sync<std::tuple<>>);
static_assert(send_and_sync<std::tuple<int, double, std::string>>);
static_assert(neither<std::tuple<int, double, ferrite::Rc<int>>>);
static_assert(send_and_sync<std::variant<int, std::string>>);
static_assert(neither<std::variant<int, int*>>);
// unique_ptr is shallow-const: `const unique_ptr<T>&` hands out T&.
static_assert(Send<std::unique_ptr<int>> && !Sync<std::unique_ptr<int>>);
static_assert(Send<std::unique_ptr<int[]>> && !Sync<std::unique_ptr<int[]>>);
static_assert(send_and_sync<std::unique_ptr<const int>>);
static_assert(send_and_sync<std::unique_ptr<const int[]>>);
static_assert(!Sync<const std::unique_ptr<long>&> && !Send<const std::unique_ptr<long>&>);
static_assert(send_and_sync<const std::unique_ptr<const long>&>);
static_assert(neither<std::unique_ptr<ferrite::Rc<int>>>);
static_assert(Send<std::unique_ptr<ferrite::Cell<int>>> &&
              !Sync<std::unique_ptr<ferrite::Cell<int>>>);
// Every std container and adaptor is judged by its elements.
static_assert(send_and_sync<std::deque<int>> && neither<std::deque<ferrite::Rc<int>>>);
static_assert(send_and_sync<std::list<int>> && neither<std::list<ferrite::Rc<int>>>);
static_assert(neither<std::forward_list<ferrite::Rc<int>>>);
static_assert(send_and_sync<std::map<int, std::string>> && neither<std::map<int, ferrite::Rc<int>>>);
static_assert(neither<std::multimap<ferrite::Rc<int>, int>>);
static_assert(send_and_sync<std::set<int>> && neither<std::set<ferrite::Rc<int>>>);
static_assert(neither<std::multiset<ferrite::Rc<int>>>);
static_assert(send_and_sync<std::unordered_map<int, int>>);
static_assert(neither<std::unordered_map<int, ferrite::Rc<int>>>);
static_assert(neither<std::unordered_multimap<int, ferrite::Rc<int>>>);
static_assert(neither<std::unordered_set<ferrite::Rc<int>>>);
static_assert(neither<std::unordered_multiset<ferrite::Rc<int>>>);
static_assert(send_and_sync<std::queue<int>> && neither<std::queue<ferrite::Rc<int>>>);
static_assert(neither<std::stack<ferrite::Rc<int>>>);
static_assert(neither<std::priority_queue<int*>>);
static_assert(Send<std::deque<ferrite::Cell<int>>> && !Sync<std::deque<ferrite::Cell<int>>>);
static_assert(send_and_sync<std::less<int>>);  // empty (a base class, but no state)
// Type-erased wrappers hide what they hold; SendFn checks it when stored.
static_assert(neither<std::function<void()>>);
static_assert(neither<std::move_only_function<void()>>);
static_assert(neither<std::any>);
static_assert(Send<ferrite::SendFn<void()>> && !Sync<ferrite::SendFn<void()>>);
static_assert(send_and_sync<std::vector<std::optional<std::pair<int, std::string>>>>);

// --- shared owners: Send<T> && Sync<T> -----------------------------------------------
// std::shared_ptr is shallow-const: every copy hands out T& unless T is const.
static_assert(neither<std::shared_ptr<int>>);
static_assert(neither<std::weak_ptr<int>>);
static_assert(send_and_sync<std::shared_ptr<const int>>);
static_assert(send_and_sync<std::weak_ptr<const int>>);
static_assert(neither<std::shared_ptr<ferrite::Cell<int>>>);
static_assert(neither<std::shared_ptr<const ferrite::Cell<int>>>);
static_assert(neither<std::shared_ptr<int* const>>);
static_assert(neither<std::weak_ptr<ferrite::Cell<int>>>);
static_assert(send_and_sync<ferrite::Arc<int>>);
static_assert(send_and_sync<ferrite::Arc<std::string>>);
static_assert(neither<ferrite::Arc<ferrite::Cell<int>>>);
static_assert(neither<ferrite::Arc<ferrite::RefCell<int>>>);
static_assert(neither<ferrite::Arc<ferrite::Rc<int>>>);
static_assert(send_and_sync<ferrite::Arc<ferrite::Mutex<ferrite::Cell<int>>>>);
static_assert(neither<ferrite::Arc<ferrite::MutexGuard<int>>>);  // guard: not Send
static_assert(send_and_sync<ferrite::arc::Weak<int>>);
static_assert(neither<ferrite::arc::Weak<ferrite::Cell<int>>>);

// --- Rc ----------------------------------------------------------------------------
static_assert(neither<ferrite::Rc<int>>);
static_assert(neither<ferrite::Rc<ferrite::Mutex<int>>>);
static_assert(neither<ferrite::rc::Weak<int>>);

// --- cells ---------------------------------------------------------------------------
static_assert(Send<ferrite::UnsafeCell<int>> && !Sync<ferrite::UnsafeCell<int>>);
static_assert(Send<ferrite::Cell<int>> && !Sync<ferrite::Cell<int>>);
static_assert(Send<ferrite::RefCell<int>> && !Sync<ferrite::RefCell<int>>);
static_assert(Send<ferrite::OnceCell<int>> && !Sync<ferrite::OnceCell<int>>);
static_assert(neither<ferrite::Cell<ferrite::Rc<int>>>);
static_assert(neither<ferrite::RefCell<int*>>);
static_assert(neither<ferrite::OnceCell<ferrite::Rc<int>>>);
static_assert(neither<ferrite::Ref<int>>);
static_assert(neither<ferrite::RefMut<int>>);

// --- locks -----------------------------------------------------------------------------
static_assert(send_and_sync<ferrite::Mutex<int>>);
static_assert(send_and_sync<ferrite::Mutex<ferrite::Cell<int>>>);  // Sync needs only Send<T>
static_assert(neither<ferrite::Mutex<ferrite::Rc<int>>>);
static_assert(!Send<ferrite::MutexGuard<int>> && Sync<ferrite::MutexGuard<int>>);
static_assert(neither<ferrite::MutexGuard<ferrite::Cell<int>>>);
static_assert(send_and_sync<ferrite::RwLock<int>>);
static_assert(Send<ferrite::RwLock<ferrite::Cell<int>>> &&
              !Sync<ferrite::RwLock<ferrite::Cell<int>>>);
static_assert(neither<ferrite::RwLock<ferrite::Rc<int>>>);
static_assert(!Send<ferrite::RwLockReadGuard<int>> && Sync<ferrite::RwLockReadGuard<int>>);
static_assert(!Send<ferrite::RwLockWriteGuard<int>> && Sync<ferrite::RwLockWriteGuard<int>>);
static_assert(neither<ferrite::RwLockReadGuard<ferrite::Cell<int>>>);
static_assert(neither<ferrite::RwLockWriteGuard<ferrite::Cell<int>>>);
static_assert(send_and_sync<ferrite::OnceLock<int>>);
static_assert(Send<ferrite::OnceLock<ferrite::Cell<int>>> &&
              !Sync<ferrite::OnceLock<ferrite::Cell<int>>>);

// --- Vec and slices ----------------------------------------------------------------------
static_assert(send_and_sync<ferrite::Vec<int>>);
static_assert(Send<ferrite::Vec<ferrite::Cell<int>>> && !Sync<ferrite::Vec<ferrite::Cell<int>>>);
static_assert(neither<ferrite::Vec<ferrite::Rc<int>>>);
static_assert(send_and_sync<ferrite::SliceMut<int>>);
static_assert(Send<ferrite::SliceMut<ferrite::Cell<int>>> &&
              !Sync<ferrite::SliceMut<ferrite::Cell<int>>>);
static_assert(send_and_sync<ferrite::Slice<int>>);
static_assert(neither<ferrite::Slice<ferrite::Cell<int>>>);  // &[Cell<T>] is not Send

// --- channels --------------------------------------------------------------------------------
static_assert(send_and_sync<ferrite::mpsc::Sender<int>>);
static_assert(send_and_sync<ferrite::mpsc::SyncSender<int>>);
static_assert(neither<ferrite::mpsc::Sender<ferrite::Rc<int>>>);
static_assert(send_and_sync<ferrite::mpsc::Sender<ferrite::Cell<int>>>);
static_assert(Send<ferrite::mpsc::Receiver<int>> && !Sync<ferrite::mpsc::Receiver<int>>);
static_assert(neither<ferrite::mpsc::Receiver<ferrite::Rc<int>>>);
static_assert(send_and_sync<ferrite::Mutex<ferrite::mpsc::Receiver<int>>>);
static_assert(send_and_sync<ferrite::Arc<ferrite::Mutex<ferrite::mpsc::Receiver<int>>>>);
static_assert(send_and_sync<ferrite::channel::Sender<int>>);
static_assert(send_and_sync<ferrite::channel::Receiver<int>>);
static_assert(neither<ferrite::channel::Sender<ferrite::Rc<int>>>);
static_assert(neither<ferrite::channel::Receiver<int*>>);

// --- aggregates: derived from their fields -----------------------------------------------------
struct Empty {};
struct Point {
  int x;
  double y;
};
struct WithPointer {
  int id;
  int* data;
};
struct WithRc {
  std::string name;
  ferrite::Rc<int> shared;
};
struct WithCell {
  int id;
  ferrite::Cell<int> hits;
};
struct WithArray {
  int values[3];
  std::string label;
  char grid[2][2];
};
struct WithPointerArray {
  int id;
  int* slots[4];
};
struct Nested {
  Point origin;
  WithPointer inner;
};
struct WithLibraryMembers {  // members with converting-constructor templates
  std::optional<int> maybe;
  std::variant<int, std::string> either;
  std::function<void()> callback;
  std::tuple<int> single;
  std::unique_ptr<int> owned;
  std::vector<int> many;
};
struct WithConstMember {
  const int id;
  const ferrite::Cell<int> hits;
};
struct LocalOnly {
  int id;
  [[no_unique_address]] ferrite::PhantomNotSend not_send;
};
struct Unshared {
  int id;
  [[no_unique_address]] ferrite::PhantomNotSync not_sync;
};
struct Sixteen {
  int a, b, c, d, e, f, g, h, i, j, k, l, m, n, o;
  int* p;
};

static_assert(ferrite::detail::reflected_field_count<Empty>() == 0);
static_assert(ferrite::detail::reflected_field_count<Point>() == 2);
static_assert(ferrite::detail::reflected_field_count<WithArray>() == 3);
static_assert(ferrite::detail::reflected_field_count<WithPointerArray>() == 2);
static_assert(ferrite::detail::reflected_field_count<WithLibraryMembers>() == 6);
static_assert(ferrite::detail::reflected_field_count<Sixteen>() == 16);
static_assert(std::is_same_v<ferrite::detail::FieldTypes<WithArray>,
                             ferrite::detail::TypeList<int[3], std::string, char[2][2]>>);

static_assert(send_and_sync<Empty>);
static_assert(send_and_sync<Point>);
static_assert(neither<WithPointer>);
static_assert(neither<WithRc>);
static_assert(Send<WithCell> && !Sync<WithCell>);
static_assert(send_and_sync<WithArray>);
static_assert(neither<WithPointerArray>);
static_assert(neither<Nested>);
static_assert(neither<WithLibraryMembers>);  // its std::function field is type-erased
static_assert(Send<WithConstMember> && !Sync<WithConstMember>);
static_assert(!Send<LocalOnly> && Sync<LocalOnly>);
static_assert(Send<Unshared> && !Sync<Unshared>);
static_assert(neither<Sixteen>);
static_assert(neither<const WithPointer>);
static_assert(neither<std::vector<WithPointer>>);
static_assert(neither<ferrite::PhantomNotSend> == false);  // PhantomNotSend is Sync
static_assert(!Send<ferrite::PhantomNotSend> && Sync<ferrite::PhantomNotSend>);
static_assert(Send<ferrite::PhantomNotSync> && !Sync<ferrite::PhantomNotSync>);

// --- opt-outs through bases
// ------------------------------------------------------------------------
class Session : public ferrite::NotSend {
 public:
  int socket = 0;
};
class Scratch : public ferrite::NotSync {
 public:
  int value = 0;
};
class Pinned : public ferrite::NotSend, public ferrite::NotSync {};
struct AggregateNotSend : ferrite::NotSend {
  int id;
};
struct DerivedFromPinned : Pinned {};
static_assert(!Send<Session> && Sync<Session>);
static_assert(Send<Scratch> && !Sync<Scratch>);
static_assert(neither<Pinned>);
static_assert(!Send<AggregateNotSend> && Sync<AggregateNotSend>);
static_assert(neither<DerivedFromPinned>);
static_assert(neither<std::optional<Pinned>>);

// --- opt-ins (audited)
// ---------------------------------------------------------------------------------
struct RawHandle {
  int* buffer;
};
class RawShared {
 public:
  ferrite::Cell<int>* counter = nullptr;
};
}  // namespace

// SAFETY(marker-test-raw-handle-send): test type; RawHandle owns `buffer`
// exclusively, so moving it to another thread moves the only access path.
FERRITE_UNSAFE_IMPL_SEND(RawHandle);
// SAFETY(marker-test-raw-shared-sync): test type; the opt-in only has to be
// visible to the concept, no object is ever shared.
FERRITE_UNSAFE_IMPL_SYNC(RawShared);

namespace {

static_assert(Send<RawHandle> && !Sync<RawHandle>);  // opt-in overrides the field rule
static_assert(Send<const RawHandle>);
static_assert(Send<std::vector<RawHandle>>);
static_assert(!Send<RawShared> && Sync<RawShared>);  // the pointer field still blocks Send
static_assert(Send<const RawShared&>);

// --- other class types and lambdas: yes unless opted out (documented limit)
// -------------------------------
class Opaque {
 public:
  explicit Opaque(int* value) : value_(value) {}
  int* value() const { return value_; }

 private:
  int* value_;  // invisible to ferrite: C++ cannot see private members
};
union Bits {
  int i;
  float f;
};
static_assert(send_and_sync<Opaque>);
static_assert(send_and_sync<Bits>);
using PlainLambda = decltype([] { return 1; });
static_assert(send_and_sync<PlainLambda>);
// Aggregates that cannot be reflected (a base class, a reference member, a
// field that converts from anything) are a compile error, never a silent
// yes: see tests/compile_fail/spawn_unreflectable_aggregate.cc. With an
// opt-out base, the trait it removes needs no reflection.
struct NotSendWithBase : ferrite::NotSend {
  int* extra;
};
static_assert(!Send<NotSendWithBase>);

// --- mutable fields: writable through const&, so never Sync -----------------------
struct Counter {
  mutable long hits;
  int id;
};
struct PlainCounter {
  long hits;
  int id;
};
struct HoldsCounter {
  Counter inner;
};
static_assert(Send<Counter> && !Sync<Counter>);
static_assert(send_and_sync<PlainCounter>);
static_assert(Send<HoldsCounter> && !Sync<HoldsCounter>);
static_assert(neither<ferrite::Arc<Counter>>);
static_assert(!Send<const Counter&>);

// --- ferrite's ranges, iterators and errors follow what they hold ---------------------
static_assert(neither<ferrite::Chunks<ferrite::Cell<int>>>);
static_assert(send_and_sync<ferrite::Chunks<int>>);
static_assert(Send<ferrite::ChunksMut<ferrite::Cell<int>>> &&
              !Sync<ferrite::ChunksMut<ferrite::Cell<int>>>);
static_assert(neither<ferrite::ChunksMut<ferrite::Rc<int>>>);
static_assert(neither<ferrite::ChunksMut<ferrite::Rc<int>>::iterator>);
static_assert(send_and_sync<ferrite::Chunks<int>::iterator>);
static_assert(neither<ferrite::Vec<ferrite::Cell<int>>::const_iterator>);
static_assert(neither<ferrite::Vec<int>::iterator>);  // a mutable reference to an element
static_assert(send_and_sync<ferrite::Vec<int>::const_iterator>);
static_assert(neither<ferrite::SendError<ferrite::Rc<int>>>);
static_assert(neither<ferrite::TrySendError<ferrite::Rc<int>>>);
static_assert(neither<ferrite::SendTimeoutError<ferrite::Rc<int>>>);
static_assert(send_and_sync<ferrite::SendError<int>>);
static_assert(Send<ferrite::SendError<ferrite::Cell<int>>> &&
              !Sync<ferrite::SendError<ferrite::Cell<int>>>);
static_assert(neither<ferrite::PoisonError<ferrite::MutexGuard<ferrite::Rc<int>>>>);
static_assert(!Send<ferrite::PoisonError<ferrite::MutexGuard<int>>>);

// --- diagnostics
// -----------------------------------------------------------------------------------------

TEST(MarkerTest, TypeNameIsTheCompilersSpelling) {
  EXPECT_EQ(ferrite::detail::type_name<int>(), "int");
  EXPECT_EQ(ferrite::detail::type_name<ferrite::Rc<int>>(), "ferrite::Rc<int>");
#if defined(__clang__)
  EXPECT_EQ(ferrite::detail::type_name<const ferrite::Cell<int>&>(), "const ferrite::Cell<int> &");
  EXPECT_EQ(ferrite::detail::type_name<int[2]>(), "int[2]");
#else
  EXPECT_EQ(ferrite::detail::type_name<const ferrite::Cell<int>&>(), "const ferrite::Cell<int>&");
  EXPECT_EQ(ferrite::detail::type_name<int[2]>(), "int [2]");
#endif
}

// The compiler's spelling of T, for the messages below.
template <class T>
std::string spelled() {
  return std::string(ferrite::detail::type_name<T>());
}

TEST(MarkerTest, RcMessageNamesTypeRuleAndWayOut) {
  constexpr auto message = ferrite::detail::send_message<ferrite::Rc<int>>();
  EXPECT_EQ(message.view(),
            "ferrite::Rc<int> is not Send: Rc's reference count is not atomic; use Arc<int>");
  constexpr auto weak = ferrite::detail::sync_message<ferrite::rc::Weak<int>>();
  EXPECT_NE(weak.view().find("use arc::Weak<int>"), std::string_view::npos) << weak.view();
}

TEST(MarkerTest, ArcOfCellMessageBlamesCellAndSuggestsMutex) {
  constexpr auto message = ferrite::detail::send_message<ferrite::Arc<ferrite::Cell<int>>>();
  const std::string_view text = message.view();
  EXPECT_TRUE(text.starts_with(spelled<ferrite::Arc<ferrite::Cell<int>>>() + " is not Send: "))
      << text;
  EXPECT_NE(text.find("Arc<T> is Send only when T is Send and Sync"), std::string_view::npos);
  EXPECT_NE(text.find("ferrite::Cell<int> is not Sync"), std::string_view::npos);
  EXPECT_NE(text.find("Mutex"), std::string_view::npos);
}

TEST(MarkerTest, ReferenceMessageSaysReferentMustBeSync) {
  constexpr auto message =
      ferrite::detail::send_message<const ferrite::Cell<int>&>("thread::spawn");
  const std::string_view text = message.view();
  EXPECT_TRUE(text.starts_with("thread::spawn: " + spelled<const ferrite::Cell<int>&>() +
                               " is not Send: "))
      << text;
  EXPECT_NE(text.find("a const reference is Send only when its referent is Sync"),
            std::string_view::npos);
  EXPECT_NE(text.find("ferrite::Cell<int> is not Sync"), std::string_view::npos);
  EXPECT_NE(text.find("move the value"), std::string_view::npos);
  constexpr auto wrapped =
      ferrite::detail::send_message<std::reference_wrapper<const ferrite::Cell<int>>>();
  EXPECT_NE(wrapped.view().find("counts as const T&"), std::string_view::npos) << wrapped.view();
}

TEST(MarkerTest, MutableReferenceMessageSaysItNeverCrosses) {
  constexpr auto message = ferrite::detail::send_message<std::reference_wrapper<int>>();
  const std::string_view text = message.view();
  EXPECT_NE(text.find("is neither Send nor Sync: two threads could write through copies of it"),
            std::string_view::npos)
      << text;
  EXPECT_NE(text.find("std::cref"), std::string_view::npos) << text;
}

TEST(MarkerTest, NewRowsExplainThemselves) {
  EXPECT_NE(ferrite::detail::send_message<std::function<void()>>().view().find("ferrite::SendFn"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::send_message<std::shared_ptr<long>>().view().find(
                "std::shared_ptr<const T>"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<std::unique_ptr<long>>().view().find(
                "unique_ptr<const T>"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<Counter>().view().find("mutable field"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::send_message<ferrite::ChunksMut<ferrite::Rc<int>>::iterator>()
                .view()
                .find("ferrite::Rc<int> is not Send"),
            std::string_view::npos);
}

TEST(MarkerTest, AggregateMessageNamesTheField) {
  constexpr auto message = ferrite::detail::send_message<std::vector<WithPointer>>();
  const std::string_view text = message.view();
  EXPECT_NE(text.find("field #1 " + spelled<int*>() + " is not Send"), std::string_view::npos)
      << text;
  EXPECT_NE(text.find("raw pointers are neither Send nor Sync"), std::string_view::npos);
  EXPECT_NE(text.find("pass ownership"), std::string_view::npos);
}

TEST(MarkerTest, OptOutMessages) {
  EXPECT_NE(ferrite::detail::send_message<Session>().view().find("derives from ferrite::NotSend"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<Scratch>().view().find("derives from ferrite::NotSync"),
            std::string_view::npos);
  EXPECT_NE(
      ferrite::detail::send_message<LocalOnly>().view().find("ferrite::PhantomNotSend is not Send"),
      std::string_view::npos);
}

TEST(MarkerTest, LibraryRuleMessages) {
  EXPECT_NE(ferrite::detail::send_message<ferrite::MutexGuard<int>>().view().find(
                "released by the thread that acquired it"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<ferrite::mpsc::Receiver<int>>().view().find(
                "channel::Receiver"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<ferrite::OnceCell<int>>().view().find("OnceLock"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::send_message<ferrite::Ref<int>>().view().find("borrow count"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::sync_message<ferrite::RwLock<ferrite::Cell<int>>>().view().find(
                "ferrite::Cell<int> is not Sync"),
            std::string_view::npos);
  EXPECT_NE(ferrite::detail::send_message<ferrite::Slice<ferrite::Cell<int>>>().view().find(
                "Send only when T is Sync"),
            std::string_view::npos);
}

TEST(MarkerTest, MessageForAPassingTypeSaysSo) {
  EXPECT_EQ(ferrite::detail::send_message<int>().view(), "int is Send");
  EXPECT_EQ(ferrite::detail::sync_message<ferrite::Mutex<int>>().view(),
            "ferrite::Mutex<int> is Sync");
}

TEST(MarkerTest, StaticMessageTruncatesAtCapacity) {
  ferrite::detail::StaticMessage message;
  std::string long_text(ferrite::detail::StaticMessage::kCapacity + 10, 'x');
  message.append(long_text);
  EXPECT_EQ(message.size(), ferrite::detail::StaticMessage::kCapacity);
  EXPECT_EQ(message.view(), std::string_view(long_text).substr(0, message.size()));
}

TEST(MarkerTest, AssertionsPassForSendAndSyncTypes) {
  // Compiling these is the test; they must also be usable in constant expressions.
  static_assert(ferrite::detail::AssertSend<ferrite::Arc<ferrite::Mutex<int>>>::value);
  static_assert(ferrite::detail::AssertSync<ferrite::Mutex<ferrite::Cell<int>>>::value);
  ferrite::detail::assert_send<std::vector<std::string>>();
  ferrite::detail::assert_sync<const int&>();
  SUCCEED();
}

// What a rejected boundary call names (ferrite/detail/boundary.h): the
// innermost type that breaks the rule, why, and the way out.
namespace rejection {
namespace d = ferrite::detail;
using ferrite::Arc;
using ferrite::Cell;
using ferrite::Rc;
template <class T>
using SendCulprit = typename d::Culprit<T, d::Trait::kSend>::type;
using RcRejected = d::not_Send<Rc<int>, d::because::Rc_reference_count_is_not_atomic,
                               d::way_out::use<Arc<int>>>;
using CellRejected = d::not_Sync<Cell<int>, d::because::it_mutates_through_const_without_synchronization,
                                 d::way_out::use_a_Mutex_an_RwLock_or_atomics>;
struct Job {
  int id;
  std::vector<Rc<int>> owners;
};
static_assert(std::is_same_v<SendCulprit<Rc<int>>, RcRejected>);
static_assert(std::is_same_v<SendCulprit<const Rc<int>>, RcRejected>);
static_assert(std::is_same_v<SendCulprit<Arc<Cell<int>>>, CellRejected>);
static_assert(std::is_same_v<SendCulprit<Job>, RcRejected>, "through a field and an element");
static_assert(std::is_same_v<SendCulprit<std::reference_wrapper<const Cell<int>>>, CellRejected>);
static_assert(std::is_same_v<SendCulprit<std::function<int(long)>>,
                             d::not_Send<std::function<int(long)>,
                                         d::because::type_erasure_hides_the_type_it_holds,
                                         d::way_out::use<ferrite::SendFn<int(long)>>>>);
// A channel checks Send, then owned data, then a noexcept move.
static_assert(std::is_same_v<d::ChannelRejection<std::tuple<int, Rc<int>>>, RcRejected>);
static_assert(std::is_same_v<d::ChannelRejection<std::optional<std::string_view>>,
                             d::not_owned<std::string_view,
                                          d::because::a_message_may_outlive_what_it_borrows,
                                          d::way_out::send_the_value_itself_or_an_Arc>>);
static_assert(std::is_same_v<d::ChannelRejection<const int>,
                             d::not_a_channel_message<const int,
                                                      d::because::a_message_is_a_non_const_object,
                                                      d::way_out::use<std::unique_ptr<int>>>>);
// A spawned thread's arguments may borrow only inside a scope; its result never.
static_assert(std::is_same_v<d::ScopedSpawnRejection<int, void (*)(const int&),
                                                     std::reference_wrapper<const int>>,
                             void>);
static_assert(std::is_same_v<d::UnscopedSpawnRejection<int, void (*)(const int&),
                                                       std::reference_wrapper<const int>>,
                             d::not_owned<std::reference_wrapper<const int>,
                                          d::because::a_detached_thread_may_outlive_what_it_borrows,
                                          d::way_out::move_or_clone_the_value_in_or_borrow_it_inside_thread_scope>>);
static_assert(std::is_same_v<d::ScopedSpawnRejection<const int&, int (*)()>,
                             d::not_owned<const int&, d::because::a_returned_borrow_outlives_the_thread,
                                          d::way_out::return_a_value>>);
}  // namespace rejection

}  // namespace
