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
#include <algorithm>
#include <limits>
#include <vector>
#if defined(__SSE2__)
#include <immintrin.h>
#endif

#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

inline double combine8(const double* l) {
  return ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]));
}

// Eight doubles: one lane group of the fixed order (GCC vector extension, so
// every ISA adds the eight lanes at once, each lane in IEEE double).
// Where the ISA has no 64-byte registers, v8d is 8 / VW native vectors: GCC
// lowers a 64-byte vector type there through the stack, one element at a
// time. Each lane is the same IEEE double operation either way.
#pragma GCC diagnostic ignored "-Wpsabi"
#if defined(__AVX512F__)
typedef double v8d __attribute__((vector_size(64)));
// One vcvtps2pd from memory: GCC 12 (generic tuning) lowers the vector-extension
// conversion of a loaded 32-byte vector into two 4-wide converts and a shuffle.
inline v8d load8(const float* p) { return (v8d)_mm512_cvtps_pd(_mm256_loadu_ps(p)); }
#else
constexpr int VW = VEC_BYTES / 8;
typedef double vnd __attribute__((vector_size(VW * 8)));
typedef float vnf __attribute__((vector_size(VW * 4)));
struct v8d {
  vnd p[8 / VW];
};
inline v8d load8(const float* x) {
  v8d r;
  for (int k = 0; k < 8 / VW; k++) {
    vnf v;
    std::memcpy(&v, x + k * VW, sizeof v);
    r.p[k] = __builtin_convertvector(v, vnd);
  }
  return r;
}
inline v8d& operator+=(v8d& a, const v8d& b) {
  for (int k = 0; k < 8 / VW; k++) a.p[k] += b.p[k];
  return a;
}
inline v8d operator*(const v8d& a, const v8d& b) {
  v8d r;
  for (int k = 0; k < 8 / VW; k++) r.p[k] = a.p[k] * b.p[k];
  return r;
}
inline v8d operator-(const v8d& a, double s) {
  v8d r;
  for (int k = 0; k < 8 / VW; k++) r.p[k] = a.p[k] - s;
  return r;
}
inline v8d operator-(const v8d& a, const v8d& b) {
  v8d r;
  for (int k = 0; k < 8 / VW; k++) r.p[k] = a.p[k] - b.p[k];
  return r;
}
#endif
// Eight doubles from memory, and back.
inline v8d load8d(const double* p) {
  v8d r;
  std::memcpy(&r, p, sizeof r);
  return r;
}
inline void store8d(double* p, const v8d& v) { std::memcpy(p, &v, sizeof v); }

// s += v * v, for v holding floats converted to double. The product of two
// floats is exact in double (24 + 24 bits), so a fused multiply-add, which
// rounds once, gives the same bits as the multiply (exact) and the add (one
// rounding): the same result as the reference's v * v then +. Where the ISA
// has FMA units this moves the multiply-add off the adder, which also does
// the conversions; it is the one fused operation in these kernels.
inline void add_square(v8d& s, const v8d& v) {
#if defined(__AVX512F__)
  s = (v8d)_mm512_fmadd_pd((__m512d)v, (__m512d)v, (__m512d)s);
#elif defined(__FMA__)
  for (int k = 0; k < 8 / VW; k++) s.p[k] = (vnd)_mm256_fmadd_pd((__m256d)v.p[k], (__m256d)v.p[k], (__m256d)s.p[k]);
#else
  s += v * v;
#endif
}

