// Elementary functions in double precision, written with + - * / and sqrt only
// (plus exact bit manipulation and floor), so that the TS reference
// (src/reference/mathfn.ts, the same operations in the same order) computes
// the same bits. libm and Math.exp/Math.log are not guaranteed to agree.
//
// Accuracy: about 1e-15 relative over the ranges used (checked in
// test/mathfn.test.ts against Math.*), so a result rounded to float32 is
// nearly always the correctly rounded float.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace df {
namespace mathfn {

constexpr double LN2_HI = 6.93147180369123816490e-01;  // high bits of ln 2, exact times small ints
constexpr double LN2_LO = 1.90821492927058770002e-10;
constexpr double INV_LN2 = 1.44269504088896338700e+00;
constexpr double PI = 3.14159265358979311600e+00;
constexpr double HALF_PI = 1.57079632679489655800e+00;
constexpr double TWO_OVER_SQRT_PI = 1.12837916709551255856e+00;
constexpr double SQRT_PI = 1.77245385090551588192e+00;

inline double from_bits(uint64_t b) { double d; std::memcpy(&d, &b, 8); return d; }
inline uint64_t to_bits(double d) { uint64_t b; std::memcpy(&b, &d, 8); return b; }

// 2^k for an integer k in [-1022, 1023].
inline double pow2i(int k) { return from_bits(static_cast<uint64_t>(k + 1023) << 52); }

// x * 2^k for integer k in [-2044, 2046], in two exact steps (handles results
// that are denormal or overflow like ldexp does).
inline double scale2(double x, int k) {
  int h = k / 2;
  return (x * pow2i(h)) * pow2i(k - h);
}

// e^r - 1 for |r| <= ln2/2: Taylor series, Horner form, to r^13.
inline double expm1_poly(double r) {
  double p = 1.0 / 6227020800.0;          // 1/13!
  p = p * r + 1.0 / 479001600.0;          // 1/12!
  p = p * r + 1.0 / 39916800.0;
  p = p * r + 1.0 / 3628800.0;
  p = p * r + 1.0 / 362880.0;
  p = p * r + 1.0 / 40320.0;
  p = p * r + 1.0 / 5040.0;
  p = p * r + 1.0 / 720.0;
  p = p * r + 1.0 / 120.0;
  p = p * r + 1.0 / 24.0;
  p = p * r + 1.0 / 6.0;
  p = p * r + 0.5;
  p = p * r + 1.0;
  return p * r;
}

inline double exp(double x) {
  if (x != x) return x;
  if (x > 709.782712893384) return INFINITY;
  if (x < -745.2) return 0.0;
  double k = std::floor(x * INV_LN2 + 0.5);
  double r = (x - k * LN2_HI) - k * LN2_LO;
  return scale2(1.0 + expm1_poly(r), static_cast<int>(k));
}

inline double expm1(double x) {
  if (x != x) return x;
  if (x > -0.34657359027997264 && x < 0.34657359027997264) return expm1_poly(x);
  return exp(x) - 1.0;
}

// log m for m in [sqrt(1/2), sqrt(2)): 2 atanh(s), s = (m - 1)/(m + 1),
// |s| < 0.172, series to s^23. A template so vector code (random.cc) runs the
// very same operations on many lanes.
template <class T>
inline T log_mantissa(T m) {
  T s = (m - 1.0) / (m + 1.0);
  T z = s * s;
  T p = z * (1.0 / 23.0) + 1.0 / 21.0;
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
  return 2.0 * s * p;
}

// log(x): x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log m = 2 atanh(s),
// s = (m - 1)/(m + 1), |s| < 0.172, series to s^23.
inline double log(double x) {
  if (x != x || x < 0.0) return NAN;
  if (x == 0.0) return -INFINITY;
  if (x == INFINITY) return x;
  int e = 0;
  if (x < 2.2250738585072014e-308) {  // denormal: scale into the normal range first
    x = x * 18014398509481984.0;       // 2^54
    e = -54;
  }
  uint64_t b = to_bits(x);
  e += static_cast<int>((b >> 52) & 0x7ff) - 1023;
  double m = from_bits((b & 0x000fffffffffffffULL) | 0x3ff0000000000000ULL);  // [1, 2)
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e += 1;
  }
  double logm = log_mantissa(m);
  double de = static_cast<double>(e);
  return de * LN2_HI + (de * LN2_LO + logm);
}

