// Batch normalization kernels on [N, C, L] (L = 1 for [N, C], H*W for 2d).
// Channel c holds the M = N*L values x[n][c][l], enumerated t = n*L + l; each
// per-channel sum runs in the fixed order of table.h over t (chunks of
// REDUCE_CHUNK, lane t mod 8, double accumulation). The TS twin is
// src/reference/batchnorm.ts.
//
// Sums work on channel ranges [c0, c1) (the driver splits channels over
// threads, so a channel's sum never depends on the thread count). The
// elementwise passes work on row ranges: rows of C values when L = 1, rows
// (n, c) of L values otherwise.
#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

inline double combine8(const double* l) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// Two fixed-order sums per channel, sum0 += f0(i, c), sum1 += f1(i, c), where
// i is the flat index of x[n][c][l]; out0[c], out1[c] receive them. L > 1: per
// channel, the contiguous runs x[n][c][*] in t order.
template <class F0, class F1>
void channel_sums_runs(size_t N, size_t C, size_t L, size_t c0, size_t c1, F0 f0, F1 f1, double* out0,
                       double* out1) {
  size_t M = N * L;
  for (size_t c = c0; c < c1; c++) {
    double s0 = 0.0, s1 = 0.0;
    for (size_t tb = 0; tb < M; tb += REDUCE_CHUNK) {
      size_t te = tb + REDUCE_CHUNK < M ? tb + REDUCE_CHUNK : M;
      double a[8] = {0, 0, 0, 0, 0, 0, 0, 0}, b[8] = {0, 0, 0, 0, 0, 0, 0, 0};
      for (size_t t = tb; t < te;) {
        size_t n = t / L;
        size_t run_end = (n + 1) * L < te ? (n + 1) * L : te;  // t of this row's end (or the chunk's)
        size_t base = (n * C + c) * L - n * L;                  // flat index = base + t
        for (; t < run_end && (t & 7); t++) { a[t & 7] += f0(base + t, c); b[t & 7] += f1(base + t, c); }
        for (; t + 8 <= run_end; t += 8)
          for (int j = 0; j < 8; j++) { a[j] += f0(base + t + j, c); b[j] += f1(base + t + j, c); }
        for (; t < run_end; t++) { a[t & 7] += f0(base + t, c); b[t & 7] += f1(base + t, c); }
      }
      s0 += combine8(a);
      s1 += combine8(b);
    }
    out0[c] = s0;
    out1[c] = s1;
  }
}

// L = 1: channel c's values are x[n][c], t = n. Lanes of a block of channels
// advance together, one row at a time, so the loop runs along c (contiguous).
constexpr size_t CBLOCK = 64;
template <class F0, class F1>
void channel_sums_rows(size_t N, size_t C, size_t c0, size_t c1, F0 f0, F1 f1, double* out0, double* out1) {
  for (size_t cb = c0; cb < c1; cb += CBLOCK) {
    size_t w = c1 - cb < CBLOCK ? c1 - cb : CBLOCK;
    double s0[CBLOCK], s1[CBLOCK];
    for (size_t k = 0; k < w; k++) s0[k] = s1[k] = 0.0;
    for (size_t nb = 0; nb < N; nb += REDUCE_CHUNK) {
      size_t ne = nb + REDUCE_CHUNK < N ? nb + REDUCE_CHUNK : N;
      double a[8][CBLOCK], b[8][CBLOCK];
      for (int j = 0; j < 8; j++)
        for (size_t k = 0; k < w; k++) a[j][k] = b[j][k] = 0.0;
      for (size_t n = nb; n < ne; n++) {
        double* aj = a[n & 7];
        double* bj = b[n & 7];
        size_t base = n * C + cb;
        for (size_t k = 0; k < w; k++) {
          aj[k] += f0(base + k, cb + k);
          bj[k] += f1(base + k, cb + k);
        }
      }
      for (size_t k = 0; k < w; k++) {
        double la[8], lb[8];
        for (int j = 0; j < 8; j++) { la[j] = a[j][k]; lb[j] = b[j][k]; }
        s0[k] += combine8(la);
        s1[k] += combine8(lb);
      }
    }
    for (size_t k = 0; k < w; k++) {
      out0[cb + k] = s0[k];
      out1[cb + k] = s1[k];
    }
  }
}

