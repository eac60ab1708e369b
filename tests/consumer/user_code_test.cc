// A user's own test, twinned by ferrite_cc_test (user_code_test, _asan,
// _tsan). It is written the way users write code, not the way ferrite's own
// code must be: `m["a"]` on an `auto&` is an "unsafe buffer access" to
// -Werror=unsafe-buffer-usage, which ferrite imposes on its own sources only.
// Exits non-zero on any mismatch.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ferrite/mutex.h"
#include "ferrite/thread.h"

namespace {

int failures = 0;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "user_code_test: FAILED: %s\n", what);
    ++failures;
  }
}

// The file named by `suppressions=` in a sanitizer's options variable, or "".
std::string suppressions_file(const char* options_variable) {
  const char* options = std::getenv(options_variable);
  if (options == nullptr) return "";
  std::string text(options);
  const std::string key = "suppressions=";
  auto at = text.find(key);
  if (at == std::string::npos) return "";
  auto end = text.find(':', at);
  return text.substr(at + key.size(),
                     end == std::string::npos ? std::string::npos : end - at - key.size());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

}  // namespace

int main() {
  const ferrite::Mutex<std::map<std::string, int>> counts(std::map<std::string, int>{{"a", 0}});
  ferrite::thread::scope([&counts](ferrite::thread::Scope& scope) {
    for (int t = 0; t < 4; ++t) {
      scope.spawn([&counts] {
        for (int i = 0; i < 100; ++i) counts.with_lock([](auto& m) { ++m["a"]; });
      });
    }
  });
  check(counts.with_lock([](auto& m) { return m["a"]; }) == 400,
        "with_lock on a map, from four threads");

  // The _tsan twin reads ferrite's suppressions and this test's own
  // (user_tsan.supp), merged into one file.
  const std::string tsan = suppressions_file("TSAN_OPTIONS");
  if (!tsan.empty()) {
    const std::string merged = read_file(tsan);
    check(merged.find("user_code_test_suppressed_race") != std::string::npos,
          "the tsan twin reads the test's own suppressions");
    check(merged.find("reason:") != std::string::npos, "ferrite's suppressions are kept too");
  }

  if (failures == 0) std::puts("user_code_test: user code builds and runs in every twin");
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
