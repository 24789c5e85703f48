// Memory-traffic kernels: the in-process bandwidth ceilings the benchmarks
// compare against, and simple passes other code builds on.
#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

// a, b, c, d (n): reads all four, writes a, b, c. One add each, so the loop is
// bound by memory, never by arithmetic: the ceiling for AdamW's 28 bytes/elem.
void touch4(float* DF_RESTRICT a, float* DF_RESTRICT b, float* DF_RESTRICT c,
            const float* DF_RESTRICT d, size_t n) {
  for (size_t i = 0; i < n; i++) {
    float x = d[i];
    a[i] += x;
    b[i] += x;
    c[i] += x;
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
