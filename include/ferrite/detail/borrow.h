// ferrite/detail/borrow.h — the checked-borrow trackers behind Vec, Slice,
// SliceMut and their iterators (ferrite/vec.h, ferrite/slice.h), and behind
// the mutable access that Arc and Rc hand out (ferrite/arc.h, ferrite/rc.h).
// Not part of the public API.
//
// C++ cannot reject a slice that outlives its Vec at compile time as Rust
// does, so in checked builds (FERRITE_CHECKED_BORROWS, from ferrite/panic.h)
// each Vec owns a BorrowState: an atomic word counting the views borrowed
// from it, shared ones (Slice, const iterators) apart from exclusive ones
// (SliceMut, chunks_mut ranges, mutable iterators), plus a `busy` bit that
// the Vec sets while one of its own operations runs element code (a
// constructor, a copy, a move, a destructor). Every live view or iterator
// holds one BorrowToken; the Vec refuses to change while the word is
// non-zero. A BorrowSource names a state and a kind without counting.
//
// A SliceMut (Rust's `&mut [T]`) is exclusive: the views and iterators taken
// from it borrow it in turn, and it refuses access while they live. Its
// counts cannot live inside the SliceMut object, since a SliceMut may die
// before its children (`auto [a, b] = *v.as_mut_slice().split_at_mut(2);`)
// or move away from them; so each one holds a Lender, a handle on a
// LenderState allocated on the heap and shared with the children's tokens:
// the counts of what it lent, reference-counted, plus the SliceMut's own
// borrow of its source (the Vec, or the SliceMut it was taken from), which
// therefore lasts until the SliceMut and all of its children are gone. In
// release builds all of these are empty and cost nothing.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "ferrite/panic.h"

namespace ferrite::detail {

// kExclusiveIterator: a mutable iterator of a SliceMut, which is exclusive
// like a mutable view but may be taken beside other mutable iterators (so
// that begin() and end() pair up). A Vec counts it as kExclusive.
enum class BorrowKind : std::uint8_t { kShared, kExclusive, kExclusiveIterator };

// "<op> while <n> slice(s) or iterator(s) borrow it: a SliceMut is
// exclusive ..." (lib/vec.cc): an access through a SliceMut that has lent.
[[noreturn, gnu::cold]] void slice_mut_borrowed(const char* op, std::size_t shared,
                                                std::size_t exclusive);
// "<op> while <n> mutable slice(s) or iterator(s) borrow it ..." (lib/vec.cc):
// a shared access through a SliceMut that has lent mutably.
[[noreturn, gnu::cold]] void slice_mut_borrowed_mutably(const char* op, std::size_t exclusive);

#if FERRITE_CHECKED_BORROWS
inline constexpr bool kCheckedBorrows = true;

// One word, so that a check is one atomic load: shared borrows in bits
// 0..31, exclusive borrows in bits 32..62, `busy` in bit 63.
class BorrowState {
 public:
  static constexpr std::uint64_t kSharedUnit = 1;
  static constexpr std::uint64_t kExclusiveUnit = std::uint64_t{1} << 32;
  static constexpr std::uint64_t kBusy = std::uint64_t{1} << 63;
  static constexpr std::uint64_t kSharedMask = kExclusiveUnit - 1;
  static constexpr std::uint64_t kExclusiveMask = kBusy - kExclusiveUnit;

  static constexpr std::uint64_t unit(BorrowKind kind) noexcept {
    return kind == BorrowKind::kShared ? kSharedUnit : kExclusiveUnit;
  }
  static constexpr std::size_t shared(std::uint64_t word) noexcept {
    return static_cast<std::size_t>(word & kSharedMask);
  }
  static constexpr std::size_t exclusive(std::uint64_t word) noexcept {
    return static_cast<std::size_t>((word & kExclusiveMask) >> 32);
  }
  static constexpr bool busy(std::uint64_t word) noexcept { return (word & kBusy) != 0; }

  std::uint64_t load() const noexcept { return word_.load(); }
  void add(BorrowKind kind) noexcept { word_.fetch_add(unit(kind)); }
  void remove(BorrowKind kind) noexcept { word_.fetch_sub(unit(kind)); }
  // Sets `busy` if the word is 0; otherwise returns the word that refused it.
  std::uint64_t try_set_busy() noexcept {
    std::uint64_t expected = 0;
    word_.compare_exchange_strong(expected, kBusy);
    return expected;
  }
  void set_busy() noexcept { word_.fetch_or(kBusy); }
  void clear_busy() noexcept { word_.fetch_and(~kBusy); }

 private:
  std::atomic<std::uint64_t> word_{0};
};

class LenderState;

// A state to borrow from, and the kind of borrow; counts nothing. The state
// is a Vec's BorrowState, or a SliceMut's LenderState (`lender`).
class BorrowSource {
 public:
  BorrowSource() = default;
  BorrowSource(BorrowState* state, BorrowKind kind) noexcept : state_(state), kind_(kind) {}
  BorrowSource(LenderState* lender, BorrowKind kind) noexcept;
  BorrowState* state() const noexcept { return state_; }
  BorrowKind kind() const noexcept { return kind_; }

