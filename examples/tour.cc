// tour — ferrite's main program: a short guided walk through the library.
//
// Each section states one idea in a line, then shows it running. Sections are
// added as the library grows (see docs/DESIGN.md, "Examples"); the tour must stay
// fast (a few seconds) and deterministic, and exits non-zero if anything it
// demonstrates does not behave as described.
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/marker.h"
#include "ferrite/mutex.h"
#include "ferrite/panic.h"
#include "ferrite/rc.h"
#include "ferrite/thread.h"
#include "ferrite/vec.h"

namespace {

int failures = 0;

void heading(const char* title, const char* idea) {
  std::printf("\n== %s\n   %s\n", title, idea);
}

void expect(bool ok, const char* what) {
  std::printf("   %s %s\n", ok ? "ok:  " : "FAIL:", what);
  if (!ok) ++failures;
}

void panics() {
  heading("panic", "A panic is a C++ exception escaping a scope; it carries its message and location.");
  try {
    ferrite::panic("the ledger does not balance");
  } catch (const ferrite::Panic& p) {
    std::printf("   caught ferrite::Panic: \"%s\" (thrown at line %u)\n", p.what(),
                static_cast<unsigned>(p.location().line()));
    expect(std::string(p.what()) == "the ledger does not balance", "what() is exactly the message");
  }
}

void cells() {
  heading("cells", "Interior mutability through a const reference, checked at run time.");
  const ferrite::Cell<int> counter(1);
  counter.set(counter.get() + 41);
  std::printf("   Cell<int> after set: %d\n", counter.get());
  expect(counter.get() == 42, "Cell::set through a const reference");

  const ferrite::RefCell<std::vector<int>> log(std::vector<int>{1, 2});
  {
    auto reader = log.borrow();
    auto writer = log.try_borrow_mut();
    expect(!writer.has_value(), "try_borrow_mut fails while a Ref is alive");
    try {
      auto second_writer = log.borrow_mut();
      expect(false, "borrow_mut must panic while a Ref is alive");
    } catch (const ferrite::Panic& p) {
      std::printf("   borrow_mut while borrowed panics: \"%s\"\n", p.what());
    }
  }
  log.borrow_mut()->push_back(3);
  expect(log.borrow()->size() == 3, "borrow_mut succeeds once the Ref is gone");

  const ferrite::OnceCell<std::string> config;
  const std::string& value = config.get_or_init([] { return std::string("initialized once"); });
  auto again = config.set("ignored");
  std::printf("   OnceCell: \"%s\"; a second set hands back \"%s\"\n", value.c_str(),
              again.has_value() ? "" : again.error().c_str());
  expect(!again.has_value(), "OnceCell::set on a full cell returns the value");
}

void counting() {
  heading("Rc and Arc", "Shared ownership: Rc counts without atomics (one thread), Arc with them.");
  auto rc = ferrite::make_rc<std::string>("shared");
  auto rc2 = rc.clone();
  auto weak = rc.downgrade();
  std::printf("   Rc strong_count=%zu weak_count=%zu\n", static_cast<std::size_t>(rc.strong_count()),
              static_cast<std::size_t>(rc.weak_count()));
  rc2.make_mut() += " (copied on write)";
  std::printf("   after make_mut on a shared Rc: \"%s\" vs \"%s\"\n", rc->c_str(), rc2->c_str());
  expect(*rc == "shared" && !rc.ptr_eq(rc2), "make_mut cloned instead of mutating shared data");
  expect(weak.upgrade().has_value(), "Weak upgrades while a strong reference lives");

  // Arc gives shared (const) access; an atomic is safe to mutate through it.
  struct Tally {
    mutable std::atomic<int> count{0};
  };
  auto tally = ferrite::make_arc<Tally>();
  std::vector<std::thread> workers;
  for (int i = 0; i < 4; ++i) {
    workers.emplace_back([tally] {
      for (int k = 0; k < 1000; ++k) tally->count.fetch_add(1);
    });
  }
  for (auto& w : workers) w.join();
  std::printf("   four threads counted through clones of one Arc: %d\n", tally->count.load());
  expect(tally->count.load() == 4000 && tally.strong_count() == 1,
         "every clone was dropped, nothing lost");
}

void send_sync() {
  heading("Send and Sync", "Compile-time facts checked at every thread boundary.");
  struct Row {
    const char* type;
    bool send, sync;
  };
  const Row rows[] = {
      {"int", ferrite::Send<int>, ferrite::Sync<int>},
      {"std::string", ferrite::Send<std::string>, ferrite::Sync<std::string>},
      {"int*", ferrite::Send<int*>, ferrite::Sync<int*>},
      {"Rc<int>", ferrite::Send<ferrite::Rc<int>>, ferrite::Sync<ferrite::Rc<int>>},
      {"Arc<int>", ferrite::Send<ferrite::Arc<int>>, ferrite::Sync<ferrite::Arc<int>>},
      {"Cell<int>", ferrite::Send<ferrite::Cell<int>>, ferrite::Sync<ferrite::Cell<int>>},
      {"Arc<Cell<int>>", ferrite::Send<ferrite::Arc<ferrite::Cell<int>>>,
       ferrite::Sync<ferrite::Arc<ferrite::Cell<int>>>},
      {"const Cell<int>&", ferrite::Send<const ferrite::Cell<int>&>,
       ferrite::Sync<const ferrite::Cell<int>&>},
      {"std::shared_ptr<int>", ferrite::Send<std::shared_ptr<int>>,
       ferrite::Sync<std::shared_ptr<int>>},
  };
  std::printf("   %-22s %-5s %s\n", "type", "Send", "Sync");
  for (const Row& row : rows) {
    std::printf("   %-22s %-5s %s\n", row.type, row.send ? "yes" : "no", row.sync ? "yes" : "no");
  }
  expect(!ferrite::Send<ferrite::Rc<int>> && ferrite::Send<ferrite::Arc<int>>,
         "Rc stays on its thread; Arc may cross");
  // The explanation the boundary check gives, computed at compile time.
  constexpr auto why = ferrite::detail::send_message<ferrite::Rc<int>>("thread::spawn");
  std::printf("   Moving an Rc<int> to another thread does not compile:\n     %.*s\n",
              static_cast<int>(why.size()), why.data());
}

void threads() {
  heading("threads", "A panic inside a thread comes back from join(); it never kills the process.");
  auto worker = ferrite::thread::spawn([](int divisor) -> int {
    if (divisor == 0) ferrite::panic("division by zero in the worker");
    return 84 / divisor;
  }, 0);
  auto joined = worker.join();
  if (!joined) std::printf("   join() returned the panic: \"%s\"\n", joined.error().message().c_str());
  expect(!joined.has_value(), "the worker's panic was returned, not std::terminate");

  ferrite::Vec<int> values{1, 2, 3, 4, 5, 6};
  auto halves = values.split_at_mut(3);
  expect(values.len() == 6 && !std::as_const(values).split_at(7).has_value(),
         "split_at beyond len() is nullopt, not a crash");
  ferrite::thread::scope([&](ferrite::thread::Scope& scope) {
    auto& [left, right] = *halves;
    scope.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x *= 10; }, std::move(left));
    scope.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x += 100; }, std::move(right));
  });
  halves.reset();
  std::printf("   two scoped threads, two disjoint halves of one Vec:");
  for (int x : std::as_const(values)) std::printf(" %d", x);
  std::printf("\n");
  expect(values[0] == 10 && values[5] == 106, "each thread changed only its own half");
}

