// examples/merge_sort.h — a parallel merge sort built from split_at_mut and
// thread::scope: "two threads, two halves" taken recursively.
//
//   ferrite::Vec<int> v = ...;
//   ferrite::examples::parallel_merge_sort(v.as_mut_slice(), /*threads=*/4);
//
// `threads` is the thread budget.
// Each level splits the data (and the budget) in two; the two threads sort
// their halves and move them out into a Vec each, then the level merges the
// two Vecs back into the data in parallel (the output is cut where the two
// inputs' merge path crosses its middle). Below `sequential_cutoff` elements,
// or with a budget of 1, it falls back to std::sort, so threads == 1 *is*
// std::sort. The sort is not stable. T must be movable, and `less` a strict
// weak order that may be called from several threads at once.
//
// No raw pointers: every view is a SliceMut handed out by split_at_mut, so
// the halves two threads work on are disjoint by construction, and in checked
// builds the Vec refuses to reallocate while any of them is alive.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstddef>
#include <exception>
#include <functional>
#include <iterator>
#include <ranges>
#include <type_traits>
#include <utility>

#include "ferrite/thread.h"
#include "ferrite/vec.h"

namespace ferrite::examples {
namespace merge_sort_detail {

// Moves the elements of `from` into a new Vec (leaving `from` moved-from).
template <class T>
Vec<T> take(SliceMut<T>& from) {
  Vec<T> out;
  out.extend(std::ranges::subrange(std::make_move_iterator(from.begin()),
                                   std::make_move_iterator(from.end())));
  return out;
}

// Merges the sorted a and b into out (out.len() == a.len() + b.len()),
// moving the elements; up to `threads` threads work on disjoint parts of out.
template <class T, class Less>
void parallel_merge(SliceMut<T>& a, SliceMut<T>& b, SliceMut<T>& out, std::size_t threads,
                    std::size_t cutoff, const Less& less) {
  if (threads <= 1 || out.len() <= cutoff) {
    std::merge(std::make_move_iterator(a.begin()), std::make_move_iterator(a.end()),
               std::make_move_iterator(b.begin()), std::make_move_iterator(b.end()), out.begin(),
               std::ref(less));
    return;
  }
  // Co-rank: the first k outputs are a[0, i) and b[0, k - i) for the smallest
  // i with b[k - i - 1] < a[i]; the predicate grows monotonically with i.
  const std::size_t k = out.len() / 2;
  std::size_t lo = k > b.len() ? k - b.len() : 0;
  std::size_t hi = std::min(k, a.len());
  while (lo < hi) {
    const std::size_t i = lo + (hi - lo) / 2;  // i < a.len() and k - i >= 1
    if (less(std::as_const(b)[k - i - 1], std::as_const(a)[i])) {
      hi = i;
    } else {
      lo = i + 1;
    }
  }
  auto [a_low, a_high] = *a.split_at_mut(lo);
  auto [b_low, b_high] = *b.split_at_mut(k - lo);
  auto [out_low, out_high] = *out.split_at_mut(k);
  const std::size_t low_threads = threads / 2;
  thread::scope([&](thread::Scope& s) {
    // Each thread owns its parts: a shared borrow could not write them.
    s.spawn([a_low = std::move(a_low), b_low = std::move(b_low), out_low = std::move(out_low),
             low_threads, cutoff, &less]() mutable {
      parallel_merge(a_low, b_low, out_low, low_threads, cutoff, less);
    });
    parallel_merge(a_high, b_high, out_high, threads - low_threads, cutoff, less);
  });
}

// Sorts `data` in place: the two halves are sorted (recursively, in
// parallel) and moved out into two Vecs by the threads that sorted them, then
// merged back into `data` in parallel.
template <class T, class Less>
void sort(SliceMut<T>& data, std::size_t threads, std::size_t cutoff, const Less& less) {
  if (threads <= 1 || data.len() <= cutoff) {
    std::sort(data.begin(), data.end(), std::ref(less));
    return;
  }
  Vec<T> left_sorted;
  Vec<T> right_sorted;
  {
    auto [left, right] = *data.split_at_mut(data.len() / 2);
    const std::size_t left_threads = threads / 2;
    thread::scope([&](thread::Scope& s) {
      // The thread owns its half and hands the sorted Vec back through join().
      auto sorted = s.spawn([left = std::move(left), left_threads, cutoff, &less]() mutable {
        sort(left, left_threads, cutoff, less);
        return take(left);
      });
      sort(right, threads - left_threads, cutoff, less);
      right_sorted = take(right);
      auto joined = sorted.join();
      if (!joined) std::rethrow_exception(joined.error().exception());
      left_sorted = std::move(*joined);
    });
  }
  SliceMut<T> a = left_sorted.as_mut_slice();
  SliceMut<T> b = right_sorted.as_mut_slice();
  parallel_merge(a, b, data, threads, cutoff, less);
}

}  // namespace merge_sort_detail

// Sorts `data` by `less` with at most `threads` threads (see the banner).
template <class T, class Less = std::ranges::less>
  requires std::movable<T>
void parallel_merge_sort(SliceMut<T> data, std::size_t threads = thread::available_parallelism(),
                         std::size_t sequential_cutoff = std::size_t{1} << 14, Less less = {}) {
  merge_sort_detail::sort(data, threads, std::max<std::size_t>(sequential_cutoff, 1), less);
}

}  // namespace ferrite::examples
