// pay_salaries — poisoning keeps a broken invariant visible (docs/DESIGN.md, "Examples").
//
// A ledger: every account lives behind one ferrite::Mutex, and
// its invariant is that money is only moved, never created or lost: the
// total stays 10000. A payroll worker moves each salary in two steps
// (withdraw from the company, then deposit to the employee) and panics
// between them for one employee, with the money "in flight". The mutex is
// poisoned by that panic, so the auditor who locks the ledger next is told —
// it gets a PoisonError instead of a plain guard — and reports the broken
// invariant rather than silently using the corrupted ledger.
//
// Exit status 0 exactly when the poisoning was detected as designed (and the
// ledger repaired afterwards); the output is a narrative, whose key lines
// (tested) are:
//   auditor: ledger.lock() -> PoisonError (poisoned lock: another task failed inside)
//   auditor: total is 8000, expected 10000: 2000 in flight (invariant broken)
//   auditor: with_lock refuses a poisoned ledger: ...
//   auditor: repaired; poison cleared; total is 10000
//   RESULT: poisoning detected the broken invariant
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/mutex.h"
#include "ferrite/panic.h"

namespace {

constexpr std::int64_t kExpectedTotal = 10000;
const std::string kCompany = "company";

struct Ledger {
  std::map<std::string, std::int64_t> accounts;

  std::int64_t total() const {
    std::int64_t sum = 0;
    for (const auto& [name, balance] : accounts) sum += balance;
    return sum;
  }
  void print(const char* who, const char* when) const {
    std::printf("  %s: %s:", who, when);
    for (const auto& [name, balance] : accounts) {
      std::printf(" %s %lld", name.c_str(), static_cast<long long>(balance));
    }
    std::printf(" (total %lld)\n", static_cast<long long>(total()));
  }
};

struct Salary {
  std::string employee;
  std::int64_t amount;
};

// Pays every salary under the ledger's lock, one transfer at a time. The
// bank link "fails" for `fails_for`, after the withdrawal: a panic while the
// guard is held, with the ledger's invariant broken.
void run_payroll(const ferrite::Mutex<Ledger>& ledger, const std::vector<Salary>& salaries,
                 const std::string& fails_for) {
  auto guard = ledger.lock();
  if (!guard) ferrite::panic("payroll: the ledger is already poisoned");
  Ledger& books = **guard;
  for (const Salary& salary : salaries) {
    books.accounts[kCompany] -= salary.amount;  // money leaves the company...
    if (salary.employee == fails_for) {
      std::printf("  payroll worker: withdrew %lld for %s from the company account...\n",
                  static_cast<long long>(salary.amount), salary.employee.c_str());
      ferrite::panic("bank link lost while paying " + salary.employee);
    }
    books.accounts[salary.employee] += salary.amount;  // ...and arrives.
    std::printf("  payroll worker: paid %s %lld\n", salary.employee.c_str(),
                static_cast<long long>(salary.amount));
  }
}

int pay_salaries() {
  std::printf("pay_salaries: a ledger, every account behind one ferrite::Mutex\n");
  const ferrite::Mutex<Ledger> ledger(Ledger{{{kCompany, kExpectedTotal},
                                              {"alice", 0},
                                              {"bob", 0},
                                              {"carol", 0},
                                              {"dave", 0}}});
  ledger.with_lock([](Ledger& books) { books.print("main", "opening balances"); });

  const std::vector<Salary> salaries = {
      {"alice", 3000}, {"bob", 2500}, {"carol", 2000}, {"dave", 1500}};

  // The payroll runs on its own thread; its panic escapes the critical
  // section, which poisons the mutex on the way out.
  std::string worker_panic;
  std::thread worker([&] {
    try {
      run_payroll(ledger, salaries, "carol");
    } catch (const ferrite::Panic& p) {
      worker_panic = p.what();
    }
  });
  worker.join();
  if (worker_panic.empty()) {
    std::printf("FAIL: the payroll worker was expected to panic\n");
    return 1;
  }
  std::printf("  main: the payroll worker panicked: \"%s\"\n", worker_panic.c_str());

  // The auditor: the next one to lock the ledger.
  auto audit = ledger.lock();
  if (audit.has_value()) {
    std::printf("FAIL: ledger.lock() succeeded; the broken ledger would be used silently\n");
    return 1;
  }
  std::printf("  auditor: ledger.lock() -> PoisonError (%s)\n",
              std::string(audit.error().message()).c_str());
  // Recover the guard only to *inspect* the data, not to trust it.
  ferrite::MutexGuard<Ledger> books = std::move(audit.error()).into_inner();
  books->print("auditor", "recovered ledger");
  const std::int64_t total = books->total();
  if (total == kExpectedTotal) {
    std::printf("FAIL: the invariant looks intact; the panic should have left money in flight\n");
    return 1;
  }
  std::printf("  auditor: total is %lld, expected %lld: %lld in flight (invariant broken)\n",
              static_cast<long long>(total), static_cast<long long>(kExpectedTotal),
              static_cast<long long>(kExpectedTotal - total));

  // Anyone who does not look at the poison is stopped, not misled.
  {
    ferrite::MutexGuard<Ledger> release = std::move(books);
  }
  try {
    ledger.with_lock([](Ledger&) { std::printf("FAIL: with_lock ran on a poisoned ledger\n"); });
    return 1;
  } catch (const ferrite::Panic& p) {
    std::printf("  auditor: with_lock refuses a poisoned ledger: %s\n", p.what());
  }

  // Repair: return the money in flight to the company, then clear the poison.
  {
    auto repair = ledger.lock();
    if (repair.has_value()) {
      std::printf("FAIL: the ledger should still be poisoned\n");
      return 1;
    }
    ferrite::MutexGuard<Ledger> fix = std::move(repair.error()).into_inner();
    fix->accounts[kCompany] += kExpectedTotal - fix->total();
    ledger.clear_poison();
  }
  const std::int64_t repaired = ledger.with_lock([](Ledger& b) { return b.total(); });
  if (repaired != kExpectedTotal || ledger.is_poisoned()) {
    std::printf("FAIL: the repair did not restore the invariant\n");
    return 1;
  }
  std::printf("  auditor: repaired; poison cleared; total is %lld\n",
              static_cast<long long>(repaired));
  std::printf("RESULT: poisoning detected the broken invariant\n");
  return 0;
}

}  // namespace

int main() { return pay_salaries(); }
