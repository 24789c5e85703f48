// Gradient-norm kernels (clipGradNorm, l2Penalty) and the in-place passes that
// apply clipping. Each reduction handles one chunk of at most REDUCE_CHUNK
// elements in the fixed order of table.h (lane8_sum, double accumulation); the
// binding adds chunk and tensor results in order, so every ISA, thread count
// and the reference agree bit for bit.
#include "isa.h"
#include "mathfn.h"

namespace df {
namespace DF_ISA {
namespace {

// |x|^p for p > 0 (not 1, 2 or ∞), as exp(p·log|x|) with the shared
// functions of mathfn.h: libm's pow and V8's Math.pow differ in the last place.
inline double abs_pow(double x, double p) {
  double a = x < 0 ? -x : x;
  if (a == 0.0 || a != a || a == INFINITY) return a == 0.0 ? 0.0 : a;
  return mathfn::exp(p * mathfn::log(a));
}

double sum_abs(const float* x, size_t n, double) {
  return lane8_sum(n, [x](size_t i) { return static_cast<double>(std::fabs(x[i])); });
}

double sum_sq(const float* x, size_t n, double) {
  return lane8_sum(n, [x](size_t i) {
    double v = x[i];
    return v * v;
  });
}

double sum_pow(const float* x, size_t n, double p) {
  return lane8_sum(n, [x, p](size_t i) { return abs_pow(x[i], p); });
}

// max |x[i]|, NaN if any x[i] is NaN (as torch's max does).
double max_abs(const float* x, size_t n, double) {
  float m = 0.0f;
  int nan = 0;
  for (size_t i = 0; i < n; i++) {
    float a = std::fabs(x[i]);
    m = a > m ? a : m;
    nan |= (a != a);
  }
  return nan ? static_cast<double>(NAN) : static_cast<double>(m);
}

void scale(float* x, size_t n, float c) {
  for (size_t i = 0; i < n; i++) x[i] = x[i] * c;
}

// torch.clamp: NaN stays NaN.
void clamp(float* x, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; i++) {
    float v = x[i];
    float c = v < lo ? lo : v;
    c = c > hi ? hi : c;
    x[i] = v != v ? v : c;
  }
}

// g += a·w, one rounding for the product and one for the sum (no FMA).
void add_scaled(float* DF_RESTRICT g, const float* DF_RESTRICT w, size_t n, float a) {
  for (size_t i = 0; i < n; i++) g[i] = g[i] + a * w[i];
}

}  // namespace

void fill_clip(ClipKernels& k) {
  k.sum_abs = sum_abs;
  k.sum_sq = sum_sq;
  k.sum_pow = sum_pow;
  k.max_abs = max_abs;
  k.scale = scale;
  k.clamp = clamp;
  k.add_scaled = add_scaled;
}

}  // namespace DF_ISA
}  // namespace df
