// ferrite/thread.h — threads that return their panics: Rust's `std::thread`.
//
//   spawn(f, args...)   runs f(args...) on a new thread; returns JoinHandle<R>.
//   JoinHandle<R>       join() -> std::expected<R, PanicPayload>: a panic (any
//                       exception) that escapes the thread is *returned*, never
//                       std::terminate. Dropping an unjoined handle detaches.
//   scope(f)            runs f(Scope&); every thread spawned through the Scope
//                       is joined before scope() returns, so scoped threads
//                       may borrow what outlives the scope() call. Returns f's
//                       value; if a scoped thread panicked and nobody joined it,
//                       scope() panics after joining every thread (Rust).
//   panicking(), current_id(), sleep(d), yield_now(), available_parallelism().
//
// Send checks. spawn and Scope::spawn move the callable and each argument
// (decay-copied, as std::thread does) to the new thread and the result back,
// so each must be Send (ferrite/marker.h): `std::ref(x)` passes a reference,
// which is Send only when x's type is Sync, and a callable returning `T&`
// returns a reference likewise. The check is a constraint: a failing call is
// one error whose first line names the offending type, why and the way out
// ("not_Send<ferrite::Rc<int>, ...::Rc_reference_count_is_not_atomic,
// ...::use<ferrite::Arc<int>>>", ferrite/detail/boundary.h), and
// `requires { thread::spawn(f, rc); }` is false.
//
// What C++ cannot check (document, do not rely on):
//  - Lambdas are class types, Send unless they opt out: a lambda capturing an
//    Rc, a Cell& or a raw pointer is accepted. Pass such values as arguments,
//    where they are checked one by one.
//  - Lifetimes. Rust requires spawn's closure to be 'static; here a detached
//    thread must not use locals that may die first. Scoped threads may borrow
//    anything declared *outside* the scope() call — not the locals of f
//    itself, which die when f returns, before the scope joins. Scope::spawn
//    checks the arguments for that at run time and panics (see Scope); a
//    lambda's captures it cannot see.
//
// Result types: R is the callable's result; `void` gives
// std::expected<void, PanicPayload>, an lvalue reference `T&` gives
// std::expected<std::reference_wrapper<T>, PanicPayload>, an rvalue
// reference is returned by value.
//
// Send/Sync: JoinHandle<R> and ScopedJoinHandle<R> are move-only class types
// (Send and Sync by the default rule; R was checked at spawn). Scope is Sync:
// scoped threads may spawn further threads through the same `Scope&`.
//
// Example (also tests/thread_test.cc, ThreadTest.HeaderExample):
//
//   ferrite::Vec<int> v{1, 2, 3, 4};
//   int total = ferrite::thread::scope([&](ferrite::thread::Scope& s) {
//     auto [left, right] = *v.split_at_mut(2);
//     s.spawn([](ferrite::SliceMut<int> half) { for (int& x : half) x *= 10; },
//             std::move(left));
//     for (int& x : right) x *= 10;
//     return 4;
//   });                                   // v == {10, 20, 30, 40}, total == 4
//   auto h = ferrite::thread::spawn([](int x) -> int {
//     if (x > 0) ferrite::panic("no");
//     return x;
//   }, 1);
//   auto r = h.join();                    // !r, r.error().message() == "no"
#pragma once

#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

#include <cxxabi.h>

#include "ferrite/detail/boundary.h"
#include "ferrite/detail/lock_order.h"
#include "ferrite/detail/owned.h"
#include "ferrite/detail/referents.h"
#include "ferrite/marker.h"
#include "ferrite/panic.h"

namespace ferrite::thread {

using ::ferrite::PanicPayload;
/// Rust's ThreadId.
using ThreadId = std::thread::id;

/// True while an exception is unwinding through the calling thread.
bool panicking() noexcept;
/// The calling thread's id.
ThreadId current_id() noexcept;
/// Puts the calling thread to sleep for at least `duration` (a negative or
/// zero duration returns at once).
template <class Rep, class Period>
void sleep(std::chrono::duration<Rep, Period> duration) {
  std::this_thread::sleep_for(duration);
}
/// Gives the scheduler a chance to run another thread.
void yield_now() noexcept;
/// How many threads can run at once on this process's CPUs (its affinity
/// mask, else std::thread::hardware_concurrency()); always >= 1.
std::size_t available_parallelism() noexcept;

template <class R>
class JoinHandle;
template <class R>
class ScopedJoinHandle;
class Scope;

}  // namespace ferrite::thread