 private:
  friend class BorrowToken;
  BorrowState* state_ = nullptr;
  BorrowKind kind_ = BorrowKind::kShared;
  bool lender_ = false;
};

// One counted borrow. Copying counts one more of the same kind; moving
// transfers the borrow and leaves the source counting nothing.
class BorrowToken {
 public:
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource source) noexcept
      : state_(source.state_), kind_(source.kind_), lender_(source.lender_) {
    acquire();
  }
  BorrowToken(const BorrowToken& other) noexcept : BorrowToken(other.source()) {}
  BorrowToken(BorrowToken&& other) noexcept
      : state_(std::exchange(other.state_, nullptr)), kind_(other.kind_), lender_(other.lender_) {}
  BorrowToken& operator=(BorrowToken other) noexcept {
    std::swap(state_, other.state_);
    std::swap(kind_, other.kind_);
    std::swap(lender_, other.lender_);
    return *this;
  }
  ~BorrowToken() { release(); }
  BorrowSource source() const noexcept { return source(kind_); }
  // The same borrowed state, counted as `kind`.
  BorrowSource source(BorrowKind kind) const noexcept {
    BorrowSource out(state_, kind);
    out.lender_ = lender_;
    return out;
  }

 private:
  // Defined below, once LenderState is complete.
  void acquire() noexcept;
  void release() noexcept;

  BorrowState* state_ = nullptr;
  BorrowKind kind_ = BorrowKind::kShared;
  bool lender_ = false;
};

// What one SliceMut has lent (see the banner). Shared borrows and exclusive
// views are counted in the BorrowState word; mutable iterators apart, so
// that a new one can be allowed beside them alone. Freed by whichever of the
// Lender and the tokens lets go last; freeing it ends the SliceMut's own
// borrow of its source.
class LenderState : public BorrowState {
 public:
  explicit LenderState(BorrowToken borrowed) noexcept : borrowed_(std::move(borrowed)) {}
  LenderState(const LenderState&) = delete;
  LenderState& operator=(const LenderState&) = delete;
  ~LenderState() = default;

  std::size_t iterators() const noexcept { return iterators_.load(); }

  void acquire(BorrowKind kind) noexcept {
    references_.fetch_add(1);
    if (kind == BorrowKind::kExclusiveIterator) {
      iterators_.fetch_add(1);
    } else {
      add(kind);
    }
  }
  // Uncounts one borrow of `kind` (none for the Lender's own reference), and
  // frees the state when nothing refers to it any more.
  static void release(LenderState* self, std::optional<BorrowKind> kind) noexcept {
    if (kind == BorrowKind::kExclusiveIterator) {
      self->iterators_.fetch_sub(1);
    } else if (kind.has_value()) {
      self->remove(*kind);
    }
    // SAFETY(lender-state-free): the last reference (count 1 -> 0) frees the
    // state, allocated with new; no other reference is left to use it.
    if (self->references_.fetch_sub(1) == 1) delete self;
  }

 private:
  std::atomic<std::size_t> iterators_{0};
  // The Lender's (until it lets go) plus one per live token.
  std::atomic<std::size_t> references_{1};
  BorrowToken borrowed_;
};

inline BorrowSource::BorrowSource(LenderState* lender, BorrowKind kind) noexcept
    : state_(lender), kind_(kind), lender_(true) {}

inline void BorrowToken::acquire() noexcept {
  if (state_ == nullptr) return;
  if (lender_) {
    static_cast<LenderState*>(state_)->acquire(kind_);
  } else {
    state_->add(kind_);
  }
}
inline void BorrowToken::release() noexcept {
  if (state_ == nullptr) return;
  if (lender_) {
    LenderState::release(static_cast<LenderState*>(state_), kind_);
  } else {
    state_->remove(kind_);
  }
}

// A SliceMut's side of its LenderState: created with the SliceMut's borrow
// of its source, moved with the SliceMut, released when it dies (its
// children keep the state alive). Null in a default-constructed or
// moved-from SliceMut, which views nothing and so lends nothing to check.
class Lender {
 public:
  Lender() = default;
  // Allocates the state (may throw std::bad_alloc; `borrowed` is then released).
  explicit Lender(BorrowToken borrowed) : state_(new LenderState(std::move(borrowed))) {}
  Lender(const Lender&) = delete;
  Lender& operator=(const Lender&) = delete;
  Lender(Lender&& other) noexcept : state_(std::exchange(other.state_, nullptr)) {}
  Lender& operator=(Lender&& other) noexcept {
    Lender taken(std::move(other));
    std::swap(state_, taken.state_);
    return *this;
  }
  ~Lender() {
    if (state_ != nullptr) LenderState::release(state_, std::nullopt);
  }

