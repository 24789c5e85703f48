// Gradient-norm kernels (clipGradNorm, l2Penalty) and the in-place passes that
// apply clipping. Each reduction handles one chunk of at most REDUCE_CHUNK
// elements in the fixed order of table.h (lane8_sum, double accumulation); the
// binding adds chunk and tensor results in order, so every ISA, thread count
// and the reference agree bit for bit.
#include "isa.h"

namespace df {
namespace DF_ISA {
namespace {

// log and exp in double from + - * / only, so that the C++ and TypeScript
// versions (src/reference/clip.ts) are the same operation sequence and give
// the same bits: libm's and V8's pow/exp/log differ in the last place.
constexpr double LN2_HI = 6.93147180369123816490e-01;  // ln 2, upper 32 bits (k·LN2_HI is exact)
constexpr double LN2_LO = 1.90821492927058770002e-10;  // ln 2 − LN2_HI
constexpr double INV_LN2 = 1.44269504088896338700e+00;
constexpr double SQRT2 = 1.41421356237309514547e+00;

inline double from_bits(uint64_t b) {
  double d;
  std::memcpy(&d, &b, 8);
  return d;
}

inline uint64_t to_bits(double d) {
  uint64_t b;
  std::memcpy(&b, &d, 8);
  return b;
}

// 2^k for k in [-1022, 1023].
inline double pow2(int k) { return from_bits(static_cast<uint64_t>(k + 1023) << 52); }

// log(x) for finite x > 0: x = m·2^e with m in [√2/2, √2), log m = 2·atanh(s),
// s = (m−1)/(m+1), by its series to s^25 (|s| < 0.172, so the rest is < 1e-19).
inline double log_pos(double x) {
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // subnormal: make it normal first
    x *= 18014398509481984.0;            // 2^54
    e = -54;
  }
  uint64_t b = to_bits(x);
  e += static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  double f = m - 1.0, s = f / (2.0 + f), z = s * s;
  // 1/3 + z/5 + z²/7 + ... + z^11/25, by Horner from the top.
  static const double ODD[12] = {1.0 / 3, 1.0 / 5, 1.0 / 7, 1.0 / 9, 1.0 / 11, 1.0 / 13,
                                 1.0 / 15, 1.0 / 17, 1.0 / 19, 1.0 / 21, 1.0 / 23, 1.0 / 25};
  double poly = ODD[11];
  for (int k = 10; k >= 0; k--) poly = ODD[k] + z * poly;
  double logm = 2.0 * s + 2.0 * s * (z * poly);
  double de = static_cast<double>(e);
  return de * LN2_HI + (de * LN2_LO + logm);
}

// exp(y): y = k·ln2 + r with |r| <= ln2/2, exp(r) by Taylor to r^14, times 2^k.
inline double exp_d(double y) {
  if (y != y) return y;
  if (y > 709.782712893384) return INFINITY;
  if (y < -745.2) return 0.0;
  double k = std::floor(y * INV_LN2 + 0.5);
  double r = (y - k * LN2_HI) - k * LN2_LO;
  // 1/n! for n = 0..14, by Horner from the top.
  static const double INV_FACT[15] = {1.0, 1.0, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040,
                                      1.0 / 40320, 1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800,
                                      1.0 / 479001600, 1.0 / 6227020800, 1.0 / 87178291200};
  double c = INV_FACT[14];
  for (int n = 13; n >= 0; n--) c = INV_FACT[n] + r * c;
  int ki = static_cast<int>(k);
  int k1 = ki >= 0 ? ki / 2 : -((-ki + 1) / 2);  // floor(k/2)
  return c * pow2(k1) * pow2(ki - k1);
}

// |x|^p for p > 0 (not 1, 2 or ∞), as exp(p·log|x|).
inline double abs_pow(double x, double p) {
  double a = x < 0 ? -x : x;
  if (a == 0.0 || a != a || a == INFINITY) return a == 0.0 ? 0.0 : a;
  return exp_d(p * log_pos(a));
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
