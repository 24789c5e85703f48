// Elementary functions in double precision, the same operations in the same
// order as native/kernels/mathfn.h, so both give the same bits. (Math.exp and
// Math.log are not guaranteed to match libm, or each other across engines.)
// Only + - * / , Math.sqrt, Math.floor and exact bit manipulation are used:
// all are correctly rounded in IEEE double on every platform.

const LN2_HI = 6.93147180369123816490e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const PI = 3.141592653589793116;
const HALF_PI = 1.570796326794896558;
const TWO_OVER_SQRT_PI = 1.12837916709551255856;
const SQRT_PI = 1.77245385090551588192;

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer); // little-endian: u32[1] holds sign, exponent, high mantissa

/** 2^k for an integer k in [-1022, 1023]. */
function pow2i(k: number): number {
  u32[0] = 0;
  u32[1] = (k + 1023) << 20;
  return f64[0];
}

function scale2(x: number, k: number): number {
  const h = Math.trunc(k / 2);
  return (x * pow2i(h)) * pow2i(k - h);
}

function expm1Poly(r: number): number {
  let p = 1 / 6227020800;
  p = p * r + 1 / 479001600;
  p = p * r + 1 / 39916800;
  p = p * r + 1 / 3628800;
  p = p * r + 1 / 362880;
  p = p * r + 1 / 40320;
  p = p * r + 1 / 5040;
  p = p * r + 1 / 720;
  p = p * r + 1 / 120;
  p = p * r + 1 / 24;
  p = p * r + 1 / 6;
  p = p * r + 0.5;
  p = p * r + 1.0;
  return p * r;
}

export function exp(x: number): number {
  if (x !== x) return x;
  if (x > 709.782712893384) return Infinity;
  if (x < -745.2) return 0;
  const k = Math.floor(x * INV_LN2 + 0.5);
  const r = (x - k * LN2_HI) - k * LN2_LO;
  return scale2(1.0 + expm1Poly(r), k);
}

export function expm1(x: number): number {
  if (x !== x) return x;
  if (x > -0.34657359027997264 && x < 0.34657359027997264) return expm1Poly(x);
  return exp(x) - 1.0;
}

export function log(x: number): number {
  if (x !== x || x < 0) return NaN;
  if (x === 0) return -Infinity;
  if (x === Infinity) return x;
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x = x * 18014398509481984.0;
    e = -54;
  }
  f64[0] = x;
  e += ((u32[1] >>> 20) & 0x7ff) - 1023;
  u32[1] = (u32[1] & 0x000fffff) | 0x3ff00000;
  let m = f64[0];
  if (m > 1.4142135623730951) {
    m = m * 0.5;
    e += 1;
  }
  const s = (m - 1.0) / (m + 1.0);
  const z = s * s;
  let p = 1 / 23;
  p = p * z + 1 / 21;
  p = p * z + 1 / 19;
  p = p * z + 1 / 17;
  p = p * z + 1 / 15;
  p = p * z + 1 / 13;
  p = p * z + 1 / 11;
  p = p * z + 1 / 9;
  p = p * z + 1 / 7;
  p = p * z + 1 / 5;
  p = p * z + 1 / 3;
  p = p * z + 1.0;
  const logm = 2.0 * s * p;
  return e * LN2_HI + (e * LN2_LO + logm);
}

function sinPoly(x: number): number {
  const z = x * x;
  let p = 1 / 355687428096000;
  p = p * z - 1 / 1307674368000;
  p = p * z + 1 / 6227020800;
  p = p * z - 1 / 39916800;
  p = p * z + 1 / 362880;
  p = p * z - 1 / 5040;
  p = p * z + 1 / 120;
  p = p * z - 1 / 6;
  return x + x * (z * p);
}

