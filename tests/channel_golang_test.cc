// tests/channel_golang_test.cc — Go's runtime/chan_test.go (as ported by
// crossbeam-channel's tests/golang.rs), in our own words, on ferrite::channel.
// Go's close(c) is "drop every sender"; Go's select is Select.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "ferrite/channel.h"
#include "ferrite/thread.h"
#include "tests/support/sanitizer_scale.h"

namespace {

using namespace std::chrono_literals;
using namespace ferrite::channel;
using namespace ferrite::testing;  // kScale divides the counts in the sanitizer builds

// TestChan: for each capacity, the basic contract.
TEST(GoChan, Chan) {
  for (std::size_t cap : {0u, 1u, 2u, 8u, 64u}) {
    {
      // A receive from an empty channel blocks until a send.
      auto [tx, rx] = bounded<int>(cap);
      std::atomic<bool> received{false};
      ferrite::thread::scope([&](ferrite::thread::Scope& s) {
        s.spawn([&] {
          EXPECT_EQ(*rx.recv(), 0);
          received = true;
        });
        EXPECT_FALSE(received.load());  // nothing was sent yet
        ASSERT_TRUE(tx.send(0));
      });
      EXPECT_TRUE(received.load());
    }
    {
      // A send to a full channel blocks until a receive.
      auto [tx, rx] = bounded<int>(cap);
      for (std::size_t i = 0; i < cap; ++i) ASSERT_TRUE(tx.send(static_cast<int>(i)));
      std::atomic<bool> sent{false};
      ferrite::thread::scope([&](ferrite::thread::Scope& s) {
        s.spawn([&] {
          ASSERT_TRUE(tx.send(0));
          sent = true;
        });
        EXPECT_FALSE(sent.load());  // full (or no receiver yet)
        EXPECT_TRUE(rx.recv());
      });
      EXPECT_TRUE(sent.load());
    }
    {
      // A closed channel delivers what it holds, then reports closure.
      auto [tx, rx] = bounded<int>(cap);
      for (std::size_t i = 0; i < cap; ++i) ASSERT_TRUE(tx.send(static_cast<int>(i)));
      { auto closed = std::move(tx); }
      for (std::size_t i = 0; i < cap; ++i) EXPECT_EQ(*rx.recv(), static_cast<int>(i));
      EXPECT_FALSE(rx.recv());
      EXPECT_FALSE(rx.recv());
    }
    {
      // Close unblocks a receive.
      auto [tx, rx] = bounded<int>(cap);
      ferrite::thread::scope([&, tx = std::move(tx)](ferrite::thread::Scope& s) mutable {
        s.spawn([&] { EXPECT_FALSE(rx.recv()); });
        auto closed = std::move(tx);
      });
    }
    {
      // FIFO order through one sender and one receiver.
      auto [tx, rx] = bounded<int>(cap);
      ferrite::thread::scope([&](ferrite::thread::Scope& s) {
        s.spawn([&] {
          for (int i = 0; i < 100; ++i) ASSERT_TRUE(tx.send(i));
        });
        for (int i = 0; i < 100; ++i) EXPECT_EQ(*rx.recv(), i);
      });
    }
    {
      // len and capacity.
      auto [tx, rx] = bounded<int>(cap);
      EXPECT_EQ(tx.capacity(), cap);
      for (std::size_t i = 0; i < cap; ++i) {
        EXPECT_EQ(tx.len(), i);
        ASSERT_TRUE(tx.send(static_cast<int>(i)));
      }
    }
  }
}

// TestNonblockRecvRace: a try_recv racing a close either gets the message
// or sees the channel non-empty; it never misses the buffered message.
TEST(GoChan, NonblockRecvRace) {
  const int n = 1000 / kScale;
  for (int i = 0; i < n; ++i) {
    auto [tx, rx] = bounded<int>(1);
    ASSERT_TRUE(tx.send(1));
    ferrite::thread::scope([&, tx = std::move(tx)](ferrite::thread::Scope& s) mutable {
      s.spawn([&] {
        auto r = rx.try_recv();
        EXPECT_TRUE(r.has_value()) << "try_recv missed the buffered message";
      });
      auto closed = std::move(tx);
    });
  }
}

// TestSelfSelect: a Select that both sends and receives on the same channel
// must not pair with itself; two threads do it and each pairs with the other.
TEST(GoChan, SelfSelect) {
  for (std::size_t cap : {0u, 10u}) {
    auto [tx, rx] = bounded<int>(cap);
    ferrite::thread::scope([&](ferrite::thread::Scope& s) {
      for (int p = 0; p < 2; ++p) {
        s.spawn([&, p] {
          for (int i = 0; i < 1000 / kScale; ++i) {
            Select sel;
            sel.send(tx);
            sel.recv(rx);
            auto op = sel.select();
            if (op.index() == 0) {
              ASSERT_TRUE(op.send(tx, p));
            } else {
              auto v = op.recv(rx);
              ASSERT_TRUE(v);
              if (cap == 0) {
                EXPECT_NE(*v, p) << "self-pairing on a rendezvous channel";
              }
            }
          }
        });
      }
    });
  }
}

// TestSelectStress: four channels, senders and receivers selecting over
// them while some arms are disabled (Go sets them to nil; we use never()).
TEST(GoChan, SelectStress) {
  const int n = 10'000 / kScale;
  std::vector<std::pair<Sender<int>, Receiver<int>>> chans;
  chans.push_back(bounded<int>(0));
  chans.push_back(bounded<int>(0));
  chans.push_back(bounded<int>(2));
  chans.push_back(bounded<int>(3));
  std::atomic<int> received{0};
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    // One plain sender and receiver per channel.
    for (auto& c : chans) {
      s.spawn([&] {
        for (int i = 0; i < n; ++i) ASSERT_TRUE(c.first.send(i));
      });
      s.spawn([&] {
        for (int i = 0; i < n; ++i) {
          ASSERT_TRUE(c.second.recv());
          ++received;
        }
      });
    }
    // A selecting sender: sends n on every channel, an arm retires when done.
    s.spawn([&] {
      std::vector<int> left(chans.size(), n);
      for (int total = 0; total < n * 4; ++total) {
        Select sel;
        std::vector<std::size_t> map;
        for (std::size_t k = 0; k < chans.size(); ++k) {
          if (left[k] > 0) {
            sel.send(chans[k].first);
            map.push_back(k);
          }
        }
        auto op = sel.select();
        const std::size_t k = map[op.index()];
        ASSERT_TRUE(op.send(chans[k].first, 0));
        --left[k];
      }
    });
    // A selecting receiver, likewise.
    s.spawn([&] {
      std::vector<int> left(chans.size(), n);
      auto never = ferrite::channel::never<int>();
      for (int total = 0; total < n * 4; ++total) {
        Select sel;
        std::vector<std::size_t> map;
        for (std::size_t k = 0; k < chans.size(); ++k) {
          if (left[k] > 0) {
            sel.recv(chans[k].second);
          } else {
            sel.recv(never);  // a disabled arm keeps the indices aligned
          }
          map.push_back(k);
        }
        auto op = sel.select();
        const std::size_t k = map[op.index()];
        ASSERT_TRUE(op.recv(chans[k].second));
        --left[k];
        ++received;
      }
    });
  });
  EXPECT_EQ(received.load(), 8 * n);
}

