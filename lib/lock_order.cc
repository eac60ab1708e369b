// lib/lock_order.cc — the deadlock detector of checked builds
// (ferrite/deadlock_detection.h; hooks in detail/lock_order.h).
//
// Each thread keeps the locks it holds on a small stack, and a direct-mapped
// cache of the "held -> acquired" edges it has already put in the graph, so
// that an acquisition it has made before in the same order takes no shared
// lock. A new edge goes into the process-wide graph under the graph's mutex,
// after a depth-first search for a path back: if the acquired lock already
// reaches the held one, the edge would close a cycle, which is reported
// instead of recorded (absl::Mutex's debug mode does the same). Nodes are
// numbered, never by address, and a lock's node leaves the graph with the
// lock, so a new lock at a reused address starts with no edges.
#include "ferrite/detail/lock_order.h"

#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <optional>
#include <set>
#include <source_location>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "ferrite/deadlock_detection.h"
#include "ferrite/panic.h"

namespace ferrite {
namespace detail {

std::atomic<DeadlockDetection> deadlock_detection_setting{DeadlockDetection::kPanic};

// The detector's view of a lock's node.
struct LockOrderAccess {
  static std::atomic<std::uint64_t>& id(LockOrderNode& node) noexcept { return node.id_; }
  static std::atomic<bool>& in_graph(LockOrderNode& node) noexcept { return node.in_graph_; }
};

namespace {

// Bumped when detection is turned on from kIgnore: a thread's stack of held
// locks from before then missed the releases made meanwhile, so it restarts.
std::atomic<std::uint64_t> setting_epoch{0};
std::atomic<std::uint64_t> last_lock_id{0};

struct HeldLock {
  LockOrderNode* node = nullptr;
  const void* lock = nullptr;
  const char* type = nullptr;
  std::source_location site;
};

struct KnownEdge {
  std::uint64_t from = 0;
  std::uint64_t to = 0;
};

// Locks held beyond kMaxHeld at once are counted but not tracked (no edges).
constexpr std::size_t kMaxHeld = 32;
constexpr std::size_t kKnownEdges = 256;  // a power of two

struct ThreadLocks {
  std::uint64_t epoch = 0;
  std::size_t depth = 0;      // entries in held[], at most kMaxHeld
  std::size_t untracked = 0;  // locks held beyond them
  unsigned blocking_allowed = 0;
  std::array<HeldLock, kMaxHeld> held{};
  std::array<KnownEdge, kKnownEdges> known{};
};

// Constant-initialized and trivially destructible: no guard on access.
constinit thread_local ThreadLocks this_thread_locks;

ThreadLocks& thread_locks() noexcept {
  ThreadLocks& locks = this_thread_locks;
  // ORDERING(lock-order-epoch): the acquire load of the setting pairs with
  // the release store in set_deadlock_detection(), which follows its epoch
  // bump: a thread that sees detection on again sees the new epoch.
  static_cast<void>(deadlock_detection_setting.load(std::memory_order_acquire));
  // ORDERING(lock-order-epoch-read): relaxed; ordered by the acquire above.
  const std::uint64_t epoch = setting_epoch.load(std::memory_order_relaxed);
  if (locks.epoch != epoch) {
    locks.epoch = epoch;
    locks.depth = 0;
    locks.untracked = 0;
  }
  return locks;
}

std::uint64_t id_of(LockOrderNode& node) noexcept {
  std::atomic<std::uint64_t>& id = LockOrderAccess::id(node);
  // ORDERING(lock-order-id): relaxed; the number is all there is to see, and
  // the compare-exchange makes every thread use the same one.
  std::uint64_t current = id.load(std::memory_order_relaxed);
  if (current != 0) return current;
  // ORDERING(lock-order-next-id): relaxed; only uniqueness matters.
  const std::uint64_t fresh = last_lock_id.fetch_add(1, std::memory_order_relaxed) + 1;
  // ORDERING(lock-order-id-claim): relaxed; see lock-order-id.
  if (id.compare_exchange_strong(current, fresh, std::memory_order_relaxed)) return fresh;
  return current;
}

std::size_t known_slot(std::uint64_t from, std::uint64_t to) noexcept {
  const std::uint64_t mixed = (from * 0x9E3779B97F4A7C15u) ^ (to * 0xC2B2AE3D27D4EB4Fu);
  return static_cast<std::size_t>(mixed >> 56) & (kKnownEdges - 1);
}

std::span<HeldLock> tracked(ThreadLocks& locks) noexcept {
  return std::span<HeldLock>(locks.held).first(locks.depth);
}

// "tid 1234 \"worker\"": the calling thread, as a debugger names it.
std::string this_thread_text() {
  std::array<char, 16> name{};
  if (pthread_getname_np(pthread_self(), name.data(), name.size()) != 0) name.fill('\0');
  std::string text = "thread " + std::to_string(::gettid());
  if (name.front() != '\0') text += " \"" + std::string(name.data()) + "\"";
  return text;
}

std::string lock_text(const char* type, const void* lock) {
  std::array<char, 2 * sizeof(void*) + 3> address{};
  std::snprintf(address.data(), address.size(), "%p", lock);
  return std::string(type) + " " + address.data();
}

std::string site_text(const std::source_location& site) {
  return std::string(site.file_name()) + ":" + std::to_string(site.line()) + " in " +
         site.function_name();
}

struct Edge {
  std::uint64_t to;
  std::source_location held_site;      // where the thread took the edge's `from`
  std::source_location acquired_site;  // where it then took `to`
  std::string thread;
};

struct Node {
  const void* lock;
  const char* type;
  std::vector<Edge> out;
  std::vector<std::uint64_t> in;  // the nodes with an edge to this one
};

struct Graph {
  std::mutex mutex;
  std::unordered_map<std::uint64_t, Node> nodes;
  // Closing edges already printed (kReport prints each cycle once).
  std::set<std::pair<std::uint64_t, std::uint64_t>> reported;
};

// Never destroyed: locks with static storage may outlive any static Graph.
Graph& graph() {
  static Graph& the_graph = *new Graph;
  return the_graph;
}

Node& node_in(Graph& g, LockOrderNode& node, std::uint64_t id, const void* lock, const char* type) {
  auto [it, added] = g.nodes.try_emplace(id, Node{lock, type, {}, {}});
  // ORDERING(lock-order-in-graph): release pairs with the acquire load in
  // ~LockOrderNode (lock-order-forget), which then takes the graph's mutex.
  if (added) LockOrderAccess::in_graph(node).store(true, std::memory_order_release);
  return it->second;
}

// The edges of a path from `from` to `to`, in order; empty when there is none.
std::vector<std::pair<std::uint64_t, const Edge*>> find_path(const Graph& g, std::uint64_t from,
                                                             std::uint64_t to) {
  std::unordered_map<std::uint64_t, std::pair<std::uint64_t, const Edge*>> reached_by;
  reached_by.emplace(from, std::pair<std::uint64_t, const Edge*>(0, nullptr));
  std::vector<std::uint64_t> pending{from};
  while (!pending.empty()) {
    const std::uint64_t id = pending.back();
    pending.pop_back();
    if (id == to) {
      std::vector<std::pair<std::uint64_t, const Edge*>> path;
      for (std::uint64_t at = to; at != from;) {
        const auto [previous, edge] = reached_by.at(at);
        path.emplace_back(previous, edge);
        at = previous;
      }
      std::reverse(path.begin(), path.end());
      return path;
    }
    const auto node = g.nodes.find(id);
    if (node == g.nodes.end()) continue;
    for (const Edge& edge : node->second.out) {
      if (reached_by.emplace(edge.to, std::pair(id, &edge)).second) pending.push_back(edge.to);
    }
  }
  return {};
}

std::string cycle_report(const Graph& g, const HeldLock& held, const void* lock, const char* type,
                         const std::source_location& site,
                         const std::vector<std::pair<std::uint64_t, const Edge*>>& path) {
  std::string report = "ferrite: potential deadlock: acquiring " + lock_text(type, lock) +
                       " while holding " + lock_text(held.type, held.lock) +
                       " closes a cycle in the lock order, though no thread is stuck yet:\n";
  report += "  " + lock_text(held.type, held.lock) + ", taken at " + site_text(held.site) +
            ",\n    then " + lock_text(type, lock) + " at " + site_text(site) + ", by " +
            this_thread_text() + " (now)\n";
  for (const auto& [from, edge] : path) {
    const Node& from_node = g.nodes.at(from);
    const Node& to_node = g.nodes.at(edge->to);
    report += "  " + lock_text(from_node.type, from_node.lock) + ", taken at " +
              site_text(edge->held_site) + ",\n    then " + lock_text(to_node.type, to_node.lock) +
              " at " + site_text(edge->acquired_site) + ", by " + edge->thread + "\n";
  }
  report +=
      "Threads taking these locks in these orders at the same time wait for each other "
      "forever; take them in one order everywhere.";
  return report;
}

void deliver(const std::string& report, const std::source_location& site) {
  // ORDERING(lock-order-deliver): relaxed; the setting orders no data.
  switch (deadlock_detection_setting.load(std::memory_order_relaxed)) {
    case DeadlockDetection::kPanic:
      panic(report, site);
    case DeadlockDetection::kReport:
      std::fprintf(stderr, "%s\n", report.c_str());
      return;
    case DeadlockDetection::kIgnore:
      return;
  }
}

// Records held -> acquired. True when the edge is in the graph or needs no
// more attention from this thread (a cycle already reported to stderr).
bool add_edge(const HeldLock& held, std::uint64_t from, LockOrderNode& node, std::uint64_t to,
              const void* lock, const char* type, const std::source_location& site) {
  Graph& g = graph();
  std::string report;
  {
    std::lock_guard<std::mutex> guard(g.mutex);
    const auto existing = g.nodes.find(from);
    if (existing != g.nodes.end()) {
      for (const Edge& edge : existing->second.out) {
        if (edge.to == to) return true;
      }
    }
    const std::vector<std::pair<std::uint64_t, const Edge*>> path = find_path(g, to, from);
    if (path.empty()) {
      Node& from_node = node_in(g, *held.node, from, held.lock, held.type);
      Node& to_node = node_in(g, node, to, lock, type);
      from_node.out.push_back(Edge{to, held.site, site, this_thread_text()});
      to_node.in.push_back(from);
      return true;
    }
    const bool first_report = g.reported.emplace(from, to).second;
    // ORDERING(lock-order-report-once): relaxed; the setting orders no data.
    const DeadlockDetection mode = deadlock_detection_setting.load(std::memory_order_relaxed);
    // kPanic refuses every attempt; kReport prints each cycle once.
    if (!first_report && mode != DeadlockDetection::kPanic) return true;
    report = cycle_report(g, held, lock, type, site, path);
  }
  deliver(report, site);
  return true;
}

}  // namespace

void LockOrderNode::forget() noexcept {
  // ORDERING(lock-order-forget-id): relaxed; set before in_graph_ (release),
  // which the destructor read with acquire.
  const std::uint64_t id = id_.load(std::memory_order_relaxed);
  Graph& g = graph();
  std::lock_guard<std::mutex> guard(g.mutex);
  const auto node = g.nodes.find(id);
  if (node == g.nodes.end()) return;
  for (const std::uint64_t from : node->second.in) {
    const auto predecessor = g.nodes.find(from);
    if (predecessor == g.nodes.end()) continue;
    std::erase_if(predecessor->second.out, [id](const Edge& edge) { return edge.to == id; });
  }
  for (const Edge& edge : node->second.out) {
    const auto successor = g.nodes.find(edge.to);
    if (successor == g.nodes.end()) continue;
    std::erase(successor->second.in, id);
  }
  g.nodes.erase(node);
}

void lock_order_check_acquire(LockOrderNode& node, const void* lock, const char* type,
                              const std::source_location& site, bool reacquire) {
  ThreadLocks& locks = thread_locks();
  const std::span<HeldLock> held = tracked(locks);
  if (held.empty()) return;
  // A lock this thread holds: the relock check decides (or a reader reads
  // again); only the Condvar re-acquires the lock its guard keeps.
  if (!reacquire) {
    for (const HeldLock& h : held) {
      if (h.lock == lock) return;
    }
  }
  const std::uint64_t to = id_of(node);
  for (const HeldLock& h : held) {
    if (h.lock == lock) continue;
    const std::uint64_t from = id_of(*h.node);
    KnownEdge& known = locks.known.at(known_slot(from, to));
    if (known.from == from && known.to == to) continue;
    if (add_edge(h, from, node, to, lock, type, site)) known = KnownEdge{from, to};
  }
}

void lock_order_push(LockOrderNode& node, const void* lock, const char* type,
                     const std::source_location& site) noexcept {
  ThreadLocks& locks = thread_locks();
  if (locks.depth < kMaxHeld) {
    locks.held.at(locks.depth) = HeldLock{&node, lock, type, site};
    ++locks.depth;
  } else {
    ++locks.untracked;
  }
}

std::optional<std::source_location> lock_order_held_site(const void* lock) noexcept {
  if (!lock_order_checks_on()) return std::nullopt;
  for (const HeldLock& h : tracked(thread_locks())) {
    if (h.lock == lock) return h.site;
  }
  return std::nullopt;
}

void lock_order_pop(const void* lock) noexcept {
  ThreadLocks& locks = thread_locks();
  const std::span<HeldLock> held = tracked(locks);
  for (std::size_t i = held.size(); i-- > 0;) {
    if (held[i].lock != lock) continue;
    std::move(held.begin() + static_cast<std::ptrdiff_t>(i) + 1, held.end(),
              held.begin() + static_cast<std::ptrdiff_t>(i));
    --locks.depth;
    return;
  }
  // Not tracked: taken beyond what the stack keeps, or while detection was off.
  if (locks.untracked != 0) --locks.untracked;
}

void lock_order_check_blocking(const char* operation, const void* waited_lock) {
  ThreadLocks& locks = thread_locks();
  if (locks.blocking_allowed != 0) return;
  std::string held_text;
  std::source_location first_site;
  for (const HeldLock& h : tracked(locks)) {
    if (h.lock == waited_lock) continue;
    if (held_text.empty()) first_site = h.site;
    held_text += "  " + lock_text(h.type, h.lock) + ", taken at " + site_text(h.site) + "\n";
  }
  if (held_text.empty()) return;
  std::string report = "ferrite: potential deadlock: " + std::string(operation) +
                       " may wait without end while " + this_thread_text() + " holds:\n" +
                       held_text +
                       "A thread that needs one of these locks to end the wait never gets it; "
                       "release them before waiting (or, where the lock exists to serialize "
                       "this wait, say so with ferrite::BlockingUnderLockAllowed).";
  deliver(report, first_site);
}

}  // namespace detail

void set_deadlock_detection(DeadlockDetection mode) noexcept {
  // ORDERING(lock-order-set-read): relaxed; whether detection was off.
  const DeadlockDetection before =
      detail::deadlock_detection_setting.load(std::memory_order_relaxed);
  if (mode != DeadlockDetection::kIgnore && before == DeadlockDetection::kIgnore) {
    // ORDERING(lock-order-epoch-bump): relaxed; published by the release
    // store below (lock-order-epoch).
    detail::setting_epoch.fetch_add(1, std::memory_order_relaxed);
  }
  // ORDERING(lock-order-set): release pairs with the acquire load in
  // thread_locks() (lock-order-epoch): the epoch bump above is seen with it.
  detail::deadlock_detection_setting.store(mode, std::memory_order_release);
}

DeadlockDetection deadlock_detection() noexcept {
  // ORDERING(lock-order-get): relaxed; a snapshot that orders nothing.
  return detail::deadlock_detection_setting.load(std::memory_order_relaxed);
}

BlockingUnderLockAllowed::BlockingUnderLockAllowed() noexcept {
  ++detail::this_thread_locks.blocking_allowed;
}

BlockingUnderLockAllowed::~BlockingUnderLockAllowed() noexcept {
  --detail::this_thread_locks.blocking_allowed;
}

}  // namespace ferrite