void poison() {
  heading("poison", "A panic while a lock is held poisons it: the next lock() says so.");
  ferrite::Mutex<std::vector<int>> ledger(std::vector<int>{100, 0});
  ferrite::thread::scope([&ledger](ferrite::thread::Scope& scope) {
    auto transfer = scope.spawn([&ledger] {  // scoped: may borrow the local ledger
      auto accounts = *ledger.lock();
      (*accounts)[0] -= 30;
      ferrite::panic("crashed between the debit and the credit");
    });
    (void)transfer.join();  // the panic is observed here, so scope() does not re-raise it
  });
  auto result = ledger.lock();
  expect(!result.has_value(), "lock() returns a PoisonError after the panic");
  if (!result) {
    auto recovered = std::move(result.error()).into_inner();
    std::printf("   poisoned: total is %d, not 100; the caller sees it and can repair\n",
                (*recovered)[0] + (*recovered)[1]);
  }
}

// Runs one of the example programs (a sibling binary in the runfiles tree,
// which is the working directory under `bazel run` and `bazel test`).
void example(const char* name, std::vector<std::string> args, const char* idea) {
  heading(name, idea);
  std::fflush(stdout);
  std::string path = std::string("examples/") + name;
  args.insert(args.begin(), path);
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = 0;
  int status = 0;
  const bool started = posix_spawn(&pid, path.c_str(), nullptr, nullptr, argv.data(), environ) == 0;
  const bool ok = started && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
                  WEXITSTATUS(status) == 0;
  expect(ok, started ? "the example checked its own results and exited 0"
                     : "the example binary could not be started");
}

}  // namespace

int main() {
  std::printf("ferrite: Rust's thread-safety toolkit in C++23\n");
  panics();
  cells();
  counting();
  send_sync();
  threads();
  poison();
  example("pay_salaries", {}, "A ledger: a worker panics mid-payroll; the poisoned lock tells.");
  example("hello_channel", {},
          "mpsc::channel + thread::spawn: ten messages; the loop ends when the Sender is gone.");
  example("split_halves", {"200000"},
          "split_at_mut + thread::scope: two threads, two halves; then a parallel merge sort.");
  example("collatz_pool", {"100000"},
          "The Rust book's Arc<Mutex<Receiver>> pool, then ThreadPool: the same answers.");
  example("log_aggregator", {"5000"},
          "Workers log through a Mutex<vector>, then through channels merged by Select.");
  example("concurrent_requests", {},
          "Five simulated server calls, one by one and then all at once on a ThreadPool.");
  example("send_sync", {}, "What may cross a thread boundary, and clang's real errors when not.");
  example("lock_order_inversion", {},
          "Two locks taken in opposite orders, never at once: reported as a deadlock anyway.");
  std::printf("\nUnsafe code: every region and its audit note are listed in docs/AUDIT.md.\n");
  std::printf("%s\n", failures == 0 ? "tour complete." : "tour FAILED.");
  return failures == 0 ? 0 : 1;
}
