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

enum MathFn { MATH_EXP, MATH_EXPM1, MATH_LOG, MATH_TANH, MATH_SIGMOID, MATH_ERF, MATH_ERFINV,
              MATH_SIN2PI, MATH_COS2PI, MATH_COUNT };
struct MathKernels {
  // y[i] = fn(x[i]) with the shared double-precision functions (kernels/mathfn.h).
  void (*eval)(int fn, const double* x, double* y, size_t n);
};

// A generator's state as the random kernels see it: the key (k0, k1) is the
// 64-bit seed, offset counts Philox blocks already consumed (kernels/philox.h).
struct PhiloxStream {
  uint32_t k0, k1;
  uint64_t offset;
};
struct RandomKernels {
  // out[0..4) = Philox4x32-10 of counter ctr[0..4) under key key[0..2).
  void (*philox)(const uint32_t* ctr, const uint32_t* key, uint32_t* out);
  // The kernels below fill elements [e0, e0 + n) of a call; pointers point at element e0.
  void (*uniform)(float* out, size_t n, size_t e0, PhiloxStream s, float scale, float shift);
  void (*normal)(float* out, size_t n, size_t e0, PhiloxStream s, double mean, double std);
  void (*trunc_normal)(float* out, size_t n, size_t e0, PhiloxStream s, double lo, double hi, double mean,
                       double scale, float a, float b);
  // e0 a multiple of 8; mask points at byte e0 / 8.
  void (*dropout_forward)(const float* x, float* y, uint8_t* mask, size_t n, size_t e0, PhiloxStream s,
                          uint32_t keep_below, float scale);
  void (*dropout_backward)(const float* g, const uint8_t* mask, float* gx, size_t n, float scale);
};

struct QrKernels {
  // out = gain * Q of x (rows x cols, row-major), torch.nn.init.orthogonal_'s
  // recipe: Householder QR in double, columns times sign(diag R).
  void (*orthogonal)(const float* x, size_t rows, size_t cols, double gain, float* out);
};

// Batch norm on [N, C, L]; per-channel sums in the fixed order over
// t = n*L + l (kernels/batchnorm.cc). Sums take channel ranges [c0, c1);
// elementwise passes take row ranges [r0, r1): rows of C values when L = 1,
// rows (n, c) of L values otherwise.
struct BatchNormKernels {
  void (*stats)(const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1, double* sum, double* sumsq);
  void (*backward_sums)(const float* g, const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1,
                        const double* mean, double* sum_g, double* sum_gx);
  void (*apply)(const float* x, float* y, size_t r0, size_t r1, size_t C, size_t L, const double* mean,
                const double* a, const double* b);
  void (*backward_apply)(const float* g, const float* x, float* dx, size_t r0, size_t r1, size_t C, size_t L,
                         const double* mean, const double* k1, const double* k2, const double* k3, int train);
};

struct KernelTable {
  const char* isa;
  MemoryKernels memory;
  MathKernels math;
  RandomKernels random;
  QrKernels qr;
  BatchNormKernels batchnorm;
};

}  // namespace df
