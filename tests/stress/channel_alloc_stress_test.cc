// tests/stress/channel_alloc_stress_test.cc — channels while operator new
// fails at random inside send, recv and Select (tests/support/failing_new.h).
// Round after round, fresh threads (a fresh thread has no parking context
// cached, so it must allocate one the first time it blocks) move parcels
// through a rendezvous, a bounded and an unbounded channel. An operation that
// throws std::bad_alloc must have done nothing: a receive took nothing, a
// send's message was destroyed without reaching anyone. So every parcel sent
// is received exactly once, every parcel whose send threw is destroyed
// exactly once, and nothing else happens to any of them (the _asan twin also
// checks that nothing leaks).
#include <cstddef>
#include <cstdint>
#include <new>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"
#include "tests/support/failing_new.h"

namespace ferrite::stress {
namespace {

using ::ferrite::testing::FailAllocations;
using ::ferrite::testing::failed_allocations;

constexpr int kProducers = 2;
constexpr int kConsumers = 2;
// Parcels per producer per round, at most: a producer also stops when the
// time is up, so that a round slowed down by a loaded machine ends in time.
constexpr std::uint64_t kPerProducer = 200;
constexpr unsigned kFailOneIn = 3;  // allocations failed inside an operation

struct Outcome {
  Fingerprint sent;   // send returned success
  Fingerprint threw;  // send threw std::bad_alloc
  Fingerprint received;
  std::uint64_t failed_operations = 0;  // operations that threw std::bad_alloc
  bool unexpected_error = false;        // an operation failed in a way it must not
};

using Senders = std::vector<channel::Sender<Parcel>>;
using Receivers = std::vector<channel::Receiver<Parcel>>;

// Sends one parcel on `tx`, by send() or through a Select, with
// allocations failing at random. The parcel is consumed either way.
void send_one(const channel::Sender<Parcel>& tx, Parcel parcel, Random& random, Outcome& out) {
  const std::uint64_t id = parcel.id();
  bool ok = false;
  try {
    if (random.one_in(2)) {
      const FailAllocations fail(kFailOneIn, random.next());
      ok = tx.send(std::move(parcel)).has_value();
    } else {
      std::optional<channel::SelectedOperation> op;
      {
        const FailAllocations fail(kFailOneIn, random.next());
        channel::Select sel;
        sel.send(tx);
        op.emplace(sel.select());
      }
      const FailAllocations fail(kFailOneIn, random.next());
      ok = op->send(tx, std::move(parcel)).has_value();
    }
  } catch (const std::bad_alloc&) {
    ++out.failed_operations;
    out.threw.add(id);
    return;
  }
  if (ok) {
    out.sent.add(id);
  } else {
    out.unexpected_error = true;  // the receivers outlive the producers
  }
}

// Receives one parcel from any channel, by recv() on one or a Select over
// all; false once every channel is disconnected and empty.
bool receive_one(const Receivers& receivers, std::vector<bool>& open, Random& random,
                 Outcome& out) {
  std::optional<Parcel> parcel;
  bool any_open = false;
  try {
    std::vector<std::size_t> channel_of_index;
    for (std::size_t i = 0; i < receivers.size(); ++i) {
      if (open.at(i)) channel_of_index.push_back(i);
    }
    if (channel_of_index.empty()) return false;
    any_open = true;
    if (random.one_in(2)) {
      const std::size_t i = channel_of_index.at(random.below(channel_of_index.size()));
      const FailAllocations fail(kFailOneIn, random.next());
      auto r = receivers.at(i).recv_timeout(std::chrono::milliseconds(1));
      if (r) {
        parcel.emplace(std::move(*r));
      } else if (r.error() == channel::RecvTimeoutError::Disconnected) {
        open.at(i) = false;
      }
    } else {
      std::optional<channel::SelectedOperation> op;
      {
        const FailAllocations fail(kFailOneIn, random.next());
        channel::Select sel;
        for (const std::size_t i : channel_of_index) sel.recv(receivers.at(i));
        op.emplace(sel.select());
      }
      const std::size_t i = channel_of_index.at(op->index());
      const FailAllocations fail(kFailOneIn, random.next());
      auto r = op->recv(receivers.at(i));
      if (r) {
        parcel.emplace(std::move(*r));
      } else {
        open.at(i) = false;
      }
    }
  } catch (const std::bad_alloc&) {
    ++out.failed_operations;
  }
  if (parcel) out.received.add(std::move(*parcel).take());
  return any_open;
}

TEST(ChannelAllocStress, FailedAllocationsLoseNothingAndDuplicateNothing) {
  SharedFingerprint dropped;
  Outcome total;
  std::uint64_t rounds = 0;
  const int failures_before = failed_allocations();
  const Clock clock;
  // At least until an operation has met a failed allocation (a round on a
  // loaded machine may be cut short before one does).
  while (clock.running() || (total.failed_operations == 0 && rounds < 1000)) {
    std::vector<Outcome> outcomes(kProducers + kConsumers);
    std::vector<std::thread> threads;
    {
      Senders senders;
      Receivers receivers;
      for (auto [tx, rx] : {channel::bounded<Parcel>(0), channel::bounded<Parcel>(2),
                            channel::unbounded<Parcel>()}) {
        senders.push_back(std::move(tx));
        receivers.push_back(std::move(rx));
      }
      for (int p = 0; p < kProducers; ++p) {
        threads.emplace_back([&, p, senders] {
          Random random(rounds * 16 + static_cast<std::uint64_t>(p));
          for (std::uint64_t seq = 0; seq < kPerProducer && (seq == 0 || clock.running()); ++seq) {
            const std::uint64_t id =
                message_id(static_cast<std::uint64_t>(p), rounds * kPerProducer + seq);
            send_one(senders.at(random.below(senders.size())), Parcel(id, dropped), random,
                     outcomes.at(static_cast<std::size_t>(p)));
          }
        });
      }
      for (int c = 0; c < kConsumers; ++c) {
        threads.emplace_back([&, c, receivers] {
          Random random(rounds * 16 + 8 + static_cast<std::uint64_t>(c));
          std::vector<bool> open(receivers.size(), true);
          while (receive_one(receivers, open, random,
                             outcomes.at(static_cast<std::size_t>(kProducers + c)))) {
          }
        });
      }
    }
    for (auto& thread : threads) thread.join();
    for (const Outcome& o : outcomes) {
      total.sent += o.sent;
      total.threw += o.threw;
      total.received += o.received;
      total.failed_operations += o.failed_operations;
      total.unexpected_error = total.unexpected_error || o.unexpected_error;
    }
    ++rounds;
  }
  report(
      "channel allocation failures",
      {{"messages", total.received.count},
       {"rounds", rounds},
       {"failed_allocations", static_cast<std::uint64_t>(failed_allocations() - failures_before)},
       {"failed_operations", total.failed_operations},
       {"sends_that_threw", total.threw.count}},
      clock);
  EXPECT_FALSE(total.unexpected_error);
  EXPECT_GT(total.failed_operations, 0u) << "no operation ever met a failed allocation";
  EXPECT_EQ(total.received, total.sent) << "a sent message was lost or duplicated";
  EXPECT_EQ(dropped.load(), total.threw)
      << "a message whose send threw was delivered, or one was destroyed twice or never";
}

}  // namespace
}  // namespace ferrite::stress
