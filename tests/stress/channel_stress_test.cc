// tests/stress/channel_stress_test.cc — every channel flavor, many producers
// and consumers, for as long as the scenario time allows: every message is
// delivered exactly once, and each consumer sees each producer's messages in
// the order they were sent. Then the same under random Selects with timeouts,
// timers, and disconnects from both sides (a receiver that quits halfway:
// what its channel buffered is destroyed, and sends to it hand the message
// back).
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "ferrite/channel.h"
#include "gtest/gtest.h"
#include "tests/stress/stress.h"

namespace ferrite::stress {
namespace {

using namespace std::chrono_literals;

constexpr int kProducers = 3;
constexpr int kConsumers = 3;

// One consumer's view: what it received, and whether each producer's
// messages came in the order sent (one channel is FIFO per producer).
struct Received {
  Fingerprint ids;
  bool in_order = true;
  std::vector<std::uint64_t> next_seq = std::vector<std::uint64_t>(kProducers, 0);

  void add(std::uint64_t id) {
    ids.add(id);
    std::uint64_t& next = next_seq.at(producer_of(id));
    if (seq_of(id) < next) in_order = false;
    next = seq_of(id) + 1;
  }
};

// Producers send with send / try_send / send_timeout at random until the
// clock runs out; consumers receive with recv / try_recv / recv_timeout until
// every producer is gone.
void run_flavor(const std::string& name,
                std::pair<channel::Sender<Parcel>, channel::Receiver<Parcel>> ends, double share) {
  SharedFingerprint dropped;
  std::vector<Fingerprint> sent(kProducers);
  std::vector<Received> received(kConsumers);
  const Clock clock(share);
  std::vector<std::thread> threads;
  {
    auto [tx, rx] = std::move(ends);  // gone at the end of this block
    for (int p = 0; p < kProducers; ++p) {
      threads.emplace_back([&, p, tx] {
        Random random(static_cast<std::uint64_t>(p) + 1);
        std::uint64_t seq = 0;
        while (clock.running() || seq == 0) {  // at least one message each
          Parcel parcel(message_id(static_cast<std::uint64_t>(p), seq), dropped);
          for (;;) {  // until it is sent: a refused parcel comes back
            const std::uint64_t how = random.below(4);
            if (how == 0) {
              auto r = tx.try_send(std::move(parcel));
              if (r) break;
              ASSERT_TRUE(r.error().is_full());
              parcel = std::move(r.error()).into_inner();
            } else if (how == 1) {
              auto r =
                  tx.send_timeout(std::move(parcel), std::chrono::microseconds(random.below(200)));
              if (r) break;
              ASSERT_TRUE(r.error().is_timeout());
              parcel = std::move(r.error()).into_inner();
            } else {
              ASSERT_TRUE(tx.send(std::move(parcel)).has_value());
              break;
            }
          }
          sent.at(static_cast<std::size_t>(p)).add(message_id(static_cast<std::uint64_t>(p), seq));
          ++seq;
        }
      });
    }
    for (int c = 0; c < kConsumers; ++c) {
      threads.emplace_back([&, c, rx] {
        Random random(static_cast<std::uint64_t>(c) + 100);
        Received& mine = received.at(static_cast<std::size_t>(c));
        for (;;) {
          const std::uint64_t how = random.below(4);
          if (how == 0) {
            auto r = rx.try_recv();
            if (r) {
              mine.add(std::move(*r).take());
            } else if (r.error() == channel::TryRecvError::Disconnected) {
              return;
            }
          } else if (how == 1) {
            auto r = rx.recv_timeout(std::chrono::microseconds(random.below(200)));
            if (r) {
              mine.add(std::move(*r).take());
            } else if (r.error() == channel::RecvTimeoutError::Disconnected) {
              return;
            }
          } else {
            auto r = rx.recv();
            if (!r) return;
            mine.add(std::move(*r).take());
          }
        }
      });
    }
  }
  for (auto& thread : threads) thread.join();
  Fingerprint all_sent;
  for (const Fingerprint& f : sent) all_sent += f;
  Fingerprint all_received;
  for (const Received& r : received) {
    all_received += r.ids;
    EXPECT_TRUE(r.in_order) << name << ": a consumer saw a producer's messages out of order";
  }
  report("channel " + name,
         {{"messages", all_received.count}, {"producers", kProducers}, {"consumers", kConsumers}},
         clock);
  EXPECT_GT(all_sent.count, 0u);
  EXPECT_EQ(all_received, all_sent) << name << ": a message was lost or duplicated";
  EXPECT_EQ(dropped.load().count, 0u) << name << ": a message was destroyed undelivered";
}

TEST(ChannelStress, EveryFlavorDeliversEachMessageExactlyOnce) {
  run_flavor("bounded(0)", channel::bounded<Parcel>(0), 0.25);
  run_flavor("bounded(1)", channel::bounded<Parcel>(1), 0.25);
  run_flavor("bounded(64)", channel::bounded<Parcel>(64), 0.25);
  run_flavor("unbounded", channel::unbounded<Parcel>(), 0.25);
}

// Channels 0-2 (rendezvous, bounded, unbounded) live until the producers
// stop; channel 3's only receiver quits halfway, so sends to it fail from
// then on (the parcel comes back, and goes to another channel) and what it
// buffered is destroyed. Producers select among the sends and a timer,
// consumers among the receives, all with random timeouts.
TEST(ChannelStress, SelectWithTimeoutsAndDisconnectsLosesNothing) {
  constexpr std::size_t kChannels = 4;
  constexpr std::size_t kQuitter = 3;
  SharedFingerprint dropped;
  std::vector<Fingerprint> sent(kProducers);
  std::vector<Fingerprint> received(kConsumers + 1);  // the last: the quitter's
  std::vector<std::uint64_t> timeouts(kProducers + kConsumers, 0);
  std::vector<std::uint64_t> handed_back(kProducers, 0);
  const Clock clock;
  const auto halfway =
      std::chrono::steady_clock::now() + (clock.end() - std::chrono::steady_clock::now()) / 2;
  std::vector<std::thread> threads;
  {
    std::vector<channel::Sender<Parcel>> senders;
    std::vector<channel::Receiver<Parcel>> receivers;  // of the channels but the quitter's
    for (auto [tx, rx] :
         {channel::bounded<Parcel>(0), channel::bounded<Parcel>(4), channel::unbounded<Parcel>()}) {
      senders.push_back(std::move(tx));
      receivers.push_back(std::move(rx));
    }
    auto [quitter_tx, quitter_rx] = channel::bounded<Parcel>(8);
    senders.push_back(std::move(quitter_tx));
    for (int p = 0; p < kProducers; ++p) {
      threads.emplace_back([&, p, senders] {
        Random random(static_cast<std::uint64_t>(p) + 7);
        std::vector<bool> open(kChannels, true);
        std::uint64_t seq = 0;
        std::optional<Parcel> parcel;
        // At least until one message has gone (a loaded machine may start
        // this thread late).
        while (clock.running() || sent.at(static_cast<std::size_t>(p)).count == 0) {
          if (!parcel) parcel.emplace(message_id(static_cast<std::uint64_t>(p), seq++), dropped);
          channel::Select sel;
          std::vector<std::size_t> channel_of_index;
          for (std::size_t i = 0; i < kChannels; ++i) {
            if (!open.at(i)) continue;
            sel.send(senders.at(i));
            channel_of_index.push_back(i);
          }
          const auto timer = channel::after(std::chrono::microseconds(random.below(500)));
          const std::size_t timer_index = random.one_in(4) ? sel.recv(timer) : kChannels + 1;
          auto op = sel.select_timeout(std::chrono::microseconds(random.below(300)));
          if (!op) {
            ++timeouts.at(static_cast<std::size_t>(p));
            continue;
          }
          if (op->index() == timer_index) {
            ASSERT_TRUE(op->recv(timer).has_value());
            continue;
          }
          const std::size_t i = channel_of_index.at(op->index());
          const std::uint64_t id = parcel->id();
          auto r = op->send(senders.at(i), std::move(*parcel));
          parcel.reset();
          if (r) {
            sent.at(static_cast<std::size_t>(p)).add(id);
          } else {  // only the quitter's channel disconnects while producers run
            ASSERT_EQ(i, kQuitter);
            open.at(i) = false;
            parcel.emplace(std::move(r.error()).into_inner());
            ++handed_back.at(static_cast<std::size_t>(p));
          }
        }
        if (parcel) (void)std::move(*parcel).take();  // made, never sent: not counted
      });
    }
    for (int c = 0; c < kConsumers; ++c) {
      threads.emplace_back([&, c, receivers] {
        Random random(static_cast<std::uint64_t>(c) + 70);
        std::vector<bool> open(receivers.size(), true);
        std::size_t open_count = receivers.size();
        while (open_count > 0) {
          channel::Select sel;
          std::vector<std::size_t> channel_of_index;
          for (std::size_t i = 0; i < receivers.size(); ++i) {
            if (!open.at(i)) continue;
            sel.recv(receivers.at(i));
            channel_of_index.push_back(i);
          }
          auto op = sel.select_timeout(std::chrono::microseconds(random.below(300)));
          if (!op) {
            ++timeouts.at(static_cast<std::size_t>(kProducers + c));
            continue;
          }
          const std::size_t i = channel_of_index.at(op->index());
          auto r = op->recv(receivers.at(i));
          if (r) {
            received.at(static_cast<std::size_t>(c)).add(std::move(*r).take());
          } else {
            open.at(i) = false;
            --open_count;
          }
        }
      });
    }
    threads.emplace_back([&, quitting = std::move(quitter_rx)]() mutable {
      while (std::chrono::steady_clock::now() < halfway) {
        auto r = quitting.recv_timeout(std::chrono::microseconds(200));
        if (r) received.at(kConsumers).add(std::move(*r).take());
      }
      auto gone = std::move(quitting);  // disconnects channel 3; its buffer is destroyed
    });
  }
  for (auto& thread : threads) thread.join();
  Fingerprint all_sent;
  for (const Fingerprint& f : sent) all_sent += f;
  Fingerprint all_received;
  for (const Fingerprint& f : received) all_received += f;
  std::uint64_t all_timeouts = 0;
  for (const std::uint64_t t : timeouts) all_timeouts += t;
  std::uint64_t all_handed_back = 0;
  for (const std::uint64_t h : handed_back) all_handed_back += h;
  report("channel select",
         {{"messages", all_received.count},
          {"destroyed_with_the_quitters_channel", dropped.load().count},
          {"handed_back", all_handed_back},
          {"timeouts", all_timeouts}},
         clock);
  EXPECT_GT(all_sent.count, 0u);
  EXPECT_EQ(all_received + dropped.load(), all_sent) << "a message was lost or duplicated";
}

}  // namespace
}  // namespace ferrite::stress
