// ferrite/detail/vec_borrows.h — the checked borrows of Vec (ferrite/vec.h)
// and its guard against re-entrant element code. The contract is in vec.h's
// banner ("Checked borrows", "Re-entrancy"). Not part of the public API:
// Vec<T> derives from VecBorrows privately and runs element code through
// DetachedVec<Vec<T>>.
//
//   VecBorrows       the Vec's BorrowState (ferrite/detail/borrow.h) and the
//                    operation that keeps it busy, the checks a Vec operation
//                    makes before it runs, and the borrows its views hold.
//                    Empty in release builds, where every check is a no-op.
//   DetachedVec<V>   the elements of a Vec moved aside while one of its
//                    operations runs element code.
#pragma once

#include <cstddef>
#include <cstdint>

#include "ferrite/detail/borrow.h"
#include "ferrite/panic.h"

namespace ferrite::detail {

// Panic messages (lib/vec.cc), out of line so that the checks stay small.

// "<op> while <n> slice(s) or iterator(s) borrow it ..."
[[noreturn, gnu::cold]] void vec_borrowed(const char* op, std::size_t shared,
                                          std::size_t exclusive);
// "<op> while <n> mutable slice(s) or iterator(s) borrow it ..."
[[noreturn, gnu::cold]] void vec_borrowed_mutably(const char* op, std::size_t exclusive);
// "ferrite::Vec modified or borrowed while one of its elements' constructor/
// destructor runs: <op> inside <running> ..."
[[noreturn, gnu::cold]] void vec_reentered(const char* op, const char* running);
// Prints "Vec::~Vec while <n> slice(s) or iterator(s) borrow it ..." (or,
// with `running` non-null, that the Vec was destroyed by its own element
// code) to stderr and aborts.
[[noreturn, gnu::cold]] void vec_destroyed_while_borrowed(std::size_t borrows,
                                                          const char* running) noexcept;

class VecBorrows {
 public:
  VecBorrows() noexcept = default;
  VecBorrows(const VecBorrows&) = delete;
  VecBorrows& operator=(const VecBorrows&) = delete;

 protected:
  // Panics (checked builds) unless nothing borrows this Vec and none of its
  // operations is running element code: what a mutation needs.
  void check_unborrowed([[maybe_unused]] const char* operation) const {
#if FERRITE_CHECKED_BORROWS
    if (const std::uint64_t word = borrows_.load(); word != 0) [[unlikely]] {
      refuse(operation, word);
    }
#endif
  }
  // Panics (checked builds) while a shared view or iterator is alive, or an
  // operation runs element code: what a new mutable iterator needs.
  void check_iterable([[maybe_unused]] const char* operation) const {
#if FERRITE_CHECKED_BORROWS
    const std::uint64_t word = borrows_.load();
    if ((word & ~BorrowState::kExclusiveMask) != 0) [[unlikely]] refuse(operation, word);
#endif
  }
  // Panics (checked builds) while a mutable view or iterator is alive, or an
  // operation runs element code: what a new shared view needs.
  void check_shareable([[maybe_unused]] const char* operation) const {
#if FERRITE_CHECKED_BORROWS
    const std::uint64_t word = borrows_.load();
    if ((word & ~BorrowState::kSharedMask) != 0) [[unlikely]] {
      if (!BorrowState::busy(word)) {
        vec_borrowed_mutably(operation, BorrowState::exclusive(word));
      }
      refuse(operation, word);
    }
#endif
  }

  BorrowToken borrow([[maybe_unused]] BorrowKind kind) const noexcept {
#if FERRITE_CHECKED_BORROWS
    return BorrowToken(BorrowSource(&borrows_, kind));
#else
    return BorrowToken();
#endif
  }

  // ~Vec's check (checked builds): a destructor cannot panic, so a borrowed
  // or busy Vec prints why and aborts.
  void abort_if_borrowed() const noexcept {
#if FERRITE_CHECKED_BORROWS
    if (const std::uint64_t word = borrows_.load(); word != 0) [[unlikely]] {
      vec_destroyed_while_borrowed(BorrowState::shared(word) + BorrowState::exclusive(word),
                                   BorrowState::busy(word) ? busy_op_ : nullptr);
    }
#endif
  }

  // Marks the Vec busy running `operation`'s element code (checked builds);
  // panics instead if it is borrowed or busy already. For DetachedVec.
  void set_busy([[maybe_unused]] const char* operation) {
#if FERRITE_CHECKED_BORROWS
    if (const std::uint64_t word = borrows_.try_set_busy(); word != 0) [[unlikely]] {
      refuse(operation, word);
    }
    busy_op_ = operation;
#endif
  }
  void clear_busy() noexcept {
#if FERRITE_CHECKED_BORROWS
    borrows_.clear_busy();
#endif
  }

 private:
#if FERRITE_CHECKED_BORROWS
  [[noreturn, gnu::cold]] void refuse(const char* operation, std::uint64_t word) const {
    if (BorrowState::busy(word)) vec_reentered(operation, busy_op_);
    vec_borrowed(operation, BorrowState::shared(word), BorrowState::exclusive(word));
  }

  // Live views and iterators borrowed from this Vec, and the busy bit.
  mutable BorrowState borrows_;
  // The operation running element code while busy (for the panic message).
  const char* busy_op_ = nullptr;
#endif
};

// Element code (a constructor, copy, move or destructor of T, a user
// range) may reach a Vec through a pointer or reference of its own.
// While an operation runs such code, its elements live in `work`, a Vec
// nothing else can name, and the owner is empty; in checked builds it is
// also marked busy, so re-entry panics instead of finding it empty. Either
// way element code never sees a half-updated Vec: no slot counted in
// len() is unconstructed or destroyed, and no buffer it holds is freed
// under it. On the way out the elements come back; whatever element code
// put into the empty Vec meanwhile (release builds only) is destroyed
// after that, once the owner is whole again.
//
// V is Vec<T>, which befriends this class (take_fields, set_busy and
// clear_busy are private to it).
template <class V>
class DetachedVec {
 public:
  DetachedVec(V& owner, const char* operation) : owner_(owner) {
    owner_.set_busy(operation);
    work.take_fields(owner_);
  }
  DetachedVec(const DetachedVec&) = delete;
  DetachedVec& operator=(const DetachedVec&) = delete;
  ~DetachedVec() {
    V intruder;
    intruder.take_fields(owner_);
    owner_.take_fields(work);
    owner_.clear_busy();
  }

  V work;

 private:
  V& owner_;
};

}  // namespace ferrite::detail
