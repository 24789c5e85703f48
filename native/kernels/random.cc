// Random kernels: uniform, normal and truncated-normal fills, and dropout's
// forward (draws the mask, one bit per element) and backward. All draw from
// the Philox stream of philox.h; the TS twin is src/reference/random.ts.
//
// Every kernel works on elements [e0, e0 + n) of a call: the pointers point at
// element e0 and e0 is the absolute index that picks the random words, so the
// driver can split a call over threads anywhere (dropout: at multiples of 8,
// so that mask bytes are never shared).

// The vector typedefs below are internal (inlined), so their ABI never matters.
#pragma GCC diagnostic ignored "-Wpsabi"
#include "isa.h"
#include "mathfn.h"
#include "philox.h"

namespace df {
namespace DF_ISA {
namespace {

constexpr int G = PHILOX_GROUP;
using Words = uint32_t[4][G];

// A float in [0, 1) from the top 24 bits of a word: exact, k * 2^-24.
inline float unit24(uint32_t w) { return static_cast<float>(w >> 8) * 5.9604644775390625e-8f; }

void philox(const uint32_t* ctr, const uint32_t* key, uint32_t* out) {
  uint32_t w[4][G];
  uint64_t c = static_cast<uint64_t>(ctr[0]) | static_cast<uint64_t>(ctr[1]) << 32;
  philox_group(c, ctr[2], ctr[3], PhiloxKey(key[0], key[1]), w);
  for (int k = 0; k < 4; k++) out[k] = w[k][0];
}

// out = u * scale + shift, two float operations (no FMA).
void uniform(float* out, size_t n, size_t e0, PhiloxStream s, float scale, float shift) {
  philox_range_linear(e0, n, s, [&](size_t lo, const uint32_t* w, size_t m) {
    float* o = out + (lo - e0);
    for (size_t i = 0; i < m; i++) o[i] = unit24(w[i]) * scale + shift;
  });
}

// Box-Muller runs on VL lanes of doubles with GCC vector extensions: plain
// IEEE operations lane by lane (so the same bits as the scalar mathfn code),
// which each ISA lowers to its widest vectors.
constexpr int VL = VEC_BYTES / 8;
typedef double vd __attribute__((vector_size(VL * 8)));
typedef int64_t vi __attribute__((vector_size(VL * 8)));
typedef uint64_t vu __attribute__((vector_size(VL * 8)));
typedef uint32_t vw __attribute__((vector_size(VL * 4)));
constexpr double TWO_52 = 4503599627370496.0;
constexpr uint64_t TWO_52_BITS = 0x4330000000000000ULL;

// Exact double of integers below 2^52: 2^52 + v by bits, minus 2^52.
inline vd exact_double(vu v) { return reinterpret_cast<vd>(v | TWO_52_BITS) - TWO_52; }

// sqrt and floor with the ISA's own instructions, one native vector at a time.
#if defined(__AVX512F__) || defined(__AVX2__)
#if defined(__AVX512F__)
using NativeVd = __m512d;
inline NativeVd native_sqrt(NativeVd v) { return _mm512_sqrt_pd(v); }
inline NativeVd native_floor(NativeVd v) { return _mm512_roundscale_pd(v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC); }
#else
using NativeVd = __m256d;
inline NativeVd native_sqrt(NativeVd v) { return _mm256_sqrt_pd(v); }
inline NativeVd native_floor(NativeVd v) { return _mm256_floor_pd(v); }
#endif
template <class Op>
inline vd per_native(vd x, Op op) {
  NativeVd h[sizeof(vd) / sizeof(NativeVd)];
  std::memcpy(h, &x, sizeof x);
  for (auto& v : h) v = op(v);
  std::memcpy(&x, h, sizeof x);
  return x;
}
inline vd vsqrt(vd x) { return per_native(x, native_sqrt); }
inline vd vfloor(vd x) { return per_native(x, native_floor); }
#else
inline vd vsqrt(vd x) {
  for (int l = 0; l < VL; l++) x[l] = std::sqrt(x[l]);
  return x;
}
inline vd vfloor(vd x) {
  for (int l = 0; l < VL; l++) x[l] = std::floor(x[l]);
  return x;
}
#endif

// BM vectors evaluated together through the mathfn templates: their long
// polynomial chains interleave, instruction by instruction (same operations,
// lane by lane, so the same bits). Each Horner step waits on the previous
// one, so one chain leaves the FP pipes mostly idle; four keep them busy.
constexpr int BM = 4;
struct VN {
  vd v[BM];
};
#define DF_VN_OP(op)                                                        \
  inline VN operator op(VN x, VN y) {                                       \
    for (int h = 0; h < BM; h++) x.v[h] = x.v[h] op y.v[h];                 \
    return x;                                                               \
  }                                                                         \
  inline VN operator op(VN x, double c) {                                   \
    for (int h = 0; h < BM; h++) x.v[h] = x.v[h] op c;                      \
    return x;                                                               \
  }                                                                         \
  inline VN operator op(double c, VN x) {                                   \
    for (int h = 0; h < BM; h++) x.v[h] = c op x.v[h];                      \
    return x;                                                               \
  }
DF_VN_OP(+)
DF_VN_OP(-)
DF_VN_OP(*)
DF_VN_OP(/)
#undef DF_VN_OP

// mathfn::log for positive normal x (here [2^-32, 1]): the same operations,
// without the special cases.
inline VN log_normal(VN x) {
  VN m, de;
  for (int h = 0; h < BM; h++) {
    vu b = reinterpret_cast<vu>(x.v[h]);
    vd mm = reinterpret_cast<vd>((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
    vd e = exact_double((b >> 52) & 0x7ff) - 1023.0;  // the exponent, exactly
    vi big = mm > 1.4142135623730951;
    m.v[h] = big ? mm * 0.5 : mm;
    de.v[h] = big ? e + 1.0 : e;
  }
  VN logm = mathfn::log_mantissa(m);
  return de * mathfn::LN2_HI + (de * mathfn::LN2_LO + logm);
}

// mathfn::sincos2pi for u in [0, 1), with selects for its branches.
inline void sincos2pi_v(VN u, VN& s, VN& c) {
  VN q, x;
  vi low[BM];
  for (int h = 0; h < BM; h++) {
    vd t = u.v[h] * 4.0;
    q.v[h] = vfloor(t);  // 0, 1, 2 or 3: the quadrant
    vd r = t - q.v[h];
    low[h] = r <= 0.5;
    x.v[h] = low[h] ? r * mathfn::HALF_PI : (1.0 - r) * mathfn::HALF_PI;
  }
  VN sp = mathfn::sin_poly(x), cp = mathfn::cos_poly(x);
  for (int h = 0; h < BM; h++) {
    vd sr = low[h] ? sp.v[h] : cp.v[h], cr = low[h] ? cp.v[h] : sp.v[h];
    vi q0 = q.v[h] == 0.0, q2 = q.v[h] == 2.0, q01 = q.v[h] < 2.0;
    vd s01 = q0 ? sr : cr, c01 = q0 ? cr : -sr;
    vd s23 = q2 ? -sr : -cr, c23 = q2 ? -cr : sr;
    s.v[h] = q01 ? s01 : s23;
    c.v[h] = q01 ? c01 : c23;
  }
}

inline vd load_words(const uint32_t* p) {
  vw w;
  std::memcpy(&w, p, sizeof w);
  return exact_double(__builtin_convertvector(w, vu));
}

// Box-Muller on BM sets of word pairs (a, b): u1 = (a + 1) 2^-32 in (0, 1],
// u2 = b 2^-32; z0 = sqrt(-2 log u1) cos(2 pi u2), z1 = sqrt(-2 log u1)
// sin(2 pi u2), in double. Set h reads a[h], b[h] and writes z0[h], z1[h].
inline void box_muller(const uint32_t* const (&a)[BM], const uint32_t* const (&b)[BM], double* const (&z0)[BM],
                       double* const (&z1)[BM]) {
  constexpr double TWO_M32 = 2.3283064365386963e-10;
  VN u1, u2;
  for (int h = 0; h < BM; h++) {
    u1.v[h] = (load_words(a[h]) + 1.0) * TWO_M32;
    u2.v[h] = load_words(b[h]) * TWO_M32;
  }
  VN l = log_normal(u1);
  VN sn, cs;
  sincos2pi_v(u2, sn, cs);
  for (int h = 0; h < BM; h++) {
    vd rad = vsqrt(-2.0 * l.v[h]);
    vd r0 = rad * cs.v[h], r1 = rad * sn.v[h];
    std::memcpy(z0[h], &r0, sizeof r0);
    std::memcpy(z1[h], &r1, sizeof r1);
  }
}

// out[4j + k] = v[k][j]: four planes back into element order.
inline void interleave4(const float (&v)[4][G], float* out) {
  int j = 0;
#if defined(__AVX2__) || defined(__AVX512F__)
  for (; j + 8 <= G; j += 8) {
    __m256 a = _mm256_load_ps(&v[0][j]), b = _mm256_load_ps(&v[1][j]);
    __m256 c = _mm256_load_ps(&v[2][j]), d = _mm256_load_ps(&v[3][j]);
    __m256 ab0 = _mm256_unpacklo_ps(a, b), ab1 = _mm256_unpackhi_ps(a, b);  // a0 b0 a1 b1 | a4 b4 a5 b5
    __m256 cd0 = _mm256_unpacklo_ps(c, d), cd1 = _mm256_unpackhi_ps(c, d);
    __m256 r0 = _mm256_shuffle_ps(ab0, cd0, 0x44), r1 = _mm256_shuffle_ps(ab0, cd0, 0xEE);  // j = 0|4, 1|5
    __m256 r2 = _mm256_shuffle_ps(ab1, cd1, 0x44), r3 = _mm256_shuffle_ps(ab1, cd1, 0xEE);  // j = 2|6, 3|7
    float* o = out + 4 * j;
    _mm256_storeu_ps(o, _mm256_permute2f128_ps(r0, r1, 0x20));
    _mm256_storeu_ps(o + 8, _mm256_permute2f128_ps(r2, r3, 0x20));
    _mm256_storeu_ps(o + 16, _mm256_permute2f128_ps(r0, r1, 0x31));
    _mm256_storeu_ps(o + 24, _mm256_permute2f128_ps(r2, r3, 0x31));
  }
#endif
  for (; j < G; j++)
    for (int k = 0; k < 4; k++) out[4 * j + k] = v[k][j];
}

// Words (w0, w1) of a block give its elements 0 and 1, (w2, w3) elements 2
// and 3. out = float(z * std + mean), computed in double, rounded once.
void normal(float* out, size_t n, size_t e0, PhiloxStream s, double mean, double std) {
  size_t end = e0 + n;
  philox_range(e0, n, s, [&](size_t g, const Words& w) {
    alignas(64) double z[4][G];
    static_assert(G % (2 * VL) == 0, "two vectors per word plane per call");
    for (int j = 0; j < G; j += 2 * VL) {
      const int k = j + VL;
      box_muller({&w[0][j], &w[2][j], &w[0][k], &w[2][k]}, {&w[1][j], &w[3][j], &w[1][k], &w[3][k]},
                 {&z[0][j], &z[2][j], &z[0][k], &z[2][k]}, {&z[1][j], &z[3][j], &z[1][k], &z[3][k]});
    }
    alignas(64) float v[4][G];
    for (int k = 0; k < 4; k++)
      for (int j = 0; j < G; j++) v[k][j] = static_cast<float>(z[k][j] * std + mean);
    size_t lo = g > e0 ? g : e0, hi = g + 4 * G < end ? g + 4 * G : end;
    if (hi - lo == 4 * G) {
      interleave4(v, out + (lo - e0));
    } else {
      for (size_t e = lo; e < hi; e++) out[e - e0] = v[(e - g) % 4][(e - g) / 4];
    }
  });
}

// PyTorch's inverse-CDF truncated normal, in double: v uniform in (lo, hi)
// (lo, hi = 2 cdf(a) - 1, 2 cdf(b) - 1), x = erfinv(v) * scale + mean with
// scale = std sqrt 2, rounded to float and clamped to [a, b].
void trunc_normal(float* out, size_t n, size_t e0, PhiloxStream s, double lo, double hi, double mean, double scale,
                  float a, float b) {
  constexpr double TWO_M32 = 2.3283064365386963e-10;
  philox_range_linear(e0, n, s, [&](size_t first, const uint32_t* w, size_t m) {
    float* o = out + (first - e0);
    for (size_t i = 0; i < m; i++) {
      double u = (static_cast<double>(w[i]) + 0.5) * TWO_M32;  // (0, 1)
      double v = lo + (hi - lo) * u;
      float x = static_cast<float>(mathfn::erfinv(v) * scale + mean);
      x = x < a ? a : x;
      o[i] = x > b ? b : x;
    }
  });
}

// Dropout forward on elements [e0, e0 + n), e0 a multiple of 8: an element is
// kept when the top 24 bits of its word are below keep_below (so P(keep) =
// keep_below / 2^24 = 1 - p); kept: y = x * scale, dropped: y = 0 by selection
// (never 0 * x, which is NaN for ±Inf and NaN). Bit (e mod 8) of mask byte
// e / 8 records the choice.
void dropout_forward(const float* x, float* y, uint8_t* mask, size_t n, size_t e0, PhiloxStream s,
                     uint32_t keep_below, float scale) {
  philox_range_linear(e0, n, s, [&](size_t lo, const uint32_t* w, size_t m) {
    const float* xs = x + (lo - e0);
    float* ys = y + (lo - e0);
    // lo - e0 is a multiple of 8; bits past the end of the call stay 0.
    uint8_t* mb = mask + (lo - e0) / 8;
    size_t i = 0;
#if defined(__AVX512F__)
    const __m512i t = _mm512_set1_epi32(static_cast<int>(keep_below));
    const __m512 sc = _mm512_set1_ps(scale);
    for (; i + 16 <= m; i += 16) {
      __m512i r = _mm512_srli_epi32(_mm512_loadu_si512(w + i), 8);
      __mmask16 keep = _mm512_cmplt_epu32_mask(r, t);
      _mm512_storeu_ps(ys + i, _mm512_maskz_mul_ps(keep, _mm512_loadu_ps(xs + i), sc));
      uint16_t bits = static_cast<uint16_t>(keep);
      std::memcpy(mb + i / 8, &bits, 2);
    }
#elif defined(__AVX2__)
    const __m256i t = _mm256_set1_epi32(static_cast<int>(keep_below));  // <= 2^24: signed compare is exact
    const __m256 sc = _mm256_set1_ps(scale);
    for (; i + 8 <= m; i += 8) {
      __m256i r = _mm256_srli_epi32(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + i)), 8);
      __m256 keep = _mm256_castsi256_ps(_mm256_cmpgt_epi32(t, r));
      _mm256_storeu_ps(ys + i, _mm256_and_ps(keep, _mm256_mul_ps(_mm256_loadu_ps(xs + i), sc)));
      mb[i / 8] = static_cast<uint8_t>(_mm256_movemask_ps(keep));
    }
#endif
    for (; i < m; i += 8) {
      unsigned bits = 0;
      for (size_t t = 0; t < 8 && i + t < m; t++) {
        bool keep = (w[i + t] >> 8) < keep_below;
        ys[i + t] = keep ? xs[i + t] * scale : 0.0f;
        bits |= static_cast<unsigned>(keep) << t;
      }
      mb[i / 8] = static_cast<uint8_t>(bits);
    }
  });
}

// gx = g * scale where the mask bit is set, else 0. Element i of the range is
// bit (i mod 8) of mask[i / 8] (the range starts on a byte boundary).
void dropout_backward(const float* g, const uint8_t* mask, float* gx, size_t n, float scale) {
  size_t i = 0;
#if defined(__AVX512F__)
  const __m512 sc = _mm512_set1_ps(scale);
  for (; i + 16 <= n; i += 16) {
    uint16_t bits;
    std::memcpy(&bits, mask + i / 8, 2);
    _mm512_storeu_ps(gx + i, _mm512_maskz_mul_ps(static_cast<__mmask16>(bits), _mm512_loadu_ps(g + i), sc));
  }
#elif defined(__AVX2__)
  const __m256 sc = _mm256_set1_ps(scale);
  const __m256i bit = _mm256_set_epi32(128, 64, 32, 16, 8, 4, 2, 1);
  for (; i + 8 <= n; i += 8) {
    __m256i b = _mm256_and_si256(_mm256_set1_epi32(mask[i / 8]), bit);
    __m256 keep = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b, bit));
    _mm256_storeu_ps(gx + i, _mm256_and_ps(keep, _mm256_mul_ps(_mm256_loadu_ps(g + i), sc)));
  }
#endif
  for (; i < n; i++) {
    bool keep = (mask[i >> 3] >> (i & 7)) & 1;
    gx[i] = keep ? g[i] * scale : 0.0f;
  }
}

}  // namespace

void fill_random(RandomKernels& k) {
  k.philox = philox;
  k.uniform = uniform;
  k.normal = normal;
  k.trunc_normal = trunc_normal;
  k.dropout_forward = dropout_forward;
  k.dropout_backward = dropout_backward;
}

}  // namespace DF_ISA
}  // namespace df
