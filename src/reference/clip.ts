// Reference versions of the clipping kernels (native/kernels/clip.cc and the
// combination order of native/bind_clip.cc), with the same log/exp operation
// sequence as the C++ so |x|^p agrees bit for bit.
import { reduceFixed } from './reduce';
import type { RefTensorList } from './tensor-list';

const f = Math.fround;

const LN2_HI = 6.9314718036912381649e-1;
const LN2_LO = 1.90821492927058770002e-10;
const INV_LN2 = 1.442695040888963387;
const SQRT2 = 1.41421356237309514547;
const ODD = [1 / 3, 1 / 5, 1 / 7, 1 / 9, 1 / 11, 1 / 13, 1 / 15, 1 / 17, 1 / 19, 1 / 21, 1 / 23, 1 / 25];
const INV_FACT = [1, 1, 1 / 2, 1 / 6, 1 / 24, 1 / 120, 1 / 720, 1 / 5040, 1 / 40320, 1 / 362880, 1 / 3628800, 1 / 39916800, 1 / 479001600, 1 / 6227020800, 1 / 87178291200];

const bits = new DataView(new ArrayBuffer(8));

// 2^k for k in [-1022, 1023].
function pow2(k: number): number {
  bits.setUint32(0, (k + 1023) * 0x100000);
  bits.setUint32(4, 0);
  return bits.getFloat64(0);
}

/** log(x) for finite x > 0, as log_pos in clip.cc. */
export function logPos(x: number): number {
  let e = 0;
  if (x < 2.2250738585072014e-308) {
    x *= 18014398509481984;
    e = -54;
  }
  bits.setFloat64(0, x);
  const hi = bits.getUint32(0);
  e += ((hi >>> 20) & 0x7ff) - 1023;
  bits.setUint32(0, (hi & 0x000fffff) | 0x3ff00000);
  let m = bits.getFloat64(0);
  if (m > SQRT2) {
    m *= 0.5;
    e += 1;
  }
  const fm = m - 1.0, s = fm / (2.0 + fm), z = s * s;
  let poly = ODD[11];
  for (let k = 10; k >= 0; k--) poly = ODD[k] + z * poly;
  const logm = 2.0 * s + 2.0 * s * (z * poly);
  return e * LN2_HI + (e * LN2_LO + logm);
}

/** exp(y), as exp_d in clip.cc. */
export function expD(y: number): number {
  if (y !== y) return y;
  if (y > 709.782712893384) return Infinity;
  if (y < -745.2) return 0;
  const k = Math.floor(y * INV_LN2 + 0.5);
  const r = (y - k * LN2_HI) - k * LN2_LO;
  let c = INV_FACT[14];
  for (let n = 13; n >= 0; n--) c = INV_FACT[n] + r * c;
  const k1 = Math.floor(k / 2);
  return c * pow2(k1) * pow2(k - k1);
}

/** |x|^p for p > 0, as abs_pow in clip.cc. */
export function absPow(x: number, p: number): number {
  const a = Math.abs(x);
  if (a === 0 || a !== a || a === Infinity) return a === 0 ? 0 : a;
  return expD(p * logPos(a));
}

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a !== a) return NaN;
    if (a > m) m = a;
  }
  return m;
}

export function normPowSum(list: RefTensorList, l: number, p: number): number {
  const arrays = list.lists[l];
  if (p === Infinity) {
    let m = 0;
    for (const x of arrays) {
      const v = maxAbs(x);
      m = v !== v || m !== m ? NaN : Math.max(m, v);
    }
    return m;
  }
  const term = p === 1 ? (x: Float32Array) => (i: number) => Math.abs(x[i])
    : p === 2 ? (x: Float32Array) => (i: number) => x[i] * x[i]
    : (x: Float32Array) => (i: number) => absPow(x[i], p);
  let total = 0;
  for (const x of arrays) total += reduceFixed(x.length, term(x));
  return total;
}

export function scaleList(list: RefTensorList, l: number, c: number): void {
  const cf = f(c);
  for (const x of list.lists[l]) for (let i = 0; i < x.length; i++) x[i] = f(x[i] * cf);
}

export function clampList(list: RefTensorList, l: number, lo: number, hi: number): void {
  const lf = f(lo), hf = f(hi);
  for (const x of list.lists[l]) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) continue;
      x[i] = v < lf ? lf : v > hf ? hf : v;
    }
  }
}

export function addScaledList(list: RefTensorList, dst: number, src: number, a: number): void {
  const af = f(a);
  const ds = list.lists[dst], ss = list.lists[src];
  ds.forEach((g, t) => {
    const w = ss[t];
    for (let i = 0; i < g.length; i++) g[i] = f(g[i] + f(af * w[i]));
  });
}