function cosPoly(x: number): number {
  const z = x * x;
  let p = 1 / 20922789888000;
  p = p * z - 1 / 87178291200;
  p = p * z + 1 / 479001600;
  p = p * z - 1 / 3628800;
  p = p * z + 1 / 40320;
  p = p * z - 1 / 720;
  p = p * z + 1 / 24;
  p = p * z - 0.5;
  return 1.0 + z * p;
}

/** [sin(2πu), cos(2πu)] for u in [0, 1). Written into out to avoid allocation. */
export function sincos2pi(u: number, out: Float64Array | number[]): void {
  const t = u * 4.0;
  const q = Math.floor(t);
  const r = t - q;
  let sr: number, cr: number;
  if (r <= 0.5) {
    const x = r * HALF_PI;
    sr = sinPoly(x);
    cr = cosPoly(x);
  } else {
    const x = (1.0 - r) * HALF_PI;
    sr = cosPoly(x);
    cr = sinPoly(x);
  }
  const qi = q & 3;
  if (qi === 0) { out[0] = sr; out[1] = cr; }
  else if (qi === 1) { out[0] = cr; out[1] = -sr; }
  else if (qi === 2) { out[0] = -sr; out[1] = -cr; }
  else { out[0] = -cr; out[1] = sr; }
}

export function tanh(x: number): number {
  if (x !== x) return x;
  const a = x < 0 ? -x : x;
  let t: number;
  if (a > 22.0) t = 1.0;
  else {
    const e = expm1(2.0 * a);
    t = e / (e + 2.0);
  }
  return x < 0 ? -t : x === 0 ? x : t;
}

export function sigmoid(x: number): number {
  if (x !== x) return x;
  return 1.0 / (1.0 + exp(-x));
}

function erfcCf(x: number): number {
  let f = x;
  let C = x, D = 0.0;
  for (let n = 1; n <= 60; n++) {
    const an = 0.5 * n;
    D = x + an * D;
    D = 1.0 / D;
    C = x + an / C;
    f = f * (C * D);
  }
  return exp(-x * x) / (SQRT_PI * f);
}

export function erf(x: number): number {
  if (x !== x) return x;
  const a = x < 0 ? -x : x;
  let r: number;
  if (a < 2.0) {
    const z = 2.0 * a * a;
    let term = 1.0, sum = 1.0;
    for (let n = 1; n <= 60; n++) {
      term = term * z / (2.0 * n + 1.0);
      sum = sum + term;
    }
    r = TWO_OVER_SQRT_PI * a * exp(-a * a) * sum;
  } else if (a < 6.0) {
    r = 1.0 - erfcCf(a);
  } else {
    r = 1.0;
  }
  return x < 0 ? -r : x === 0 ? x : r;
}

export function erfinv(y: number): number {
  if (y !== y || y < -1 || y > 1) return NaN;
  if (y === 1) return Infinity;
  if (y === -1) return -Infinity;
  if (y === 0) return y;
  const a = y < 0 ? -y : y;
  const l = log((1.0 - a) * (1.0 + a));
  const t = 2.0 / (PI * 0.147) + 0.5 * l;
  let x = Math.sqrt(Math.sqrt(t * t - l / 0.147) - t);
  for (let i = 0; i < 3; i++) {
    const err = erf(x) - a;
    x = x - err / (TWO_OVER_SQRT_PI * exp(-x * x));
  }
  return y < 0 ? -x : x;
}

const sc = new Float64Array(2);
const TABLE: Record<string, (x: number) => number> = {
  exp,
  expm1,
  log,
  tanh,
  sigmoid,
  erf,
  erfinv,
  sin2pi: (u) => (sincos2pi(u, sc), sc[0]),
  cos2pi: (u) => (sincos2pi(u, sc), sc[1]),
};

/** out[i] = fn(x[i]): the reference side of the native mathEval kernel. */
export function mathEval(name: string, x: Float64Array, out: Float64Array): void {
  const fn = TABLE[name];
  if (!fn) throw new RangeError(`unknown function ${name}`);
  for (let i = 0; i < x.length; i++) out[i] = fn(x[i]);
}
