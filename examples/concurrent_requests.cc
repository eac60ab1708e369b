// examples/concurrent_requests.cc — waiting sequentially versus concurrently.
//
// Five simulated servers each take 20 ms to answer (they sleep: waiting is
// the point). Asking them one after another takes the sum of their delays;
// submitting every request to a ThreadPool and then joining the handles
// takes about the longest one. Prints both wall times.
//
// Exits non-zero unless both ways get the same answers and the concurrent
// way is faster.
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

std::string ask_server(int server) {
  ferrite::thread::sleep(kLatency);  // the network round trip
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
  const double concurrent_ms = timed_ms(all_at_once, concurrently);
  std::printf("%d servers, %lld ms each:\n", kServers, static_cast<long long>(kLatency.count()));
  std::printf("  sequential: %6.1f ms\n  concurrent: %6.1f ms (ThreadPool + TaskHandle::join)\n",
              sequential_ms, concurrent_ms);
  const bool same = one_by_one == all_at_once && one_by_one.size() == kServers;
  const bool faster = concurrent_ms < sequential_ms;
  std::printf("concurrent_requests: same answers: %s; concurrent is faster: %s\n",
              same ? "ok" : "WRONG", faster ? "ok" : "WRONG");
  return same && faster ? EXIT_SUCCESS : EXIT_FAILURE;
}