namespace ferrite::detail {

// What join() hands back for a thread whose callable returns R.
template <class R>
using JoinValue = std::conditional_t<
    std::is_lvalue_reference_v<R>, std::reference_wrapper<std::remove_reference_t<R>>,
    std::conditional_t<std::is_rvalue_reference_v<R>, std::remove_cvref_t<R>, R>>;
template <class R>
using JoinResult = std::expected<JoinValue<R>, PanicPayload>;

// The result of running a spawned callable: decayed copies, invoked as rvalues.
template <class F, class... Args>
using SpawnResult = std::invoke_result_t<std::decay_t<F>, std::decay_t<Args>...>;

template <class F, class... Args>
concept Spawnable = std::invocable<std::decay_t<F>, std::decay_t<Args>...> &&
                    std::constructible_from<std::decay_t<F>, F> &&
                    (std::constructible_from<std::decay_t<Args>, Args> && ...);

// The boundary rule: the callable, each argument and the result are Send.
// Written as a conjunction of Send<...> so that clang's notes name the type.
template <class F, class... Args>
concept SendSpawnable = Spawnable<F, Args...> && Send<std::decay_t<F>> &&
                        (Send<std::decay_t<Args>> && ...) && Send<SpawnResult<F, Args...>>;

// The result of any thread owns its data (a reference would point into the
// thread's own copy of its callable or arguments).
template <class F, class... Args>
concept OwnedResult = Owned<SpawnResult<F, Args...>>;

// Rust's 'static at an unscoped boundary (thread::spawn, ThreadPool): the
// callable, each argument and the result own their data (detail/owned.h).
template <class F, class... Args>
concept OwnedSpawnable = Owned<std::decay_t<F>> && (Owned<std::decay_t<Args>> && ...) &&
                         OwnedResult<F, Args...>;

// Where a thread leaves its result for join(). Written once by the thread,
// read once by the joiner after std::thread::join() (which synchronizes).
template <class R>
struct ResultSlot {
  std::optional<JoinResult<R>> result;
  // Set (seq_cst) after `result`; read by is_finished().
  std::atomic<bool> finished{false};
};

// Runs f(args...) and stores its value or its exception in `slot`.
template <class R, class F, class... Args>
void run_and_store(ResultSlot<R>& slot, F&& f, Args&&... args) {
  try {
    if constexpr (std::is_void_v<R>) {
      std::invoke(std::forward<F>(f), std::forward<Args>(args)...);
      slot.result.emplace();
    } else {
      // An lvalue result initializes the reference_wrapper of JoinValue<R>.
      slot.result.emplace(std::in_place,
                          std::invoke(std::forward<F>(f), std::forward<Args>(args)...));
    }
  } catch (abi::__forced_unwind&) {
    // Thread cancellation must finish unwinding; it is not a panic.
    throw;
  } catch (...) {
    slot.result.emplace(std::unexpect, std::current_exception());
  }
  slot.finished.store(true);
}

// One scoped thread as its Scope sees it (lib/thread.cc): the OS thread,
// joined exactly once by whoever gets there first (its handle or the scope),
// and whether it panicked without anyone joining it.
class ScopedThread {
 public:
  ScopedThread() = default;
  ScopedThread(const ScopedThread&) = delete;
  ScopedThread& operator=(const ScopedThread&) = delete;
  ~ScopedThread();

