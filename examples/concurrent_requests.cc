// examples/concurrent_requests.cc — waiting sequentially versus concurrently.
//
// Five simulated servers each take 20 ms to answer (they sleep: waiting is
// the point). Asking them one after another takes the sum of their delays;
// submitting every request to a ThreadPool and then joining the handles
// takes about the longest one. Prints both wall times and how many requests
// were waiting at the same moment.
//
// Exits non-zero unless both ways get the same answers. The times are printed,
// not checked: on a busy machine (or under a sanitizer) starting five threads
// can cost more than the waits they overlap, and a claim about speed belongs
// in a benchmark, not in a pass/fail exit status.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "ferrite/thread.h"
#include "ferrite/thread_pool.h"

namespace {

constexpr int kServers = 5;
constexpr std::chrono::milliseconds kLatency{20};

// Requests waiting right now, and the most that ever waited at once.
std::atomic<int> in_flight{0};
std::atomic<int> most_in_flight{0};

std::string ask_server(int server) {
  const int now = in_flight.fetch_add(1) + 1;
  int most = most_in_flight.load();
  while (now > most && !most_in_flight.compare_exchange_weak(most, now)) {
  }
  ferrite::thread::sleep(kLatency);  // the network round trip
  in_flight.fetch_sub(1);
  return "response from server " + std::to_string(server);
}

std::vector<std::string> sequentially() {
  std::vector<std::string> responses;
  for (int s = 0; s < kServers; ++s) responses.push_back(ask_server(s));
  return responses;
}

std::vector<std::string> concurrently() {
  ferrite::ThreadPool pool(kServers);  // one thread per outstanding request
  std::vector<ferrite::TaskHandle<std::string>> pending;
  for (int s = 0; s < kServers; ++s) pending.push_back(pool.submit([s] { return ask_server(s); }));
  std::vector<std::string> responses;
  for (auto& p : pending) {
    auto r = p.join();
    responses.push_back(r ? *r : "error: " + r.error().message());
  }
  return responses;
}

template <class F>
double timed_ms(std::vector<std::string>& out, F f) {
  const auto start = std::chrono::steady_clock::now();
  out = f();
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

}  // namespace

int main() {
  std::vector<std::string> one_by_one;
  std::vector<std::string> all_at_once;
  const double sequential_ms = timed_ms(one_by_one, sequentially);
  const int sequential_overlap = most_in_flight.exchange(0);
  const double concurrent_ms = timed_ms(all_at_once, concurrently);
  const int concurrent_overlap = most_in_flight.load();
  std::printf("%d servers, %lld ms each:\n", kServers, static_cast<long long>(kLatency.count()));
  std::printf("  sequential: %6.1f ms, at most %d request waiting at once\n", sequential_ms,
              sequential_overlap);
  std::printf("  concurrent: %6.1f ms, at most %d requests waiting at once (ThreadPool + join)\n",
              concurrent_ms, concurrent_overlap);
  const bool same = one_by_one == all_at_once && one_by_one.size() == kServers;
  std::printf("concurrent_requests: same answers: %s\n", same ? "ok" : "WRONG");
  return same ? EXIT_SUCCESS : EXIT_FAILURE;
}