// TestChanSendSelectBarrier-like: a select blocked on a send wakes on receive.
TEST(GoChan, SelectSendBlocksUntilReceive) {
  auto [tx, rx] = bounded<int>(0);
  ferrite::thread::scope([&](ferrite::thread::Scope& s) {
    s.spawn([&] {
      Select sel;
      sel.send(tx);
      auto op = sel.select();
      ASSERT_TRUE(op.send(tx, 42));
    });
    EXPECT_EQ(*rx.recv(), 42);
  });
  EXPECT_EQ(rx.try_recv().error(), TryRecvError::Empty);
}

// TestMultiConsumer: many consumers, every message consumed once, sum right.
TEST(GoChan, MultiConsumer) {
  constexpr int kWorkers = 4;
  const int n = 10'000 / kScale;
  auto [qtx, qrx] = bounded<int>(1);
  std::atomic<std::int64_t> sum{0};
  std::atomic<int> count{0};
  ferrite::thread::scope([&, qtx = std::move(qtx)](ferrite::thread::Scope& s) mutable {
    for (int w = 0; w < kWorkers; ++w) {
      s.spawn([&, rx = qrx] {
        for (int& v : rx) {
          sum += v;
          ++count;
        }
      });
    }
    for (int i = 0; i < n; ++i) ASSERT_TRUE(qtx.send(i));
    auto closed = std::move(qtx);
  });
  EXPECT_EQ(count.load(), n);
  EXPECT_EQ(sum.load(), std::int64_t{n} * (n - 1) / 2);
}

}  // namespace
