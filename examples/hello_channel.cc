// examples/hello_channel.cc — a first channel: a spawned thread
// sends ten messages, the main thread receives them.
//
// The Sender moves into the thread; when the thread ends, the Sender is
// dropped, the channel disconnects, and the receiving loop ends after the
// tenth message: no count is shared, the channel says when it is over.
//
// Exits non-zero unless all ten arrive, in order, exactly once.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "ferrite/mpsc.h"
#include "ferrite/thread.h"

int main() {
  auto [tx, rx] = ferrite::mpsc::channel<std::string>();
  auto producer = ferrite::thread::spawn([tx = std::move(tx)] {
    for (int i = 0; i < 10; ++i) {
      // Fails only if the receiver is gone, which main does not allow.
      if (!tx.send("hi number " + std::to_string(i) + " from the spawned thread")) return false;
    }
    return true;
  });  // the lambda (and its Sender) is destroyed when the thread ends

  std::vector<std::string> received;
  for (std::string& message : rx) {  // ends when the sender is gone
    std::printf("got: %s\n", message.c_str());
    received.push_back(std::move(message));
  }
  const auto sent_all = producer.join();

  bool ok = sent_all.has_value() && *sent_all && received.size() == 10;
  for (std::size_t i = 0; ok && i < received.size(); ++i) {
    ok = received[i] == "hi number " + std::to_string(i) + " from the spawned thread";
  }
  std::printf("hello_channel: %zu of 10 messages, in order: %s\n", received.size(),
              ok ? "ok" : "WRONG");
  return ok ? EXIT_SUCCESS : EXIT_FAILURE;
}
