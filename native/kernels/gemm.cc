// Single-precision GEMM: C[m,n] (+)= op(A)[m,k] · op(B)[k,n], row-major, with
// op = identity or transpose. Packed, cache-blocked and register-tiled.
//
// Exactness: every output element is accumulated in k order, one float multiply
// then one float add per step (never FMA), starting from +0 or from the
// existing C. Blocking only decides when an accumulator is stored to C and
// reloaded, which does not change a float's bits, so the result is the same
// for every block size, micro-tile shape, ISA and thread split, and equal to
// the reference (src/reference/gemm.ts).
//
// Blocking (BLIS style): C is computed one rectangle at a time (the driver
// hands each thread whole rectangles). For each KC-deep slice of k, the
// rectangle's slice of B is packed into NR-column panels (the KC×NC panel
// stays in L2); for each MC-row block of A, its slice is packed into MR-row
// panels (L2); the micro-kernel then sweeps each KC×NR panel of B (in L1)
// with every MR-row panel of A, holding an MR×NR tile of C in registers.
#include <algorithm>
#include <limits>
#include <vector>

#include "isa.h"

#if defined(__AVX512F__) || defined(__AVX2__)
#include <immintrin.h>
#endif

namespace df {
namespace DF_ISA {
namespace {

// The micro-tile: MR rows × NR columns of C held in registers.
#if defined(__AVX512F__)
// 16 zmm accumulators, one vector per row: per k step one load of B and 16
// broadcast loads of A folded into the 16 multiplies.
constexpr size_t MR = 16, NR = 16;
constexpr size_t VL = 16;
#elif defined(__AVX2__)
constexpr size_t MR = 6, NR = 16;   // 12 ymm accumulators
constexpr size_t VL = 8;
#else
constexpr size_t MR = 4, NR = 8;
constexpr size_t VL = 1;
#endif
// A KC×NR micro-panel of B stays in L1 while the micro-kernel sweeps it with
// every MR-row panel of A; the KC×NC panel of B and the MC×KC block of A stay
// in L2.
constexpr size_t KC = 256;
constexpr size_t MC = 144;   // a multiple of every MR above (16, 6, 4)
constexpr size_t NC = 512;

// The operands: op(A) is [m,k] (A stored [k,m] when trans), op(B) is [k,n]
// (B stored [n,k] when trans).
struct MatA {
  const float* a;
  size_t m, k;
  bool trans;
};
struct MatB {
  const float* b;
  size_t k, n;
  bool trans;
};

// The vector type of the SIMD micro-kernel and the few operations it needs.
#if defined(__AVX512F__)
struct Vec {
  using T = __m512;
  static T load(const float* p) { return _mm512_load_ps(p); }
  static T loadu(const float* p) { return _mm512_loadu_ps(p); }
  static void storeu(float* p, T v) { _mm512_storeu_ps(p, v); }
  static T add(T x, T y) { return _mm512_add_ps(x, y); }
  // b * broadcast(*a). With one use per broadcast value (a tile one vector
  // wide) the compiler folds the broadcast into the multiply's load
  // (vmulps m32{1to16}), so it never takes a slot on the floating-point pipes
  // the multiplies and adds need.
  static T mul_bcast(T b, const float* a) { return _mm512_mul_ps(b, _mm512_set1_ps(*a)); }
};
#elif defined(__AVX2__)
struct Vec {
  using T = __m256;
  static T load(const float* p) { return _mm256_load_ps(p); }
  static T loadu(const float* p) { return _mm256_loadu_ps(p); }
  static void storeu(float* p, T v) { _mm256_storeu_ps(p, v); }
  static T add(T x, T y) { return _mm256_add_ps(x, y); }
  static T mul_bcast(T b, const float* a) { return _mm256_mul_ps(b, _mm256_broadcast_ss(a)); }
};
#endif

// dst[p*W + i] = src_i[p] for the `valid` streams src_i = base + i*ld (i < W),
// zero for i in [valid, W): the streams are read in step and the panel written
// in order. Padding never forms pointers past the operand.
template <size_t W>
void pack_streams(const float* base, size_t ld, size_t valid, size_t kc, float* DF_RESTRICT dst) {
  const float* src[W];
  for (size_t i = 0; i < valid; i++) src[i] = base + i * ld;
  for (size_t p = 0; p < kc; p++) {
    size_t i = 0;
    for (; i < valid; i++) dst[p * W + i] = src[i][p];
    for (; i < W; i++) dst[p * W + i] = 0.0f;
  }
}

// dst[p*W + i] = (base + p*ld)[i] for i < valid, zero for i in [valid, W).
template <size_t W>
void pack_rows(const float* base, size_t ld, size_t valid, size_t kc, float* DF_RESTRICT dst) {
  for (size_t p = 0; p < kc; p++) {
    const float* src = base + p * ld;
    size_t i = 0;
    for (; i < valid; i++) dst[p * W + i] = src[i];
    for (; i < W; i++) dst[p * W + i] = 0.0f;
  }
}

struct Tile {
  // Packs rows [i0, i0+mc) × depth [p0, p0+kc) of op(A) into MR-row panels:
  // panel r holds, for each p, MR consecutive values (zero past the last row).
  static void pack_a(const MatA& A, size_t i0, size_t mc, size_t p0, size_t kc, float* DF_RESTRICT dst) {
    for (size_t ir = 0; ir < mc; ir += MR) {
      size_t rows = std::min(MR, mc - ir);
      if (!A.trans) pack_streams<MR>(A.a + (i0 + ir) * A.k + p0, A.k, rows, kc, dst);
      else pack_rows<MR>(A.a + p0 * A.m + i0 + ir, A.m, rows, kc, dst);
      dst += MR * kc;
    }
  }

