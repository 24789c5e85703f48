// The kernel table: one instance per instruction set, filled in
// native/kernels/table.cc, which is compiled once per ISA. The driver picks one
// at load time (or when DEEPFIT_ISA forces one) and calls through it.
//
// Kernel entry points take plain pointers and counts, never vector types, and
// work on one contiguous range. Threading and multi-tensor iteration live in the
// driver, so every ISA sees exactly the same ranges.
#pragma once
#include <cstddef>
#include <cstdint>

namespace df {

// Reductions use one fixed order everywhere (C++ on every ISA, and the TS
// reference in src/reference/reduce.ts): the input is cut into chunks of
// REDUCE_CHUNK elements; inside a chunk, element i is added to double lane
// (i mod 8); lanes combine as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)); chunk
// results are added in chunk order, starting from 0.
constexpr size_t REDUCE_CHUNK = 65536;

struct MemoryKernels {
  // Bandwidth ceiling with AdamW's memory traffic: reads a, b, c, d and writes
  // a, b, c back in place, with trivial arithmetic. 28 bytes an element.
  void (*touch4)(float* a, float* b, float* c, const float* d, size_t n);
  void (*copy)(float* dst, const float* src, size_t n);
  // Sum of x[i] read once (a pure read pass), in the fixed reduction order.
  double (*read_sum)(const float* x, size_t n);
  // 1 if every value is finite.
  int (*all_finite)(const float* x, size_t n);
};

// Gradient clipping and L2 penalty. The reductions reduce one chunk (at most
// REDUCE_CHUNK elements) in the fixed order; p is only read by sum_pow.
struct ClipKernels {
  double (*sum_abs)(const float* x, size_t n, double p);   // sum |x|
  double (*sum_sq)(const float* x, size_t n, double p);    // sum x², exact terms
  double (*sum_pow)(const float* x, size_t n, double p);   // sum |x|^p, p > 0
  double (*max_abs)(const float* x, size_t n, double p);   // max |x|, NaN if any NaN
  void (*scale)(float* x, size_t n, float c);               // x *= c
  void (*clamp)(float* x, size_t n, float lo, float hi);    // NaN stays NaN
  void (*add_scaled)(float* g, const float* w, size_t n, float a);  // g += a·w
};

enum MathFn { MATH_EXP, MATH_EXPM1, MATH_LOG, MATH_TANH, MATH_SIGMOID, MATH_ERF, MATH_ERFINV,
              MATH_SIN2PI, MATH_COS2PI, MATH_COUNT };
struct MathKernels {
  // y[i] = fn(x[i]) with the shared double-precision functions (kernels/mathfn.h).
  void (*eval)(int fn, const double* x, double* y, size_t n);
};

struct KernelTable {
  const char* isa;
  MemoryKernels memory;
  ClipKernels clip;
  MathKernels math;
};

}  // namespace df