// Two fixed-order sums per channel, sum0 += f0(i, c), sum1 += f1(i, c), where
// i is the flat index of x[n][c][l]; out0[c], out1[c] receive them. L > 1:
// the runs x[n][c][*] are visited in memory order (n, then c), each adding
// to its channel's lanes, so the reads stream; a channel's lanes still see
// their terms in t order. f0v(i, c) and f1v(i, c) give the terms of
// i .. i + 7 at once (the same values lane by lane).
template <class F0, class F1, class F0v, class F1v>
void channel_sums_runs(size_t N, size_t C, size_t L, size_t c0, size_t c1, F0 f0, F1 f1, F0v f0v, F1v f1v,
                       double* out0, double* out1) {
  size_t M = N * L, w = c1 - c0;
  std::vector<double> lanes(w * 16);  // channel k: lanes[16k .. 16k + 7] for sum0, then 8 for sum1
  for (size_t k = 0; k < w; k++) out0[c0 + k] = out1[c0 + k] = 0.0;
  for (size_t tb = 0; tb < M; tb += REDUCE_CHUNK) {
    size_t te = tb + REDUCE_CHUNK < M ? tb + REDUCE_CHUNK : M;
    std::fill(lanes.begin(), lanes.end(), 0.0);
    for (size_t n = tb / L; n * L < te; n++) {
      size_t r0 = n * L > tb ? n * L : tb, r1 = (n + 1) * L < te ? (n + 1) * L : te;  // t range of row n in the chunk
      for (size_t c = c0; c < c1; c++) {
        double* la = &lanes[16 * (c - c0)];
        double* lb = la + 8;
        size_t base = (n * C + c) * L - n * L;  // flat index = base + t
        size_t t = r0;
        for (; t < r1 && (t & 7); t++) { la[t & 7] += f0(base + t, c); lb[t & 7] += f1(base + t, c); }
        v8d a, b;
        std::memcpy(&a, la, sizeof a);
        std::memcpy(&b, lb, sizeof b);
        for (; t + 8 <= r1; t += 8) {
          a += f0v(base + t, c);
          b += f1v(base + t, c);
        }
        std::memcpy(la, &a, sizeof a);
        std::memcpy(lb, &b, sizeof b);
        for (; t < r1; t++) { la[t & 7] += f0(base + t, c); lb[t & 7] += f1(base + t, c); }
      }
    }
    for (size_t k = 0; k < w; k++) {
      out0[c0 + k] += combine8(&lanes[16 * k]);
      out1[c0 + k] += combine8(&lanes[16 * k + 8]);
    }
  }
}

