// Loss kernels: cross-entropy fused with log-softmax, and mean squared error.
// Each returns per-row (or per-chunk) double results that the driver adds in
// the fixed reduction order; the gradient is written in the same pass. The TS
// reference (src/reference/loss.ts) performs the same operations.
#include <algorithm>

#include "isa.h"
#include "mathfn.h"

namespace df {
namespace DF_ISA {
namespace {

// Sum of f(j) for j in [0, n) in the fixed reduction order (table.h).
template <class F>
double fixed_sum(size_t n, F f) {
  double s = 0.0;
  for (size_t b = 0; b < n; b += REDUCE_CHUNK) {
    size_t len = std::min(REDUCE_CHUNK, n - b);
    s += lane8_sum(len, [&](size_t i) { return f(b + i); });
  }
  return s;
}

// Rows [r0, r1) of logits x [*, c] with class labels: row_loss[r] gets
// (1-eps)·(lse - x[y]) + eps·mean_j(lse - x[j]) (just lse - x[y] when eps = 0),
// grad[r, j] = (softmax_j - target_j) · inv_n with target_j = (1-eps)·[j = y] + eps/c.
// lse = m + log(sum_j exp(x_j - m)), m the row maximum: all in double.
void cross_entropy_rows(const float* x, const int32_t* labels, size_t r0, size_t r1, size_t c, double eps,
                        double inv_n, float* grad, double* row_loss) {
  const double off = eps / static_cast<double>(c);
  for (size_t r = r0; r < r1; r++) {
    const float* row = x + r * c;
    float m = row[0];
    for (size_t j = 1; j < c; j++) m = row[j] > m ? row[j] : m;
    const double md = m;
    double s = fixed_sum(c, [&](size_t j) { return mathfn::exp(static_cast<double>(row[j]) - md); });
    double lse = md + mathfn::log(s);
    size_t y = static_cast<size_t>(labels[r]);
    double loss = lse - static_cast<double>(row[y]);
    if (eps > 0.0) {
      double smooth = fixed_sum(c, [&](size_t j) { return lse - static_cast<double>(row[j]); });
      loss = (1.0 - eps) * loss + eps * (smooth / static_cast<double>(c));
    }
    row_loss[r] = loss;
    float* g = grad + r * c;
    for (size_t j = 0; j < c; j++) {
      double p = mathfn::exp(static_cast<double>(row[j]) - lse);
      double t = j == y ? (1.0 - eps) + off : off;
      g[j] = static_cast<float>((p - t) * inv_n);
    }
  }
}

// One chunk of x: lane8 sum (the fixed order within a chunk).
double sum_f64(const double* x, size_t n) {
  return lane8_sum(n, [x](size_t i) { return x[i]; });
}

// One chunk of MSE: d = x - t (float); grad = d * scale (float); returns the
// lane8 sum of d*d in double.
double mse_chunk(const float* DF_RESTRICT x, const float* DF_RESTRICT t, float* DF_RESTRICT grad, size_t n,
                 double scale_d) {
  const float scale = static_cast<float>(scale_d);
  for (size_t i = 0; i < n; i++) {
    float d = x[i] - t[i];
    grad[i] = d * scale;
  }
  return lane8_sum(n, [&](size_t i) {
    double d = static_cast<float>(x[i] - t[i]);
    return d * d;
  });
}

}  // namespace

void fill_loss(LossKernels& k) {
  k.cross_entropy_rows = cross_entropy_rows;
  k.sum_f64 = sum_f64;
  k.mse_chunk = mse_chunk;
}

}  // namespace DF_ISA
}  // namespace df