  void start(std::thread thread);
  // Joins the OS thread unless already joined; safe to call from any thread.
  void join() noexcept;
  // Called by the thread itself when its callable panicked.
  void set_panicked(PanicPayload payload) noexcept;
  // Called by ScopedJoinHandle::join(): the panic has been observed.
  void mark_observed() noexcept { panic_unobserved_.store(false); }
  bool panic_unobserved() const noexcept { return panic_unobserved_.load(); }
  // The payload passed to set_panicked; read only after join().
  const std::optional<PanicPayload>& payload() const noexcept { return payload_; }
  thread::ThreadId id() const noexcept { return id_; }

 private:
  std::mutex mutex_;
  std::thread thread_;
  thread::ThreadId id_;
  bool joined_ = false;
  std::atomic<bool> panic_unobserved_{false};
  std::optional<PanicPayload> payload_;
};

template <class R>
struct ScopedPacket : ScopedThread, ResultSlot<R> {};

// The stack memory of a thread calling Scope::spawn that dies before the
// scope joins its threads (lib/thread.cc): on the thread that entered the
// scope, the frames below thread::scope's own (the scope's closure and what
// it calls); on any other thread (a scoped thread spawning more), its whole
// stack, thread_local objects included. Scope::spawn panics when an
// argument borrows from it.
class SpawnFrame {
 public:
  // Panics if [address, address + bytes) lies in the dying memory;
  // `argument` names the argument of Scope::spawn (1 is the callable).
  void check(std::size_t argument, const volatile void* address, std::size_t bytes) const;

  // check() for what `value` borrows (detail/referents.h), as Scope::spawn's
  // argument number `argument`. An array decays to a pointer to all of it.
  template <class T>
  void check_argument(std::size_t argument, const T& value) const {
    if constexpr (std::is_array_v<T>) {
      check(argument, static_cast<const volatile void*>(std::addressof(value)), sizeof(T));
    } else if constexpr (!std::is_function_v<T>) {
      auto visit = [&](const volatile void* address, std::size_t bytes) {
        check(argument, address, bytes);
      };
      for_each_referent(value, visit);
    }
  }

 private:
  friend class ScopeData;

  // [low_, high_): the dying part of the calling thread's stack.
  std::uintptr_t low_ = 0;
  std::uintptr_t high_ = 0;
  // Under ASan's detect_stack_use_after_return, locals live in fake frames
  // on the heap: such a frame dies when the real frame it stands for lies
  // below this address (lib/thread.cc).
  std::uintptr_t fake_high_ = 0;
  bool on_scoped_thread_ = false;
};

// The scope's registry of threads (lib/thread.cc).
class ScopeData {
 public:
  ScopeData() = default;
  ScopeData(const ScopeData&) = delete;
  ScopeData& operator=(const ScopeData&) = delete;
  // Joins everything still running (a no-op after finish()).
  ~ScopeData() { join_all(); }

  // Runs body(context), the scope's closure, after recording where its
  // frames begin on this thread. Called once, before any thread starts.
  void run_body(void (*body)(void*), void* context);
  // What a spawn from the calling thread must not borrow.
  SpawnFrame spawn_frame() const noexcept;

  void add(std::shared_ptr<ScopedThread> thread);
  // Joins every thread, including those spawned meanwhile by scoped threads.
  void join_all() noexcept;
  // join_all(), then panics if a scoped thread panicked unobserved.
  void finish();

 private:
  std::mutex mutex_;
  std::vector<std::shared_ptr<ScopedThread>> threads_;
  // Written by run_body() before the first thread starts, then only read.
  thread::ThreadId entered_by_;
  std::uintptr_t body_frames_top_ = 0;
  std::uintptr_t body_fake_frames_top_ = 0;
};

template <class Body>
void call_scope_body(void* body) {
  // SAFETY(scope-body-call): `body` is the address of a live Body, passed by
  // thread::scope together with call_scope_body<Body>.
  (*static_cast<Body*>(body))();
}

[[noreturn, gnu::cold]] void join_twice(const char* handle);

// Moves a finished thread's (or job's) outcome out to its joiner. Moving a
// value runs user code, which may throw: then that exception is the join's
// panic, as if the thread had thrown it, rather than escaping join() or being
// lost.
template <class R>
JoinResult<R> take_outcome(JoinResult<R>& outcome) {
  try {
    return std::move(outcome);
  } catch (abi::__forced_unwind&) {
    throw;  // thread cancellation is not a panic
  } catch (...) {
    return JoinResult<R>(std::unexpect, std::current_exception());
  }
}

}  // namespace ferrite::detail

