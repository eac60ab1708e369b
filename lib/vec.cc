// lib/vec.cc — the non-template half of ferrite/vec.h and ferrite/slice.h
// (with ferrite/detail/vec_buffer.h, vec_borrows.h and slice_iterator.h,
// and the SliceMut borrow checks in ferrite/detail/borrow.h): their panic
// messages.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ferrite/panic.h"
#include "ferrite/vec.h"

namespace ferrite::detail {
namespace {

std::string views_borrowing(std::size_t borrows, const char* kind = "") {
  return std::to_string(borrows) + kind +
         (borrows == 1 ? " slice or iterator borrows it" : " slices or iterators borrow it");
}

// "<op> while <views>: <why>", the shape of every borrow refusal.
[[noreturn]] void refuse_while(const char* op, const std::string& views, const char* why) {
  panic(std::string(op) + " while " + views + ": " + why);
}

}  // namespace

void index_out_of_bounds(const char* type, std::size_t index, std::size_t len) {
  panic(std::string(type) + ": index out of bounds: the len is " + std::to_string(len) +
        " but the index is " + std::to_string(index));
}

void insert_index_out_of_bounds(std::size_t index, std::size_t len) {
  panic("ferrite::Vec::insert: insertion index (is " + std::to_string(index) +
        ") should be <= len (is " + std::to_string(len) + ")");
}

void remove_index_out_of_bounds(const char* op, std::size_t index, std::size_t len) {
  panic(std::string("ferrite::") + op + ": removal index (is " + std::to_string(index) +
        ") should be < len (is " + std::to_string(len) + ")");
}

void capacity_overflow(std::size_t requested, std::size_t max) {
  panic("ferrite::Vec: capacity overflow: " + std::to_string(requested) +
        " elements requested, at most " + std::to_string(max) + " fit in PTRDIFF_MAX bytes");
}

void chunk_size_zero(const char* op) {
  panic(std::string(op) + ": chunk size must be non-zero");
}

void copy_length_mismatch(std::size_t source, std::size_t destination) {
  panic("ferrite::SliceMut::copy_from_slice: source slice length (" + std::to_string(source) +
        ") does not match destination slice length (" + std::to_string(destination) + ")");
}

void iterator_out_of_bounds(std::ptrdiff_t position, std::ptrdiff_t offset, std::ptrdiff_t len) {
  if (offset == 0) {
    panic("ferrite: iterator out of bounds: dereferencing position " + std::to_string(position) +
          " of a view of len " + std::to_string(len));
  }
  panic("ferrite: iterator out of bounds: moving by " + std::to_string(offset) +
        " from position " + std::to_string(position) + " of a view of len " +
        std::to_string(len) + " (an iterator stays within [begin(), end()])");
}

void iterators_mismatched() {
  panic("ferrite: iterators of two different views subtracted (both must come from one view)");
}

void chunk_handed_out_twice(std::size_t remaining) {
  panic("ferrite::ChunksMut: the chunk with " + std::to_string(remaining) +
        " elements left was already handed out: chunks_mut is single-pass, and two mutable "
        "views of one chunk would alias; advance the iterator first");
}

void chunks_mut_iterated_twice() {
  panic(
      "ferrite::ChunksMut: begin() called twice: chunks_mut is single-pass, and a second pass "
      "would hand out a second mutable view of each chunk; call chunks_mut() again once the "
      "first pass's chunks are gone");
}

void vec_borrowed(const char* op, std::size_t shared, std::size_t exclusive) {
  refuse_while(op, views_borrowing(shared + exclusive),
               "it could invalidate them; let them go out of scope first");
}

void vec_borrowed_mutably(const char* op, std::size_t exclusive) {
  refuse_while(op, views_borrowing(exclusive, " mutable"),
               "a shared view would alias it; let it go out of scope first");
}

void slice_mut_borrowed(const char* op, std::size_t shared, std::size_t exclusive) {
  refuse_while(op, views_borrowing(shared + exclusive),
               "a SliceMut is exclusive (Rust's &mut [T]) while views taken from it live; let "
               "them go out of scope first");
}

void slice_mut_borrowed_mutably(const char* op, std::size_t exclusive) {
  vec_borrowed_mutably(op, exclusive);
}

void vec_reentered(const char* op, const char* running) {
  panic(std::string("ferrite::Vec modified or borrowed while one of its elements' "
                    "constructor/destructor runs: ") +
        op + " inside " + running +
        "; an element's code must not reach the Vec that holds it");
}

void vec_destroyed_while_borrowed(std::size_t borrows, const char* running) noexcept {
  // A destructor must not throw (it may run during unwinding), so the
  // dangling borrow is reported and the process stops, as Rust would refuse
  // to compile it.
  if (running != nullptr) {
    std::fprintf(stderr,
                 "ferrite: Vec::~Vec inside %s: an element's constructor/destructor destroyed "
                 "the Vec that holds it. Aborting.\n",
                 running);
  } else {
    std::fprintf(stderr,
                 "ferrite: Vec::~Vec while %s: they would dangle; destroy them before the Vec. "
                 "Aborting.\n",
                 views_borrowing(borrows).c_str());
  }
  std::fflush(stderr);
  std::abort();
}

}  // namespace ferrite::detail