  // Packs depth [p0, p0+kc) × columns [j0, j0+nc) of op(B) into NR-column
  // panels: panel c holds, for each p, NR consecutive values (zero past the end).
  static void pack_b(const MatB& B, size_t p0, size_t kc, size_t j0, size_t nc, float* DF_RESTRICT dst) {
    for (size_t jr = 0; jr < nc; jr += NR) {
      size_t cols = std::min(NR, nc - jr);
      if (!B.trans) pack_rows<NR>(B.b + p0 * B.n + j0 + jr, B.n, cols, kc, dst);
      else pack_streams<NR>(B.b + (j0 + jr) * B.k + p0, B.k, cols, kc, dst);
      dst += NR * kc;
    }
  }

  // C[MR×NR] (row stride ldc) += packed A panel · packed B panel over kc
  // steps, each step c = c + a*b as a separate multiply and add.
  static void micro(size_t kc, const float* DF_RESTRICT a, const float* DF_RESTRICT b, float* c, size_t ldc) {
#if defined(__AVX512F__) || defined(__AVX2__)
    constexpr size_t NV = NR / VL;
    typename Vec::T acc[MR][NV];
    for (size_t r = 0; r < MR; r++)
      for (size_t v = 0; v < NV; v++) acc[r][v] = Vec::loadu(c + r * ldc + VL * v);
    for (size_t p = 0; p < kc; p++) {
      typename Vec::T bv[NV];
      for (size_t v = 0; v < NV; v++) bv[v] = Vec::load(b + p * NR + VL * v);
      for (size_t r = 0; r < MR; r++)
        for (size_t v = 0; v < NV; v++) acc[r][v] = Vec::add(acc[r][v], Vec::mul_bcast(bv[v], a + p * MR + r));
    }
    for (size_t r = 0; r < MR; r++)
      for (size_t v = 0; v < NV; v++) Vec::storeu(c + r * ldc + VL * v, acc[r][v]);
#else
    float acc[MR][NR];
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) acc[r][j] = c[r * ldc + j];
    for (size_t p = 0; p < kc; p++)
      for (size_t r = 0; r < MR; r++) {
        float av = a[p * MR + r];
        for (size_t j = 0; j < NR; j++) {
          float prod = av * b[p * NR + j];
          acc[r][j] = acc[r][j] + prod;
        }
      }
    for (size_t r = 0; r < MR; r++)
      for (size_t j = 0; j < NR; j++) c[r * ldc + j] = acc[r][j];
#endif
  }

