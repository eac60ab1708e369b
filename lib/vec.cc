// lib/vec.cc — the non-template half of ferrite/vec.h and ferrite/slice.h:
// their panic messages.
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ferrite/panic.h"
#include "ferrite/vec.h"

namespace ferrite::detail {
namespace {

std::string slices_borrowing(std::size_t borrows) {
  return std::to_string(borrows) + (borrows == 1 ? " slice borrows it" : " slices borrow it");
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

void vec_borrowed(const char* op, std::size_t borrows) {
  panic(std::string(op) + " while " + slices_borrowing(borrows) +
        ": it could invalidate them; let the slices go out of scope first");
}

void vec_destroyed_while_borrowed(std::size_t borrows) noexcept {
  // A destructor must not throw (it may run during unwinding), so the
  // dangling borrow is reported and the process stops, as Rust would refuse
  // to compile it.
  std::fprintf(stderr,
               "ferrite: Vec::~Vec while %s: the slices would dangle; destroy the slices "
               "before the Vec. Aborting.\n",
               slices_borrowing(borrows).c_str());
  std::fflush(stderr);
  std::abort();
}

}  // namespace ferrite::detail
