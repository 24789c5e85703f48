// A small persistent thread pool. parallel_for(n, fn) runs fn(0..n-1), each
// index once, on the pool and the calling thread, and returns when all are done.
// Callers split work into pieces whose results do not depend on which thread
// runs them, so results never depend on the thread count.
#pragma once
#include <cstddef>
#include <functional>

namespace df {
void set_threads(int n);   // n >= 1; the calling thread counts as one
int get_threads();
int default_threads();
void parallel_for(size_t n, const std::function<void(size_t)>& fn);
}  // namespace df
