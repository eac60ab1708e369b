// tests/stress/stress_main.cc — main() of the stress binaries: reads the
// scenario time (`--seconds N`, `--seconds=N`, or FERRITE_STRESS_SECONDS),
// then runs the GoogleTest scenarios.
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "ferrite/unsafe.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

std::chrono::duration<double> scenario_time_{1.0};

// N in seconds, or exits with a usage message.
double parse_seconds(std::string_view text) {
  const std::string copy(text);
  std::size_t used = 0;
  double seconds = 0;
  try {
    seconds = std::stod(copy, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (copy.empty() || used != copy.size() || !(seconds > 0)) {
    std::fprintf(stderr, "stress: --seconds needs a positive number of seconds, got '%s'\n",
                 copy.c_str());
    std::exit(2);
  }
  return seconds;
}

}  // namespace

std::chrono::duration<double> scenario_time() { return scenario_time_; }
void set_scenario_time(std::chrono::duration<double> time) { scenario_time_ = time; }

void report(std::string_view name,
            std::initializer_list<std::pair<std::string_view, std::uint64_t>> figures,
            const Clock& clock) {
  const double seconds = clock.elapsed_seconds();
  std::string line = "[stress] " + std::string(name) + ":";
  for (const auto& [key, value] : figures) {
    line += " " + std::string(key) + "=" + std::to_string(value);
  }
  std::array<char, 64> time{};
  std::snprintf(time.data(), time.size(), " in %.2f s", seconds);
  line += time.data();
  if (figures.size() != 0 && seconds > 0) {
    const auto& [unit, count] = *figures.begin();
    std::snprintf(time.data(), time.size(), " (%.0f ", static_cast<double>(count) / seconds);
    line += time.data() + std::string(unit) + " per second)";
  }
  std::printf("%s\n", line.c_str());
  std::fflush(stdout);
}

}  // namespace ferrite::stress

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);  // takes out the --gtest_ flags
  if (const char* env = std::getenv("FERRITE_STRESS_SECONDS"); env != nullptr && *env != '\0') {
    ferrite::stress::set_scenario_time(
        std::chrono::duration<double>(ferrite::stress::parse_seconds(env)));
  }
  std::vector<std::string_view> args;
  for (int i = 0; i < argc; ++i) {
    // SAFETY(stress-argv): i < argc, the number of entries of argv.
    args.emplace_back(FERRITE_UNSAFE_BUFFERS(argv[i]));
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    std::string_view value;
    if (arg == "--seconds" && i + 1 < args.size()) {
      value = args[++i];
    } else if (arg.starts_with("--seconds=")) {
      value = arg.substr(std::string_view("--seconds=").size());
    } else {
      std::fprintf(stderr, "usage: stress [--seconds N] [--gtest_filter=...], not '%s'\n",
                   std::string(arg).c_str());
      return 2;
    }
    ferrite::stress::set_scenario_time(
        std::chrono::duration<double>(ferrite::stress::parse_seconds(value)));
  }
  std::printf("[stress] %.2f s per scenario\n", ferrite::stress::scenario_time().count());
  return RUN_ALL_TESTS();
}
