// Random kernels: uniform, normal and truncated-normal fills, and dropout's
// forward (draws the mask, one bit per element) and backward. All draw from
// the Philox stream of philox.h; the TS twin is src/reference/random.ts.
//
// Every kernel works on elements [e0, e0 + n) of a call: the pointers point at
// element e0 and e0 is the absolute index that picks the random words, so the
// driver can split a call over threads anywhere (dropout: at multiples of 8,
// so that mask bytes are never shared).
#include "isa.h"
#include "mathfn.h"
#include "philox.h"

namespace df {
namespace DF_ISA {
namespace {

constexpr int G = PHILOX_GROUP;
using Words = uint32_t[4][G];

// Calls put(e, k, j) for the elements of group g inside [e0, end): whole
// groups as straight loops (vectorized), edge groups with bounds.
template <class Put>
inline void each_in_group(size_t g, size_t e0, size_t end, Put put) {
  if (g >= e0 && g + 4 * G <= end) {
    for (int j = 0; j < G; j++)
      for (int k = 0; k < 4; k++) put(g + 4 * j + k, k, j);
    return;
  }
  size_t lo = g > e0 ? g : e0, hi = g + 4 * G < end ? g + 4 * G : end;
  for (size_t e = lo; e < hi; e++) put(e, static_cast<int>((e - g) % 4), static_cast<int>((e - g) / 4));
}

// A float in [0, 1) from the top 24 bits of a word: exact, k * 2^-24.
inline float unit24(uint32_t w) { return static_cast<float>(w >> 8) * 5.9604644775390625e-8f; }

void philox(const uint32_t* ctr, const uint32_t* key, uint32_t* out) {
  uint32_t w[4][G];
  uint64_t c = static_cast<uint64_t>(ctr[0]) | static_cast<uint64_t>(ctr[1]) << 32;
  philox_group(c, ctr[2], ctr[3], key[0], key[1], w);
  for (int k = 0; k < 4; k++) out[k] = w[k][0];
}

// out = u * scale + shift, two float operations (no FMA).
void uniform(float* out, size_t n, size_t e0, PhiloxStream s, float scale, float shift) {
  size_t end = e0 + n;
  philox_range(e0, n, s, [&](size_t g, const Words& w) {
    each_in_group(g, e0, end, [&](size_t e, int k, int j) {
      float u = unit24(w[k][j]);
      out[e - e0] = u * scale + shift;
    });
  });
}

// mathfn::log for x in [2^-32, 1] (positive normal numbers): the same
// operations in the same order, without the special cases, so it vectorizes.
inline double log_unit(double x) {
  uint64_t b = mathfn::to_bits(x);
  int e = static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = mathfn::from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  bool big = m > 1.4142135623730951;
  m = big ? m * 0.5 : m;
  e = big ? e + 1 : e;
  double s = (m - 1.0) / (m + 1.0);
  double z = s * s;
  double p = 1.0 / 23.0;
  p = p * z + 1.0 / 21.0;
  p = p * z + 1.0 / 19.0;
  p = p * z + 1.0 / 17.0;
  p = p * z + 1.0 / 15.0;
  p = p * z + 1.0 / 13.0;
  p = p * z + 1.0 / 11.0;
  p = p * z + 1.0 / 9.0;
  p = p * z + 1.0 / 7.0;
  p = p * z + 1.0 / 5.0;
  p = p * z + 1.0 / 3.0;
  p = p * z + 1.0;
  double logm = 2.0 * s * p;
  double de = static_cast<double>(e);
  return de * mathfn::LN2_HI + (de * mathfn::LN2_LO + logm);
}

// mathfn::sincos2pi with selects instead of branches (same values).
inline void sincos2pi_sel(double u, double& s, double& c) {
  double t = u * 4.0;
  double q = std::floor(t);
  double r = t - q;
  bool low = r <= 0.5;
  double x = low ? r * mathfn::HALF_PI : (1.0 - r) * mathfn::HALF_PI;
  double sp = mathfn::sin_poly(x), cp = mathfn::cos_poly(x);
  double sr = low ? sp : cp, cr = low ? cp : sp;
  int qi = static_cast<int>(q) & 3;
  double s01 = qi == 0 ? sr : cr, c01 = qi == 0 ? cr : -sr;
  double s23 = qi == 2 ? -sr : -cr, c23 = qi == 2 ? -cr : sr;
  s = qi < 2 ? s01 : s23;
  c = qi < 2 ? c01 : c23;
}

// Box-Muller on a pair of words: u1 = (a + 1) 2^-32 in (0, 1], u2 = b 2^-32;
// z0 = sqrt(-2 log u1) cos(2 pi u2), z1 = ... sin(...), all in double.
inline void box_muller(uint32_t a, uint32_t b, double& z0, double& z1) {
  constexpr double TWO_M32 = 2.3283064365386963e-10;
  double u1 = (static_cast<double>(a) + 1.0) * TWO_M32;
  double u2 = static_cast<double>(b) * TWO_M32;
  double rad = std::sqrt(-2.0 * log_unit(u1));
  double s, c;
  sincos2pi_sel(u2, s, c);
  z0 = rad * c;
  z1 = rad * s;
}

// Words (w0, w1) of a block give its elements 0 and 1, (w2, w3) elements 2
// and 3. out = float(z * std + mean), computed in double, rounded once.
void normal(float* out, size_t n, size_t e0, PhiloxStream s, double mean, double std) {
  size_t end = e0 + n;
  philox_range(e0, n, s, [&](size_t g, const Words& w) {
    double z[4][G];
    for (int j = 0; j < G; j++) {
      box_muller(w[0][j], w[1][j], z[0][j], z[1][j]);
      box_muller(w[2][j], w[3][j], z[2][j], z[3][j]);
    }
    each_in_group(g, e0, end, [&](size_t e, int k, int j) { out[e - e0] = static_cast<float>(z[k][j] * std + mean); });
  });
}

// PyTorch's inverse-CDF truncated normal, in double: v uniform in (lo, hi)
// (lo, hi = 2 cdf(a) - 1, 2 cdf(b) - 1), x = erfinv(v) * scale + mean with
// scale = std sqrt 2, rounded to float and clamped to [a, b].
void trunc_normal(float* out, size_t n, size_t e0, PhiloxStream s, double lo, double hi, double mean, double scale,
                  float a, float b) {
  constexpr double TWO_M32 = 2.3283064365386963e-10;
  size_t end = e0 + n;
  philox_range(e0, n, s, [&](size_t g, const Words& w) {
    each_in_group(g, e0, end, [&](size_t e, int k, int j) {
      double u = (static_cast<double>(w[k][j]) + 0.5) * TWO_M32;  // (0, 1)
      double v = lo + (hi - lo) * u;
      float x = static_cast<float>(mathfn::erfinv(v) * scale + mean);
      x = x < a ? a : x;
      out[e - e0] = x > b ? b : x;
    });
  });
}

// Dropout forward on elements [e0, e0 + n), e0 a multiple of 8: an element is
// kept when the top 24 bits of its word are below keep_below (so P(keep) =
// keep_below / 2^24 = 1 - p); kept: y = x * scale, dropped: y = 0 by selection
// (never 0 * x, which is NaN for ±Inf and NaN). Bit (e mod 8) of mask byte
// e / 8 records the choice.
void dropout_forward(const float* x, float* y, uint8_t* mask, size_t n, size_t e0, PhiloxStream s,
                     uint32_t keep_below, float scale) {
  size_t end = e0 + n;
  philox_range(e0, n, s, [&](size_t g, const Words& w) {
    uint8_t keep[4 * G];
    for (int j = 0; j < G; j++)
      for (int k = 0; k < 4; k++) keep[4 * j + k] = (w[k][j] >> 8) < keep_below;
    size_t lo = g > e0 ? g : e0, hi = g + 4 * G < end ? g + 4 * G : end;
    const float* xs = x + (lo - e0);
    float* ys = y + (lo - e0);
    const uint8_t* ks = keep + (lo - g);
    size_t m = hi - lo;
    for (size_t i = 0; i < m; i++) ys[i] = ks[i] ? xs[i] * scale : 0.0f;
    // lo - e0 is a multiple of 8; bits past the end of the call stay 0.
    uint8_t* mb = mask + (lo - e0) / 8;
    for (size_t q = 0; q * 8 < m; q++) {
      unsigned bits = 0;
      for (size_t t = 0; t < 8 && q * 8 + t < m; t++) bits |= static_cast<unsigned>(ks[q * 8 + t]) << t;
      mb[q] = static_cast<uint8_t>(bits);
    }
  });
}

// gx = g * scale where the mask bit is set, else 0. Element i of the range is
// bit (i mod 8) of mask[i / 8] (the range starts on a byte boundary).
void dropout_backward(const float* g, const uint8_t* mask, float* gx, size_t n, float scale) {
  for (size_t i = 0; i < n; i++) {
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
