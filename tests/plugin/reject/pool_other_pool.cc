// EXPECT: ThreadPool::execute: the lambda captures 'second' (ferrite::ThreadPool) by reference, but it may die before the pool runs the job
// `second` is declared after `first`, so it is destroyed first: a job of
// `first` may still queue on it.
#include "ferrite/thread_pool.h"

int main() {
  ferrite::ThreadPool first(1);
  ferrite::ThreadPool second(1);
  first.execute([&second] { second.execute([] {}); });
  return 0;
}
