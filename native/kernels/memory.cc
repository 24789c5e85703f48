// Memory-traffic kernels: the in-process bandwidth ceilings the benchmarks
// compare against, and simple passes other code builds on.
#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

// a, b, c, d (n): reads all four, writes a, b, c back in place, exactly
// AdamW's traffic (exp_avg, exp_avg_sq, param; grad read-only) in AdamW's
// order: every load of an element before its stores. One add each, so the
// loop is bound by memory, never by arithmetic: the ceiling for its 28 B/elem.
// No restrict: with it, the compiler moves each load next to its use, between
// the stores (a store, then a load a few hundred bytes away in the page),
// which measured ~10% slower than AdamW's own loop, loads first.
void touch4(float* a, float* b, float* c, const float* d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x = d[i], ai = a[i], bi = b[i], ci = c[i];
    a[i] = ai + x;
    b[i] = bi + x;
    c[i] = ci + x;
  }
}

void copy(float* DF_RESTRICT dst, const float* DF_RESTRICT src, size_t n) {
  std::memcpy(dst, src, n * sizeof(float));
}

double read_sum(const float* x, size_t n) {
  return lane8_sum(n, [x](size_t i) { return static_cast<double>(x[i]); });
}

int all_finite(const float* x, size_t n) {
  // An integer OR over "exponent all ones" so the loop vectorizes.
  uint32_t bad = 0;
  for (size_t i = 0; i < n; i++) {
    uint32_t b;
    std::memcpy(&b, x + i, 4);
    bad |= ((b & 0x7f800000u) == 0x7f800000u);
  }
  return bad ? 0 : 1;
}

}  // namespace

void fill_memory(MemoryKernels& k) {
  k.touch4 = touch4;
  k.copy = copy;
  k.read_sum = read_sum;
  k.all_finite = all_finite;
}

}  // namespace DF_ISA
}  // namespace df