// L = 1: channel c's values are x[n][c], t = n. Channels go in blocks of up
// to CBLOCK; a block's lanes (lane j of channel k at A[j][k]) stay in L1
// while the rows stream past, and each row of the block is one contiguous
// run, so the work vectorizes along k. Lane j takes rows j, j + 8, j + 16...;
// rows go in tiles of 8 * RUN, and each visit of lane j adds its RUN rows of
// the tile in order in registers (the same sums as one row at a time, with
// 1 / RUN of the stores: a store of every lane per row is what bounds the
// simpler loop). Rows after the last whole tile of a chunk go one at a time,
// as do the channels after the last 8 of a block. Fewer than 8 channels go
// one at a time (a row of them is too short to vectorize).
//
// fv(i, c, s0, s1) adds to s0, s1 the terms of the 8 channels c .. c + 7 at
// flat indices i .. i + 7 (one row), each lane as adding f0(i + k, c + k) and
// f1(i + k, c + k) would.
constexpr size_t CBLOCK = 64;
constexpr size_t RUN = 4;
template <class F0, class F1, class FV>
void channel_sums_rows(size_t N, size_t C, size_t c0, size_t c1, F0 f0, F1 f1, FV fv, double* out0, double* out1) {
  for (size_t c = c0; c < c1; c++) out0[c] = out1[c] = 0.0;
  if (c1 - c0 < 8) {
    for (size_t c = c0; c < c1; c++)
      for (size_t nb = 0; nb < N; nb += REDUCE_CHUNK) {
        size_t ne = nb + REDUCE_CHUNK < N ? nb + REDUCE_CHUNK : N;
        double la[8] = {0, 0, 0, 0, 0, 0, 0, 0}, lb[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (size_t n = nb; n < ne; n++) {
          la[n & 7] += f0(n * C + c, c);
          lb[n & 7] += f1(n * C + c, c);
        }
        out0[c] += combine8(la);
        out1[c] += combine8(lb);
      }
    return;
  }
  for (size_t cb = c0; cb < c1; cb += CBLOCK) {
    size_t w = c1 - cb < CBLOCK ? c1 - cb : CBLOCK;
    size_t wv = w & ~size_t(7);  // channels done 8 at a time
    for (size_t nb = 0; nb < N; nb += REDUCE_CHUNK) {
      size_t ne = nb + REDUCE_CHUNK < N ? nb + REDUCE_CHUNK : N;
      // Rows of a lane are CBLOCK + 8 doubles apart, so A[j] and B[j] never
      // share a 4 KiB page offset (loads would wait on unrelated stores).
      alignas(64) double A[8][CBLOCK + 8], B[8][CBLOCK + 8];
      for (int j = 0; j < 8; j++)
        for (size_t k = 0; k < CBLOCK; k++) A[j][k] = B[j][k] = 0.0;
      size_t n = nb;
      for (; n + 8 * RUN <= ne; n += 8 * RUN) {
        for (size_t j = 0; j < 8; j++) {
          double* a = A[j];
          double* b = B[j];
          size_t base = (n + j) * C + cb;
          for (size_t k = 0; k < wv; k += 8) {
            v8d sa = load8d(a + k), sb = load8d(b + k);
            for (size_t r = 0; r < RUN; r++) fv(base + 8 * r * C + k, cb + k, sa, sb);
            store8d(a + k, sa);
            store8d(b + k, sb);
          }
          for (size_t k = wv; k < w; k++)
            for (size_t r = 0; r < RUN; r++) {
              a[k] += f0(base + 8 * r * C + k, cb + k);
              b[k] += f1(base + 8 * r * C + k, cb + k);
            }
        }
      }
      for (; n < ne; n++) {
        double* a = A[n & 7];
        double* b = B[n & 7];
        size_t base = n * C + cb;
        for (size_t k = 0; k < w; k++) {
          a[k] += f0(base + k, cb + k);
          b[k] += f1(base + k, cb + k);
        }
      }
      for (size_t k = 0; k < w; k++) {
        double la[8], lb[8];
        for (int j = 0; j < 8; j++) {
          la[j] = A[j][k];
          lb[j] = B[j][k];
        }
        out0[cb + k] += combine8(la);
        out1[cb + k] += combine8(lb);
      }
    }
  }
}

// f0v/f1v: the terms of 8 consecutive flat indices of one channel (L > 1);
// fv: both terms of one row's 8 consecutive channels (L = 1).
template <class F0, class F1, class F0v, class F1v, class FV>
void channel_sums(size_t N, size_t C, size_t L, size_t c0, size_t c1, F0 f0, F1 f1, F0v f0v, F1v f1v, FV fv,
                  double* out0, double* out1) {
  if (L == 1) channel_sums_rows(N, C, c0, c1, f0, f1, fv, out0, out1);
  else channel_sums_runs(N, C, L, c0, c1, f0, f1, f0v, f1v, out0, out1);
}

// sum[c] = sum of x, sumsq[c] = sum of x*x (both in double).
void stats(const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1, double* sum, double* sumsq) {
  channel_sums(
      N, C, L, c0, c1, [x](size_t i, size_t) { return static_cast<double>(x[i]); },
      [x](size_t i, size_t) { double v = x[i]; return v * v; }, [x](size_t i, size_t) { return load8(x + i); },
      [x](size_t i, size_t) { v8d v = load8(x + i); return v * v; },
      [x](size_t i, size_t, v8d& s0, v8d& s1) {
        v8d v = load8(x + i);
        s0 += v;
        add_square(s1, v);
      },
      sum, sumsq);
}

// sum_g[c] = sum of g, sum_gx[c] = sum of g * (x - mean[c]).
void backward_sums(const float* g, const float* x, size_t N, size_t C, size_t L, size_t c0, size_t c1,
                   const double* mean, double* sum_g, double* sum_gx) {
  channel_sums(
      N, C, L, c0, c1, [g](size_t i, size_t) { return static_cast<double>(g[i]); },
      [g, x, mean](size_t i, size_t c) { return static_cast<double>(g[i]) * (static_cast<double>(x[i]) - mean[c]); },
      [g](size_t i, size_t) { return load8(g + i); },
      [g, x, mean](size_t i, size_t c) { return load8(g + i) * (load8(x + i) - mean[c]); },
      [g, x, mean](size_t i, size_t c, v8d& s0, v8d& s1) {
        v8d gv = load8(g + i);
        s0 += gv;
        s1 += gv * (load8(x + i) - load8d(mean + c));
      },
      sum_g, sum_gx);
}

// NaN results are written as the quiet NaN 0x7fc00000: which NaN operand a
// multiply or add passes on depends on the compiler's operand order.
inline float canonical(float v) { return v != v ? std::numeric_limits<float>::quiet_NaN() : v; }

// y[i] = canonical(x[i] * a[i] + b[i]) (A_VEC) or canonical(x[i] * a0 + b0),
// i in [0, n), with non-temporal stores where y is aligned for them: the
// output then goes to memory without first being read into the cache (a
// third of the traffic of an output far larger than the caches). The same
// two float operations as the plain loop, so the same bits.
template <bool A_VEC>
void affine_stream(const float* x, float* y, size_t n, const float* a, const float* b, float a0, float b0) {
  auto one = [&](size_t i) { y[i] = canonical(x[i] * (A_VEC ? a[i] : a0) + (A_VEC ? b[i] : b0)); };
  size_t i = 0;
#if defined(__AVX512F__) || defined(__AVX__) || defined(__SSE2__)
  constexpr size_t W = VEC_BYTES / 4;
  for (; i < n && (reinterpret_cast<uintptr_t>(y + i) & (W * 4 - 1)); i++) one(i);
  for (; i + W <= n; i += W) {
#if defined(__AVX512F__)
    __m512 va = A_VEC ? _mm512_loadu_ps(a + i) : _mm512_set1_ps(a0);
    __m512 vb = A_VEC ? _mm512_loadu_ps(b + i) : _mm512_set1_ps(b0);
    __m512 v = _mm512_add_ps(_mm512_mul_ps(_mm512_loadu_ps(x + i), va), vb);
    v = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(v, v, _CMP_EQ_OQ), _mm512_set1_ps(std::numeric_limits<float>::quiet_NaN()), v);
    _mm512_stream_ps(y + i, v);
#elif defined(__AVX__)
    __m256 va = A_VEC ? _mm256_loadu_ps(a + i) : _mm256_set1_ps(a0);
    __m256 vb = A_VEC ? _mm256_loadu_ps(b + i) : _mm256_set1_ps(b0);
    __m256 v = _mm256_add_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), va), vb);
    v = _mm256_blendv_ps(_mm256_set1_ps(std::numeric_limits<float>::quiet_NaN()), v, _mm256_cmp_ps(v, v, _CMP_EQ_OQ));
    _mm256_stream_ps(y + i, v);
