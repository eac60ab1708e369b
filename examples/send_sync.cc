// examples/send_sync.cc — what may cross a thread boundary, and what the
// compiler says when something may not.
//
//  1. A table of common types and whether they are Send and Sync
//     (ferrite/marker.h), computed by the concepts themselves and checked
//     against the table in docs/DESIGN.md ("Send and Sync").
//  2. The real diagnostics for the forbidden cases: the compile-fail
//     snippets of tests/compile_fail/ are compiled at build time by
//     examples/send_sync_diagnostics.sh (a genrule), which keeps clang's own
//     error lines; this program prints them.
//  3. What does compile: the fix each diagnostic suggests, run for real.
//
// Exits non-zero if a row of the table disagrees with the contract or the
// run-time demo goes wrong.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "examples/send_sync_diagnostics.h"
#include "ferrite/arc.h"
#include "ferrite/cell.h"
#include "ferrite/channel.h"
#include "ferrite/marker.h"
#include "ferrite/mpsc.h"
#include "ferrite/mutex.h"
#include "ferrite/rc.h"
#include "ferrite/rwlock.h"
#include "ferrite/send_fn.h"
#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"
#include "ferrite/vec.h"

namespace {

struct Row {
  const char* type;
  bool send;
  bool sync;
  bool expected_send;  // docs/DESIGN.md's table, marker.h's rules
  bool expected_sync;
};

template <class T>
Row row(const char* name, bool expected_send, bool expected_sync) {
  return Row{name, ferrite::Send<T>, ferrite::Sync<T>, expected_send, expected_sync};
}

bool print_table() {
  using ferrite::Arc;
  using ferrite::Cell;
  using ferrite::Mutex;
  using ferrite::Rc;
  const std::vector<Row> rows = {
      row<int>("int", true, true),
      row<std::string>("std::string", true, true),
      row<int*>("int*", false, false),
      row<const int&>("const int&", true, true),
      row<Cell<int>&>("Cell<int>&", false, false),
      row<std::vector<int>>("std::vector<int>", true, true),
      row<int&>("int&", false, false),
      row<std::shared_ptr<int>>("std::shared_ptr<int>", false, false),
      row<std::shared_ptr<const int>>("std::shared_ptr<const int>", true, true),
      row<std::function<void()>>("std::function<void()>", false, false),
      row<ferrite::SendFn<void()>>("SendFn<void()>", true, false),
      row<Rc<int>>("Rc<int>", false, false),
      row<Arc<int>>("Arc<int>", true, true),
      row<Cell<int>>("Cell<int>", true, false),
      row<ferrite::RefCell<int>>("RefCell<int>", true, false),
      row<Arc<Cell<int>>>("Arc<Cell<int>>", false, false),
      row<Mutex<int>>("Mutex<int>", true, true),
      row<Mutex<Cell<int>>>("Mutex<Cell<int>>", true, true),
      row<Arc<Mutex<Cell<int>>>>("Arc<Mutex<Cell<int>>>", true, true),
      row<ferrite::MutexGuard<int>>("MutexGuard<int>", false, true),
      row<ferrite::RwLock<Cell<int>>>("RwLock<Cell<int>>", true, false),
      row<ferrite::Vec<int>>("Vec<int>", true, true),
      row<ferrite::mpsc::Sender<int>>("mpsc::Sender<int>", true, true),
      row<ferrite::mpsc::Receiver<int>>("mpsc::Receiver<int>", true, false),
      row<ferrite::channel::Receiver<int>>("channel::Receiver<int>", true, true),
      row<ferrite::ThreadPool>("ThreadPool", true, true),
  };
  bool ok = true;
  std::printf("%-24s %-5s %-5s\n", "type", "Send", "Sync");
  for (const Row& r : rows) {
    const bool right = r.send == r.expected_send && r.sync == r.expected_sync;
    ok = ok && right;
    std::printf("%-24s %-5s %-5s%s\n", r.type, r.send ? "yes" : "no", r.sync ? "yes" : "no",
                right ? "" : "   <-- DISAGREES WITH THE CONTRACT");
  }
  return ok;
}

void print_diagnostics() {
  std::printf("\nWhat the compiler says for the forbidden cases (tests/compile_fail/):\n");
  for (const auto& c : ferrite::examples::kCompileFailCases) {
    std::printf("\n* %s\n%s\n", c.snippet, c.diagnostic);
  }
}

// The way out the diagnostics suggest: Arc instead of Rc, Mutex instead of
// Cell. Four threads increment one counter.
bool run_the_fix() {
  auto counter = ferrite::make_arc<ferrite::Mutex<int>>(0);
  std::vector<ferrite::thread::JoinHandle<void>> threads;
  for (int t = 0; t < 4; ++t) {
    threads.push_back(ferrite::thread::spawn(
        [](ferrite::Arc<ferrite::Mutex<int>> c) {
          for (int i = 0; i < 1000; ++i) c->with_lock([](int& n) { ++n; });
        },
        counter));
  }
  for (auto& t : threads) static_cast<void>(t.join());
  const int total = counter->with_lock([](int& n) { return n; });
  std::printf("\nThe fix, run: 4 threads x 1000 increments of an Arc<Mutex<int>>: %d\n", total);
  return total == 4000;
}

}  // namespace

int main() {
  const bool table_ok = print_table();
  print_diagnostics();
  const bool fix_ok = run_the_fix();
  std::printf("send_sync: table matches the contract: %s; fix runs: %s\n",
              table_ok ? "ok" : "WRONG", fix_ok ? "ok" : "WRONG");
  return table_ok && fix_ok && !ferrite::examples::kCompileFailCases.empty() ? EXIT_SUCCESS
                                                                             : EXIT_FAILURE;
}
