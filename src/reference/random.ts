// Reference random kernels, the twins of native/kernels/random.cc and
// philox.h. Element e of a call reads word (e mod 4) of Philox4x32-10 at
// counter (offset + floor(e / 4), 0, 0) under key (seedLo, seedHi).
import { erfinv, log, sincos2pi } from './mathfn';

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;
const TWO_M32 = 2.3283064365386963e-10;
const TWO_M24 = 5.9604644775390625e-8;
const f = Math.fround;

/** High 32 bits of the 64-bit product of two uint32 (16-bit halves keep every partial product exact). */
function mulhi(a: number, b: number): number {
  const al = a & 0xffff, ah = a >>> 16, bl = b & 0xffff, bh = b >>> 16;
  const lh = al * bh, hl = ah * bl;
  const mid = ((al * bl) >>> 16) + (lh & 0xffff) + (hl & 0xffff);
  return (ah * bh + (lh >>> 16) + (hl >>> 16) + (mid >>> 16)) >>> 0;
}

/** out[0..4) = Philox4x32-10(c0, c1, c2, c3; k0, k1). */
function philoxBlock(c0: number, c1: number, c2: number, c3: number, k0: number, k1: number, out: Uint32Array): void {
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi(M0, c0), lo0 = Math.imul(M0, c0) >>> 0;
    const hi1 = mulhi(M1, c2), lo1 = Math.imul(M1, c2) >>> 0;
    c0 = (hi1 ^ c1 ^ k0) >>> 0;
    c1 = lo1;
    c2 = (hi0 ^ c3 ^ k1) >>> 0;
    c3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

export function philox(ctr: Uint32Array, key: Uint32Array, out: Uint32Array): void {
  philoxBlock(ctr[0], ctr[1], ctr[2], ctr[3], key[0], key[1], out);
}

const words = new Uint32Array(4);

/** Calls put(e, words) for every block of elements [0, n): words holds the block's four words. */
function eachBlock(n: number, seedLo: number, seedHi: number, offset: number, put: (e: number, w: Uint32Array) => void): void {
  for (let b = 0, e = 0; e < n; b++, e += 4) {
    const c = offset + b;
    philoxBlock(c >>> 0, Math.floor(c / 4294967296) >>> 0, 0, 0, seedLo, seedHi, words);
    put(e, words);
  }
}

export function randUniform(out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number, scale: number, shift: number): void {
  const sc = f(scale), sh = f(shift);
  eachBlock(n, seedLo, seedHi, offset, (e, w) => {
    const m = Math.min(4, n - e);
    for (let k = 0; k < m; k++) out[e + k] = f(f((w[k] >>> 8) * TWO_M24 * sc) + sh);
  });
}

const z = new Float64Array(4);
const sc2 = new Float64Array(2);

/** Box-Muller on words a, b into z[i], z[i + 1] (see native box_muller). */
function boxMuller(a: number, b: number, i: number): void {
  const u1 = (a + 1) * TWO_M32;
  const u2 = b * TWO_M32;
  const rad = Math.sqrt(-2.0 * log(u1));
  sincos2pi(u2, sc2);
  z[i] = rad * sc2[1];
  z[i + 1] = rad * sc2[0];
}

export function randNormal(out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number, mean: number, std: number): void {
  eachBlock(n, seedLo, seedHi, offset, (e, w) => {
    boxMuller(w[0], w[1], 0);
    boxMuller(w[2], w[3], 2);
    const m = Math.min(4, n - e);
    for (let k = 0; k < m; k++) out[e + k] = f(z[k] * std + mean);
  });
}

export function randTruncNormal(
  out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number,
  lo: number, hi: number, mean: number, scale: number, a: number, b: number,
): void {
  const af = f(a), bf = f(b);
  eachBlock(n, seedLo, seedHi, offset, (e, w) => {
    const m = Math.min(4, n - e);
    for (let k = 0; k < m; k++) {
      const u = (w[k] + 0.5) * TWO_M32;
      const v = lo + (hi - lo) * u;
      let x = f(erfinv(v) * scale + mean);
      x = x < af ? af : x;
      out[e + k] = x > bf ? bf : x;
    }
  });
}

export function dropoutForward(
  x: Float32Array, y: Float32Array, mask: Uint8Array, n: number,
  seedLo: number, seedHi: number, offset: number, keepBelow: number, scale: number,
): void {
  const s = f(scale);
  mask.fill(0, 0, (n + 7) >>> 3);
  eachBlock(n, seedLo, seedHi, offset, (e, w) => {
    const m = Math.min(4, n - e);
    for (let k = 0; k < m; k++) {
      const i = e + k;
      if (w[k] >>> 8 < keepBelow) {
        y[i] = f(x[i] * s);
        mask[i >>> 3] |= 1 << (i & 7);
      } else y[i] = 0;
    }
  });
}

export function dropoutBackward(g: Float32Array, mask: Uint8Array, gx: Float32Array, n: number, scale: number): void {
  const s = f(scale);
  for (let i = 0; i < n; i++) gx[i] = (mask[i >>> 3] >>> (i & 7)) & 1 ? f(g[i] * s) : 0;
}