namespace ferrite::thread {

/// JoinHandle<R> — owns a running thread started by spawn().
///
/// Contract: join() waits for the thread and returns its value, or its panic
/// as a PanicPayload; it may be called once (again, or on a moved-from
/// handle, it panics). Destroying a handle that was not joined detaches the
/// thread, which keeps running and frees its own state (Rust's behaviour).
/// is_finished() polls without blocking. Move-only.
template <class R>
class JoinHandle {
 public:
  /// Takes over `other`'s thread; `other` is left empty (joining it panics).
  JoinHandle(JoinHandle&&) noexcept = default;
  /// Detaches the thread this handle owned, if any, then takes over `other`'s.
  JoinHandle& operator=(JoinHandle&& other) noexcept {
    if (this != &other) {
      if (thread_.joinable()) thread_.detach();
      thread_ = std::move(other.thread_);
      slot_ = std::move(other.slot_);
    }
    return *this;
  }
  JoinHandle(const JoinHandle&) = delete;
  JoinHandle& operator=(const JoinHandle&) = delete;
  ~JoinHandle() {
    if (thread_.joinable()) thread_.detach();
  }

  /// Waits for the thread; its value, or the panic that ended it.
  detail::JoinResult<R> join() {
    if (!thread_.joinable() || slot_ == nullptr) detail::join_twice("JoinHandle");
    detail::lock_order_before_blocking("ferrite::thread::JoinHandle::join");
    thread_.join();
    std::shared_ptr<detail::ResultSlot<R>> slot = std::move(slot_);
    return detail::take_outcome<R>(*slot->result);
  }
  /// True once the callable has returned or panicked (join() will not block
  /// for long). False after join().
  bool is_finished() const noexcept { return slot_ != nullptr && slot_->finished.load(); }
  /// The thread's id (a default id after join()).
  ThreadId id() const noexcept { return thread_.get_id(); }

 private:
  template <class F, class... Args>
    requires(detail::SendSpawnable<F, Args...> && detail::OwnedSpawnable<F, Args...>)
  friend JoinHandle<detail::SpawnResult<F, Args...>> spawn(F&& f, Args&&... args);

  JoinHandle(std::thread thread, std::shared_ptr<detail::ResultSlot<R>> slot) noexcept
      : thread_(std::move(thread)), slot_(std::move(slot)) {}

  std::thread thread_;
  std::shared_ptr<detail::ResultSlot<R>> slot_;
};

/// Runs `f(args...)` on a new thread. The callable and the arguments are
/// decay-copied here (use std::ref to pass a reference); the callable, every
/// argument and the result must be Send. A failure to create the thread
/// throws std::system_error (a panic) in the caller.
template <class F, class... Args>
  requires(detail::SendSpawnable<F, Args...> && detail::OwnedSpawnable<F, Args...>)
JoinHandle<detail::SpawnResult<F, Args...>> spawn(F&& f, Args&&... args) {
  using R = detail::SpawnResult<F, Args...>;
  auto slot = std::make_shared<detail::ResultSlot<R>>();
  std::thread thread(
      [slot](std::decay_t<F> fn, std::decay_t<Args>... moved_args) {
        detail::run_and_store<R>(*slot, std::move(fn), std::move(moved_args)...);
      },
      std::forward<F>(f), std::forward<Args>(args)...);
  return JoinHandle<R>(std::move(thread), std::move(slot));
}

/// A call that breaks the rules above gets this overload, declared and never
/// defined: its result type, declared and never defined too, is the one
/// error at the call, and names the type that is not Send or does not own its
/// data, why, and the way out (ferrite/detail/boundary.h).
template <class F, class... Args>
  requires(detail::Spawnable<F, Args...> &&
           !(detail::SendSpawnable<F, Args...> && detail::OwnedSpawnable<F, Args...>))
detail::UnscopedSpawnRejection<detail::SpawnResult<F, Args...>, std::decay_t<F>,
                               std::decay_t<Args>...>
spawn(F&& f, Args&&... args);

/// ScopedJoinHandle<R> — a thread spawned by Scope::spawn.
///
/// Contract: join() as JoinHandle's (once; a second call panics). Dropping the
/// handle does not detach: the scope joins the thread anyway, and a panic
/// nobody joined makes scope() panic. Move-only.
template <class R>
class ScopedJoinHandle {
 public:
  /// Takes over `other`'s thread; `other` is left empty (joining it panics).
  ScopedJoinHandle(ScopedJoinHandle&&) noexcept = default;
  /// Takes over `other`'s thread; the scope still joins the one this handle had.
  ScopedJoinHandle& operator=(ScopedJoinHandle&&) noexcept = default;
  ScopedJoinHandle(const ScopedJoinHandle&) = delete;
  ScopedJoinHandle& operator=(const ScopedJoinHandle&) = delete;
  ~ScopedJoinHandle() = default;