#else
    __m128 va = A_VEC ? _mm_loadu_ps(a + i) : _mm_set1_ps(a0);
    __m128 vb = A_VEC ? _mm_loadu_ps(b + i) : _mm_set1_ps(b0);
    __m128 v = _mm_add_ps(_mm_mul_ps(_mm_loadu_ps(x + i), va), vb);
    __m128 ok = _mm_cmpeq_ps(v, v);
    v = _mm_or_ps(_mm_and_ps(ok, v), _mm_andnot_ps(ok, _mm_set1_ps(std::numeric_limits<float>::quiet_NaN())));
    _mm_stream_ps(y + i, v);
#endif
  }
#endif
  for (; i < n; i++) one(i);
}

// y = x * alpha[c] + beta[c], two float operations (PyTorch's CPU form), over
// rows [r0, r1); with stream, through non-temporal stores.
void apply(const float* x, float* y, size_t r0, size_t r1, size_t C, size_t L, const float* alpha,
           const float* beta, int stream) {
  if (stream) {
    if (L == 1) {
      for (size_t n = r0; n < r1; n++) affine_stream<true>(x + n * C, y + n * C, C, alpha, beta, 0.f, 0.f);
    } else {
      for (size_t r = r0; r < r1; r++) affine_stream<false>(x + r * L, y + r * L, L, nullptr, nullptr, alpha[r % C], beta[r % C]);
    }
#if defined(__SSE2__)
    _mm_sfence();  // order the streamed stores before the pool reports this piece done
#endif
    return;
  }
  if (L == 1) {
    for (size_t n = r0; n < r1; n++) {
      const float* xr = x + n * C;
      float* yr = y + n * C;
      for (size_t c = 0; c < C; c++) yr[c] = canonical(xr[c] * alpha[c] + beta[c]);
    }
    return;
  }
  for (size_t r = r0; r < r1; r++) {
    size_t c = r % C;
    float ac = alpha[c], bc = beta[c];
    const float* xr = x + r * L;
    float* yr = y + r * L;
    for (size_t l = 0; l < L; l++) yr[l] = canonical(xr[l] * ac + bc);
  }
}

// Training: dx = float(((g - k1[c]) - (x - mean[c]) * k2[c]) * k3[c]);
// eval (train = 0): dx = float(g * k3[c]). In double, over rows [r0, r1).
void backward_apply(const float* g, const float* x, float* dx, size_t r0, size_t r1, size_t C, size_t L,
                    const double* mean, const double* k1, const double* k2, const double* k3, int train) {
  auto one = [train](float gv, float xv, double m, double a1, double a2, double a3) {
    double gd = gv;
    return canonical(static_cast<float>(train ? ((gd - a1) - (static_cast<double>(xv) - m) * a2) * a3 : gd * a3));
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
        dx[o + l] = canonical(static_cast<float>(((static_cast<double>(g[o + l]) - a1) - (static_cast<double>(x[o + l]) - m) * a2) * a3));
    } else {
      for (size_t l = 0; l < L; l++) dx[o + l] = canonical(static_cast<float>(static_cast<double>(g[o + l]) * a3));
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