  // A partial tile (rows < MR or cols < NR) runs through a full-size scratch tile.
  static void micro_edge(size_t kc, const float* a, const float* b, float* c, size_t ldc, size_t rows, size_t cols) {
    alignas(64) float t[MR * NR];
    for (size_t r = 0; r < rows; r++)
      for (size_t j = 0; j < cols; j++) t[r * NR + j] = c[r * ldc + j];
    micro(kc, a, b, t, NR);
    for (size_t r = 0; r < rows; r++)
      for (size_t j = 0; j < cols; j++) c[r * ldc + j] = t[r * NR + j];
  }

  // C block [mc×nc] (row stride ldc) += packed A block · packed B panel.
  static void block(size_t kc, size_t mc, size_t nc, const float* ap, const float* bp, float* c, size_t ldc) {
    for (size_t jr = 0; jr < nc; jr += NR) {
      size_t cols = std::min(NR, nc - jr);
      const float* bpanel = bp + jr * kc;
      for (size_t ir = 0; ir < mc; ir += MR) {
        size_t rows = std::min(MR, mc - ir);
        float* ct = c + ir * ldc + jr;
        const float* apanel = ap + ir * kc;
        if (rows == MR && cols == NR) micro(kc, apanel, bpanel, ct, ldc);
        else micro_edge(kc, apanel, bpanel, ct, ldc, rows, cols);
      }
    }
  }