  /// Waits for the thread; its value, or the panic that ended it as a
  /// PanicPayload. A second call, or one on a moved-from handle, panics.
  detail::JoinResult<R> join() {
    if (packet_ == nullptr) detail::join_twice("ScopedJoinHandle");
    detail::lock_order_before_blocking("ferrite::thread::ScopedJoinHandle::join");
    std::shared_ptr<detail::ScopedPacket<R>> packet = std::move(packet_);
    packet->join();
    packet->mark_observed();
    return detail::take_outcome<R>(*packet->result);
  }
  /// True once the callable has returned or panicked. False after join().
  bool is_finished() const noexcept { return packet_ != nullptr && packet_->finished.load(); }
  /// The thread's id (a default id after join()).
  ThreadId id() const noexcept { return packet_ == nullptr ? ThreadId() : packet_->id(); }

 private:
  friend class Scope;
  explicit ScopedJoinHandle(std::shared_ptr<detail::ScopedPacket<R>> packet) noexcept
      : packet_(std::move(packet)) {}

  std::shared_ptr<detail::ScopedPacket<R>> packet_;
};

/// Scope — what scope(f) passes to f: spawns threads that are joined before
/// scope() returns.
///
/// Contract: spawn() as thread::spawn (same Send checks), returning a
/// ScopedJoinHandle. It is const and thread-safe: scoped threads may spawn
/// more threads through the same Scope. Not copyable or movable.
///
/// Borrows. Unlike thread::spawn, spawn() accepts arguments that borrow
/// (std::cref, std::span, std::string_view, Slice/SliceMut, iterators,
/// pointers, and tuples, pairs, optionals, arrays, containers or aggregates
/// holding them: the classification of detail/owned.h), because the scope
/// joins the thread before what it borrows goes away — provided that the
/// borrowed object outlives the scope. Locals declared before thread::scope
/// do; the closure's own locals do not (they die when f returns, before the
/// scope joins), nor do a scoped thread's locals (they die when it returns).
/// Rust rejects both at compile time through the 'scope lifetime; C++ cannot
/// name it, so spawn() checks the address of each borrowed object, in every
/// build, and panics before starting the thread:
///
/// ```cpp
///   thread::scope([&](thread::Scope& s) {
///     int local = 42;
///     s.spawn([](const int& x) { use(x); }, std::cref(local));
///     // panics: "Scope::spawn: argument 2 borrows a local of the scope's
///     // closure (it dies before the scope joins its threads); declare it
///     // before thread::scope, or move it into the thread"
///   });
/// ```
///
/// The check covers the stack of the calling thread: on the thread that
/// entered the scope, the closure's frames (and those of functions it
/// calls); on a scoped thread, its whole stack and its thread_locals. Heap
/// and static objects, and anything declared before thread::scope, pass.
/// What it cannot see: a borrow hidden in a lambda's captures (`[&local]`,
/// left to the compiler plugin), in a class with private members, or in a
/// Vec local of f that a Slice borrows (the Slice points to the heap; a
/// checked build aborts when that Vec is destroyed under it).
class Scope {
 public:
  Scope(const Scope&) = delete;
  Scope& operator=(const Scope&) = delete;

