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

// Optimizer steps (native/kernels/optim.cc). Scalars arrive as double from TS,
// computed once per step, and are cast to float here exactly like Math.fround.
// Each kernel updates one contiguous range of one tensor in place, following
// PyTorch 1.13's operation order; flags select the variant.
enum OptimFlags : unsigned {
  OPT_MAXIMIZE = 1,       // the gradient is negated first
  OPT_WEIGHT_DECAY = 2,   // L2: g += weight_decay * p (weight_decay != 0 in double)
  OPT_DECOUPLED = 4,      // AdamW: p *= decay_scale before the update
  OPT_AMSGRAD = 8,
  OPT_MOMENTUM = 16,      // SGD / RMSprop keep a momentum buffer
  OPT_NESTEROV = 32,
  OPT_CENTERED = 64,
};

struct AdamArgs {
  float beta1, one_minus_beta1, beta2, one_minus_beta2, eps, weight_decay, decay_scale;
  float neg_step_size, bias_correction2_sqrt;  // per tensor: -lr/(1-beta1^t), sqrt(1-beta2^t)
  unsigned flags;
};
struct SgdArgs {
  float neg_lr, weight_decay, momentum, one_minus_dampening;
  bool first;  // per tensor: the momentum buffer starts as this step's gradient
  unsigned flags;
};
struct RmspropArgs {
  float neg_lr, alpha, one_minus_alpha, eps, weight_decay, momentum;
  unsigned flags;
};
struct AdagradArgs {
  float weight_decay, eps;
  float neg_clr;  // per tensor: -lr / (1 + (step-1) * lr_decay)
  unsigned flags;
};

struct OptimKernels {
  void (*adam)(const AdamArgs& a, float* p, const float* g, float* m, float* v, float* vmax, size_t n);
  void (*sgd)(const SgdArgs& a, float* p, const float* g, float* buf, size_t n);
  void (*rmsprop)(const RmspropArgs& a, float* p, const float* g, float* sq, float* gavg, float* buf, size_t n);
  void (*adagrad)(const AdagradArgs& a, float* p, const float* g, float* sum, size_t n);
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
  // stream: write y with non-temporal stores (outputs far larger than the caches).
  void (*apply)(const float* x, float* y, size_t r0, size_t r1, size_t C, size_t L, const float* alpha,
                const float* beta, int stream);
  void (*backward_apply)(const float* g, const float* x, float* dx, size_t r0, size_t r1, size_t C, size_t L,
                         const double* mean, const double* k1, const double* k2, const double* k3, int train);
};

struct GemmKernels {
  size_t mr, nr;  // micro-tile shape: the driver cuts work at multiples of it
  // C[m,n] (+)= op(A)·op(B) on the rectangle rows [i0,i1) × cols [j0,j1) of C;
  // op(A) is [m,k] (A stored [k,m] when trans_a), op(B) is [k,n] (B stored
  // [n,k] when trans_b). Each element is summed in k order from +0 (or from C
  // when accumulate), separate multiply and add: see kernels/gemm.cc.
  void (*sgemm_block)(int trans_a, int trans_b, size_t m, size_t n, size_t k, const float* a, const float* b,
                      float* c, int accumulate, size_t i0, size_t i1, size_t j0, size_t j1);
  // out[j] += x[i,j] over rows i in order, for columns [j0, j1) of x [m,n].
  void (*col_sum_acc)(const float* x, size_t m, size_t n, float* out, size_t j0, size_t j1);
  // Register-only FMA loop (the peak-rate probe); returns the flops done.
  double (*fma_peak)(size_t iters, float* sink);
};

enum ActivationKind { ACT_RELU, ACT_LEAKY_RELU, ACT_TANH, ACT_SIGMOID, ACT_GELU, ACT_COUNT };
struct ActivationKernels {
  // y = f(x); slope is LeakyReLU's negative slope (cast to float), unused otherwise.
  void (*forward)(int kind, const float* x, float* y, size_t n, double slope);
  // gx = gy * f'(x), from the input x and/or the output y as PyTorch does.
  void (*backward)(int kind, const float* x, const float* y, const float* gy, float* gx, size_t n, double slope);
};

struct LossKernels {
  // Cross-entropy with log-softmax fused, rows [r0, r1) of x [*, c]: per-row
  // losses into row_loss, d(mean loss)/dx into grad (see kernels/loss.cc).
  void (*cross_entropy_rows)(const float* x, const int32_t* labels, size_t r0, size_t r1, size_t c, double eps,
                             double inv_n, float* grad, double* row_loss);
  // Lane8 sum of one chunk of doubles (the fixed order within a chunk).
  double (*sum_f64)(const double* x, size_t n);
  // One chunk of MSE: grad = (x - t) * scale, returns the sum of (x - t)^2.
  double (*mse_chunk)(const float* x, const float* t, float* grad, size_t n, double scale);
};

struct KernelTable {
  const char* isa;
  MemoryKernels memory;
  ClipKernels clip;
  OptimKernels optim;
  MathKernels math;
  RandomKernels random;
  QrKernels qr;
  BatchNormKernels batchnorm;
  GemmKernels gemm;
  ActivationKernels activation;
  LossKernels loss;
};

}  // namespace df