template <class F0, class F1>
void channel_sums(size_t N, size_t C, size_t L, size_t c0, size_t c1, F0 f0, F1 f1, double* out0, double* out1) {
  if (L == 1) channel_sums_rows(N, C, c0, c1, f0, f1, out0, out1);
  else channel_sums_runs(N, C, L, c0, c1, f0, f1, out0, out1);
}

// sum[c] = sum of x, sumsq[c] = sum of x*x (both in double).
void stats(const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1, double* sum, double* sumsq) {
  channel_sums(
      N, C, L, c0, c1, [x](size_t i, size_t) { return static_cast<double>(x[i]); },
      [x](size_t i, size_t) { double v = x[i]; return v * v; }, sum, sumsq);
}

// sum_g[c] = sum of g, sum_gx[c] = sum of g * (x - mean[c]).
void backward_sums(const float* g, const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1,
                   const double* mean, double* sum_g, double* sum_gx) {
  channel_sums(
      N, C, L, c0, c1, [g](size_t i, size_t) { return static_cast<double>(g[i]); },
      [g, x, mean](size_t i, size_t c) { return static_cast<double>(g[i]) * (static_cast<double>(x[i]) - mean[c]); },
      sum_g, sum_gx);
}

// y = float((x - mean[c]) * a[c] + b[c]) in double, over rows [r0, r1).
void apply(const float* x, float* y, size_t r0, size_t r1, size_t C, size_t L, const double* mean,
           const double* a, const double* b) {
  if (L == 1) {
    for (size_t n = r0; n < r1; n++) {
      const float* xr = x + n * C;
      float* yr = y + n * C;
      for (size_t c = 0; c < C; c++) yr[c] = static_cast<float>((static_cast<double>(xr[c]) - mean[c]) * a[c] + b[c]);
    }
    return;
  }
  for (size_t r = r0; r < r1; r++) {
    size_t c = r % C;
    double m = mean[c], ac = a[c], bc = b[c];
    const float* xr = x + r * L;
    float* yr = y + r * L;
    for (size_t l = 0; l < L; l++) yr[l] = static_cast<float>((static_cast<double>(xr[l]) - m) * ac + bc);
  }
}

// Training: dx = float(((g - k1[c]) - (x - mean[c]) * k2[c]) * k3[c]);
// eval (train = 0): dx = float(g * k3[c]). In double, over rows [r0, r1).
void backward_apply(const float* g, const float* x, float* dx, size_t r0, size_t r1, size_t C, size_t L,
                    const double* mean, const double* k1, const double* k2, const double* k3, int train) {
  auto one = [train](float gv, float xv, double m, double a1, double a2, double a3) {
    double gd = gv;
    return static_cast<float>(train ? ((gd - a1) - (static_cast<double>(xv) - m) * a2) * a3 : gd * a3);
  };
  if (L == 1) {
    for (size_t n = r0; n < r1; n++) {
      size_t o = n * C;
      for (size_t c = 0; c < C; c++) dx[o + c] = one(g[o + c], x[o + c], mean[c], k1[c], k2[c], k3[c]);
    }
    return;
  }
  for (size_t r = r0; r < r1; r++) {
    size_t c = r % C, o = r * L;
    double m = mean[c], a1 = k1[c], a2 = k2[c], a3 = k3[c];
    if (train) {
      for (size_t l = 0; l < L; l++)
        dx[o + l] = static_cast<float>(((static_cast<double>(g[o + l]) - a1) - (static_cast<double>(x[o + l]) - m) * a2) * a3);
    } else {
      for (size_t l = 0; l < L; l++) dx[o + l] = static_cast<float>(static_cast<double>(g[o + l]) * a3);
    }
  }
}

}  // namespace

void fill_batchnorm(BatchNormKernels& k) {
  k.stats = stats;
  k.backward_sums = backward_sums;
  k.apply = apply;
  k.backward_apply = backward_apply;
}

}  // namespace DF_ISA
}  // namespace df