  /// Runs f(args...) on a scoped thread. Panics, before starting it, when an
  /// argument borrows a local that dies before the scope joins (Borrows).
  template <class F, class... Args>
    requires(detail::SendSpawnable<F, Args...> && detail::OwnedResult<F, Args...>)
  ScopedJoinHandle<detail::SpawnResult<F, Args...>> spawn(F&& f, Args&&... args) const {
    using R = detail::SpawnResult<F, Args...>;
    if constexpr (!detail::OwnedSpawnable<F, Args...>) {
      // Some argument borrows: it must not borrow what dies before the join.
      const detail::SpawnFrame frame = data_.spawn_frame();
      std::size_t argument = 0;
      frame.check_argument(++argument, f);
      (frame.check_argument(++argument, args), ...);
    }
    auto packet = std::make_shared<detail::ScopedPacket<R>>();
    packet->start(std::thread(
        [packet](std::decay_t<F> fn, std::decay_t<Args>... moved_args) {
          detail::ResultSlot<R>& slot = *packet;
          detail::run_and_store<R>(slot, std::move(fn), std::move(moved_args)...);
          if (!slot.result->has_value()) packet->set_panicked(slot.result->error());
        },
        std::forward<F>(f), std::forward<Args>(args)...));
    // Registered while the spawning thread still runs: the scope joins the
    // spawner first, so it sees this thread before it stops looking. (If
    // registering fails, add() joins the thread before rethrowing.)
    data_.add(packet);
    return ScopedJoinHandle<R>(std::move(packet));
  }

  /// A call that breaks the rules above: see thread::spawn's. Static, so
  /// that clang treats a call to it as a non-member call, which stops at the
  /// one error instead of handing `.join()` an incomplete result to report
  /// again.
  template <class F, class... Args>
    requires(detail::Spawnable<F, Args...> &&
             !(detail::SendSpawnable<F, Args...> && detail::OwnedResult<F, Args...>))
  static detail::ScopedSpawnRejection<detail::SpawnResult<F, Args...>, std::decay_t<F>,
                                      std::decay_t<Args>...>
  spawn(F&& f, Args&&... args);

 private:
  template <class F>
    requires std::invocable<F, Scope&>
  friend std::invoke_result_t<F, Scope&> scope(F&& f);

  Scope() = default;

  mutable detail::ScopeData data_;
};

/// Runs f(scope) and joins every thread spawned through `scope` before
/// returning f's value. If f throws, the threads are joined and f's exception
/// continues. Otherwise, if a scoped thread panicked and its handle was not
/// joined, scope() panics ("thread::scope: a scoped thread panicked: <msg>").
///
/// f runs inside a call of its own (ScopeData::run_body, out of line), which
/// records where f's frames begin: Scope::spawn rejects borrows of anything
/// below that point (see Scope).
template <class F>
  requires std::invocable<F, Scope&>
std::invoke_result_t<F, Scope&> scope(F&& f) {
  using R = std::invoke_result_t<F, Scope&>;
  Scope s;  // ~Scope joins everything if f throws
  if constexpr (std::is_void_v<R>) {
    auto body = [&] { std::invoke(std::forward<F>(f), s); };
    s.data_.run_body(&detail::call_scope_body<decltype(body)>, &body);
    s.data_.finish();
  } else if constexpr (std::is_reference_v<R>) {
    std::remove_reference_t<R>* result = nullptr;
    auto body = [&] {
      R value = std::invoke(std::forward<F>(f), s);
      result = std::addressof(value);
    };
    s.data_.run_body(&detail::call_scope_body<decltype(body)>, &body);
    s.data_.finish();
    return static_cast<R>(*result);
  } else {
    std::optional<R> result;
    auto body = [&] { result.emplace(std::invoke(std::forward<F>(f), s)); };
    s.data_.run_body(&detail::call_scope_body<decltype(body)>, &body);
    s.data_.finish();
    return std::move(*result);
  }
}

}  // namespace ferrite::thread