// sin and cos of x in [0, pi/4]: Taylor series to x^17 / x^16. Templates
// for the same reason as log_mantissa.
template <class T>
inline T sin_poly(T x) {
  T z = x * x;
  T p = z * (1.0 / 355687428096000.0) - 1.0 / 1307674368000.0;  // 1/17!, 1/15!; signs alternate
  p = p * z + 1.0 / 6227020800.0;         // 1/13!
  p = p * z - 1.0 / 39916800.0;           // 1/11!
  p = p * z + 1.0 / 362880.0;             // 1/9!
  p = p * z - 1.0 / 5040.0;               // 1/7!
  p = p * z + 1.0 / 120.0;                // 1/5!
  p = p * z - 1.0 / 6.0;                  // 1/3!
  return x + x * (z * p);
}
template <class T>
inline T cos_poly(T x) {
  T z = x * x;
  T p = z * (1.0 / 20922789888000.0) - 1.0 / 87178291200.0;  // 1/16!, 1/14!
  p = p * z + 1.0 / 479001600.0;         // 1/12!
  p = p * z - 1.0 / 3628800.0;           // 1/10!
  p = p * z + 1.0 / 40320.0;             // 1/8!
  p = p * z - 1.0 / 720.0;               // 1/6!
  p = p * z + 1.0 / 24.0;                // 1/4!
  p = p * z - 0.5;                       // 1/2!
  return 1.0 + z * p;
}

// sin(2 pi u) and cos(2 pi u) for u in [0, 1) (Box-Muller's angle). The
// reduction works on u, where it is exact: quadrant q = floor(4u), r = 4u - q.
inline void sincos2pi(double u, double* s, double* c) {
  double t = u * 4.0;
  double q = std::floor(t);
  double r = t - q;                       // [0, 1): angle r * pi/2 in the quadrant
  double sr, cr;
  if (r <= 0.5) {
    double x = r * HALF_PI;
    sr = sin_poly(x);
    cr = cos_poly(x);
  } else {
    double x = (1.0 - r) * HALF_PI;
    sr = cos_poly(x);
    cr = sin_poly(x);
  }
  int qi = static_cast<int>(q) & 3;
  if (qi == 0) { *s = sr; *c = cr; }
  else if (qi == 1) { *s = cr; *c = -sr; }
  else if (qi == 2) { *s = -sr; *c = -cr; }
  else { *s = -cr; *c = sr; }
}

inline double tanh(double x) {
  if (x != x) return x;
  double a = x < 0.0 ? -x : x;
  double t;
  if (a > 22.0) t = 1.0;
  else {
    double e = expm1(2.0 * a);
    t = e / (e + 2.0);
  }
  return x < 0.0 ? -t : (x == 0.0 ? x : t);
}

inline double sigmoid(double x) {
  if (x != x) return x;
  return 1.0 / (1.0 + exp(-x));
}

// erfc(x) for x >= 2 by its continued fraction (modified Lentz, fixed 60
// iterations so the operation sequence never depends on the input).
inline double erfc_cf(double x) {
  // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
  double f = x;
  double C = x, D = 0.0;
  for (int n = 1; n <= 60; n++) {
    double an = 0.5 * n;
    D = x + an * D;
    D = 1.0 / D;
    C = x + an / C;
    f = f * (C * D);
  }
  return exp(-x * x) / (SQRT_PI * f);
}

// erf(x): for |x| < 2 the series 2/sqrt(pi) * exp(-x^2) * sum (2x^2)^n / (2n+1)!!
// (all terms positive, no cancellation); beyond, 1 - erfc by continued fraction.
inline double erf(double x) {
  if (x != x) return x;
  double a = x < 0.0 ? -x : x;
  double r;
  if (a < 2.0) {
    double z = 2.0 * a * a;
    double term = 1.0, sum = 1.0;
    for (int n = 1; n <= 60; n++) {
      term = term * z / (2.0 * n + 1.0);
      sum = sum + term;
    }
    r = TWO_OVER_SQRT_PI * a * exp(-a * a) * sum;
  } else if (a < 6.0) {
    r = 1.0 - erfc_cf(a);
  } else {
    r = 1.0;
  }
  return x < 0.0 ? -r : (x == 0.0 ? x : r);
}

// erfinv(y) for y in (-1, 1): a first guess from the logarithmic form, then
// three Newton steps on erf (quadratic convergence: well past double's limit).
inline double erfinv(double y) {
  if (y != y || y < -1.0 || y > 1.0) return NAN;
  if (y == 1.0) return INFINITY;
  if (y == -1.0) return -INFINITY;
  if (y == 0.0) return y;
  double a = y < 0.0 ? -y : y;
  // Winitzki's approximation, a = 0.147.
  double l = log((1.0 - a) * (1.0 + a));
  double t = 2.0 / (PI * 0.147) + 0.5 * l;
  double x = std::sqrt(std::sqrt(t * t - l / 0.147) - t);
  for (int i = 0; i < 3; i++) {
    double err = erf(x) - a;
    x = x - err / (TWO_OVER_SQRT_PI * exp(-x * x));
  }
  return y < 0.0 ? -x : x;
}

}  // namespace mathfn
}  // namespace df
