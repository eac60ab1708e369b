// A user's program built against an installed ferrite, by CMake
// (find_package + ferrite::ferrite) and by pkg-config: a Mutex shared by
// spawned threads, a channel between them, and the version macros.
// Exits non-zero on any mismatch.
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "ferrite/ferrite.h"

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    if (!ok) {
      std::fprintf(stderr, "cmake_consumer: FAILED: %s\n", what);
      ++failures;
    }
  };

  // Four spawned threads add to one Mutex and report on a channel.
  auto total = ferrite::make_arc<ferrite::Mutex<int>>(0);
  auto [tx, rx] = ferrite::channel::unbounded<std::string>();
  std::vector<ferrite::thread::JoinHandle<int>> workers;
  for (int id = 0; id < 4; ++id) {
    workers.push_back(ferrite::thread::spawn([total = total.clone(), tx, id] {
      for (int i = 0; i < 1000; ++i) total->with_lock([](int& n) { ++n; });
      tx.send("worker " + std::to_string(id) + " done");
      return id;
    }));
  }
  { auto dropped = std::move(tx); }  // only the workers' copies keep the channel open

  int joined = 0;
  for (int id = 0; id < 4; ++id) {
    auto result = workers[static_cast<std::size_t>(id)].join();
    check(result.has_value() && *result == id, "join returns the thread's result");
    joined += result.has_value() ? 1 : 0;
  }
  std::vector<std::string> reports;
  for (std::string& report : rx) reports.push_back(std::move(report));

  check(joined == 4, "every thread joined");
  check(reports.size() == 4, "four reports, then the channel disconnects");
  check(total->with_lock([](int& n) { return n; }) == 4000, "Mutex counted every increment");
  check(std::string(FERRITE_VERSION_STRING) == std::to_string(FERRITE_VERSION_MAJOR) + "." +
                                                   std::to_string(FERRITE_VERSION_MINOR) + "." +
                                                   std::to_string(FERRITE_VERSION_PATCH),
        "the installed version.h agrees with itself");

  if (failures == 0)
    std::printf("cmake_consumer: ferrite %s works when installed\n", FERRITE_VERSION_STRING);
  return failures == 0 ? 0 : 1;
}