  // A new borrow of this SliceMut (none for a null Lender). No check: the
  // caller checks first.
  BorrowSource source(BorrowKind kind) const noexcept {
    return state_ == nullptr ? BorrowSource() : BorrowSource(state_, kind);
  }
  BorrowToken lend(BorrowKind kind) const noexcept { return BorrowToken(source(kind)); }

  // Mutable access through the SliceMut: nothing it lent may be alive. The
  // word is read first: once it shows no shared borrow and no exclusive view,
  // none can appear (only this SliceMut makes new ones), so the iterator
  // count read next completes a consistent picture.
  void check_unlent(const char* operation) const {
    if (state_ == nullptr) return;
    const std::uint64_t word = state_->load();
    const std::size_t iterators = state_->iterators();
    if (word != 0 || iterators != 0) [[unlikely]] {
      slice_mut_borrowed(operation, shared(word), exclusive(word) + iterators);
    }
  }
  // Shared access: no exclusive view or mutable iterator may be alive.
  void check_shareable(const char* operation) const {
    if (state_ == nullptr) return;
    const std::uint64_t word = state_->load();
    const std::size_t iterators = state_->iterators();
    if (exclusive(word) != 0 || iterators != 0) [[unlikely]] {
      slice_mut_borrowed_mutably(operation, exclusive(word) + iterators);
    }
  }
  // A new mutable iterator: beside other mutable iterators only.
  void check_iterable(const char* operation) const {
    if (state_ == nullptr) return;
    if (const std::uint64_t word = state_->load(); word != 0) [[unlikely]] {
      slice_mut_borrowed(operation, shared(word), exclusive(word) + state_->iterators());
    }
  }

 private:
  static std::size_t shared(std::uint64_t word) noexcept { return BorrowState::shared(word); }
  static std::size_t exclusive(std::uint64_t word) noexcept {
    return BorrowState::exclusive(word);
  }

  LenderState* state_ = nullptr;
};

// The mutable borrow of one Arc/Rc handle: set by get_mut()/make_mut(),
// cleared by shared access through the handle (which C++ lets us see, unlike
// the death of the T& handed out). Atomic because shared access is const and
// may run on many threads at once (a `const Arc&` shared by a scope); only
// the first one after a mutation writes.
class HandleMutBorrow {
 public:
  HandleMutBorrow() = default;
  HandleMutBorrow(const HandleMutBorrow&) = delete;
  HandleMutBorrow& operator=(const HandleMutBorrow&) = delete;

  bool is_set() const noexcept { return set_.load(); }
  void set() noexcept { set_.store(true); }
  void clear() const noexcept {
    if (set_.load()) set_.store(false);
  }
  // The borrow moves with the handle (a T& from make_mut() points into the
  // allocation the receiving handle now owns).
  void take_from(HandleMutBorrow& other) noexcept { set_.store(other.set_.exchange(false)); }
  void swap(HandleMutBorrow& other) noexcept { set_.store(other.set_.exchange(set_.load())); }

 private:
  mutable std::atomic<bool> set_{false};
};
#else
inline constexpr bool kCheckedBorrows = false;

struct BorrowSource {};

struct BorrowToken {
  BorrowToken() = default;
  explicit BorrowToken(BorrowSource /*unused*/) noexcept {}
  BorrowSource source() const noexcept { return {}; }
  BorrowSource source(BorrowKind /*unused*/) const noexcept { return {}; }
};

struct Lender {
  Lender() = default;
  explicit Lender(BorrowToken /*unused*/) noexcept {}
  BorrowSource source(BorrowKind /*unused*/) const noexcept { return {}; }
  BorrowToken lend(BorrowKind /*unused*/) const noexcept { return {}; }
  void check_unlent(const char* /*unused*/) const noexcept {}
  void check_shareable(const char* /*unused*/) const noexcept {}
  void check_iterable(const char* /*unused*/) const noexcept {}
};

struct HandleMutBorrow {
  static constexpr bool is_set() noexcept { return false; }
  void set() noexcept {}
  void clear() const noexcept {}
  void take_from(HandleMutBorrow& /*unused*/) noexcept {}
  void swap(HandleMutBorrow& /*unused*/) noexcept {}
};
#endif

// The panics of a shared-ownership handle (Arc, Rc): `handle` names the type,
// `what` the operation.
[[noreturn, gnu::cold, gnu::noinline]] inline void handle_empty(const char* handle,
                                                               const char* what) {
  panic(std::string("ferrite::") + handle + "::" + what + ": this " + handle +
        " is empty (moved from, or consumed by try_unwrap/into_inner); assign a live " + handle +
        " to it before using it");
}
[[noreturn, gnu::cold, gnu::noinline]] inline void handle_mut_borrowed(const char* handle,
                                                                      const char* what) {
  panic(std::string("ferrite::") + handle + "::" + what + ": this " + handle +
        " lent mutable access to its value (get_mut()/make_mut()) that may still be in use, and "
        "a second handle would share a value being mutated; once done mutating, end the borrow "
        "by reading through this handle (*handle, handle->, handle.get()), then " +
        what);
}

}  // namespace ferrite::detail