  // C[i0:i1, j0:j1] += op(A)·op(B), through packed, cache-sized blocks.
  static void run(const MatA& A, const MatB& B, float* c, size_t ldc, size_t i0, size_t i1, size_t j0, size_t j1,
                  float* ap, float* bp) {
    for (size_t jc = j0; jc < j1; jc += NC) {
      size_t nc = std::min(NC, j1 - jc);
      for (size_t p0 = 0; p0 < A.k; p0 += KC) {
        size_t kc = std::min(KC, A.k - p0);
        pack_b(B, p0, kc, jc, nc, bp);
        for (size_t ic = i0; ic < i1; ic += MC) {
          size_t mc = std::min(MC, i1 - ic);
          pack_a(A, ic, mc, p0, kc, ap);
          block(kc, mc, nc, ap, bp, c + ic * ldc + jc, ldc);
        }
      }
    }
  }
};

// A 64-byte-aligned scratch buffer per thread, grown on demand.
float* scratch(std::vector<float>& buf, size_t floats) {
  if (buf.size() < floats + 16) buf.resize(floats + 16);
  uintptr_t p = reinterpret_cast<uintptr_t>(buf.data());
  return reinterpret_cast<float*>((p + 63) & ~uintptr_t(63));
}

// Replaces every NaN in the rectangle by the canonical quiet NaN (0x7fc00000).
// When two NaNs meet in an add, x86 keeps the first operand's; a JS engine may
// commute the operands, so without this the reference could not match the
// NaN's sign bit.
void canonical_nan(float* c, size_t ldc, size_t i0, size_t i1, size_t j0, size_t j1) {
  const float qnan = std::numeric_limits<float>::quiet_NaN();
  for (size_t i = i0; i < i1; i++) {
    float* row = c + i * ldc;
    for (size_t j = j0; j < j1; j++) row[j] = row[j] != row[j] ? qnan : row[j];
  }
}

// Computes the rectangle rows [i0, i1) × columns [j0, j1) of C.
void sgemm_block(int trans_a, int trans_b, size_t m, size_t n, size_t k, const float* a, const float* b,
                 float* c, int accumulate, size_t i0, size_t i1, size_t j0, size_t j1) {
  if (i1 <= i0 || j1 <= j0) return;
  if (!accumulate)
    for (size_t i = i0; i < i1; i++) std::memset(c + i * n + j0, 0, (j1 - j0) * sizeof(float));
  if (k > 0) {
    static thread_local std::vector<float> abuf, bbuf;
    float* bp = scratch(bbuf, (NC + NR) * KC);
    float* ap = scratch(abuf, (MC + MR) * KC);
    MatA A{a, m, k, trans_a != 0};
    MatB B{b, k, n, trans_b != 0};
    Tile::run(A, B, c, n, i0, i1, j0, j1, ap, bp);
  }
  canonical_nan(c, n, i0, i1, j0, j1);
}

// out[j] = out[j] + x[i, j] for i = 0, 1, ... in order (float adds): the bias
// gradient, summed over the batch in the same order GEMM sums over k.
void col_sum_acc(const float* DF_RESTRICT x, size_t m, size_t n, float* DF_RESTRICT out, size_t j0, size_t j1) {
  for (size_t i = 0; i < m; i++) {
    const float* row = x + i * n;
    for (size_t j = j0; j < j1; j++) out[j] = out[j] + row[j];
  }
}

// The peak-rate probe for the benchmarks: independent FMA chains that never
// touch memory. Returns the number of floating-point operations done.
double fma_peak(size_t iters, float* sink) {
#if defined(__AVX512F__)
  constexpr int CH = 12;
  __m512 acc[CH];
  for (int i = 0; i < CH; i++) acc[i] = _mm512_set1_ps(0.001f * i);
  __m512 x = _mm512_set1_ps(0.9999f), y = _mm512_set1_ps(0.0001f);
  for (size_t t = 0; t < iters; t++)
    for (int i = 0; i < CH; i++) acc[i] = _mm512_fmadd_ps(acc[i], x, y);
  __m512 s = acc[0];
  for (int i = 1; i < CH; i++) s = _mm512_add_ps(s, acc[i]);
  *sink = _mm512_reduce_add_ps(s);
  return 2.0 * 16 * CH * static_cast<double>(iters);
#elif defined(__AVX2__)
  constexpr int CH = 12;
  __m256 acc[CH];
  for (int i = 0; i < CH; i++) acc[i] = _mm256_set1_ps(0.001f * i);
  __m256 x = _mm256_set1_ps(0.9999f), y = _mm256_set1_ps(0.0001f);
  for (size_t t = 0; t < iters; t++)
    for (int i = 0; i < CH; i++) acc[i] = _mm256_fmadd_ps(acc[i], x, y);
  alignas(32) float v[8];
  __m256 s = acc[0];
  for (int i = 1; i < CH; i++) s = _mm256_add_ps(s, acc[i]);
  _mm256_store_ps(v, s);
  *sink = v[0] + v[7];
  return 2.0 * 8 * CH * static_cast<double>(iters);
#else
  // No FMA in the portable build: a multiply and an add per step, same count.
  // Enough chains to cover the multiply-then-add latency once vectorized.
  constexpr int CH = 64;
  float acc[CH];
  for (int i = 0; i < CH; i++) acc[i] = 0.001f * i;
  for (size_t t = 0; t < iters; t++)
    for (int i = 0; i < CH; i++) acc[i] = acc[i] * 0.9999f + 0.0001f;
  float s = 0;
  for (int i = 0; i < CH; i++) s += acc[i];
  *sink = s;
  return 2.0 * CH * static_cast<double>(iters);
#endif
}

}  // namespace

void fill_gemm(GemmKernels& k) {
  k.mr = MR;
  k.nr = NR;
  k.sgemm_block = sgemm_block;
  k.col_sum_acc = col_sum_acc;
  k.fma_peak = fma_peak;
}

}  // namespace DF_ISA
}  // namespace df
