// GEMM and the bias-gradient column sums: every ISA, thread count and the
// reference agree bit for bit (each element is summed in k order with separate
// multiply and add, whatever the blocking), and the result is within the
// standard error bound of the exact product.
import { describe, it, expect } from 'vitest';
import { backend } from '../src';
import { K } from '../src/backend';
import { referenceKernels as R } from '../src/reference';
import { configs, nativeConfigs, withConfig, offsetView, randomArray, expectBitsEqual, EDGE_VALUES, rng } from './helpers';

type Shape = [number, number, number];
const TRANS: [boolean, boolean][] = [[false, false], [false, true], [true, false], [true, true]];

function runGemm(ta: boolean, tb: boolean, [m, n, k]: Shape, acc: boolean, seed: number, a?: Float32Array, b?: Float32Array) {
  const A = offsetView(a ?? randomArray(m * k, seed));
  const B = offsetView(b ?? randomArray(k * n, seed + 1), 5);
  const C = offsetView(randomArray(m * n, seed + 2), 1);
  K().gemm(ta, tb, m, n, k, A, B, C, acc);
  return C;
}

function expectAllAgree(shape: Shape, seed: number, a?: Float32Array, b?: Float32Array) {
  for (const [ta, tb] of TRANS) {
    for (const acc of [false, true]) {
      const want = withConfig({ name: 'reference', backend: 'reference' }, () => runGemm(ta, tb, shape, acc, seed, a, b));
      for (const c of nativeConfigs()) {
        const got = withConfig(c, () => runGemm(ta, tb, shape, acc, seed, a, b));
        expectBitsEqual(got, want, `${c.name} ${shape} transA=${ta} transB=${tb} acc=${acc}`);
      }
    }
  }
}

describe('gemm', () => {
  // Sizes around the micro-tile widths (4, 6, 16 rows; 8, 16 columns) and
  // the cache blocks (KC = 256 deep, MC = 144 rows, NC = 512 columns).
  const shapes: Shape[] = [
    [0, 5, 3], [4, 0, 3], [3, 4, 0], [1, 1, 1], [7, 15, 16], [17, 16, 15], [16, 17, 7],
    [63, 65, 17], [40, 10, 300], [65, 63, 257], [129, 1, 65], [145, 33, 70], [1, 513, 9], [6, 64, 300], [8, 130, 513],
  ];
  for (const s of shapes) {
    it(`agrees bit for bit everywhere at m,n,k = ${s}`, () => expectAllAgree(s, s[0] * 7 + s[1] * 3 + s[2]));
  }

  it('agrees bit for bit at 257×300×260 on every thread count', () => {
    const shape: Shape = [257, 300, 260];
    const want = withConfig({ name: 'reference', backend: 'reference' }, () => runGemm(false, true, shape, true, 3));
    for (const c of nativeConfigs()) {
      for (const t of [1, 2, 3, 8]) {
        withConfig(c, () => {
          backend.setThreads(t);
          try {
            expectBitsEqual(runGemm(false, true, shape, true, 3), want, `${c.name} threads=${t}`);
          } finally {
            backend.setThreads(backend.defaultThreads());
          }
        });
      }
    }
  });

  it('carries NaN, ±Inf, denormals and huge values identically', () => {
    const r = rng(11);
    const pick = (n: number) => Float32Array.from({ length: n }, () => (r() < 0.3 ? EDGE_VALUES[Math.floor(r() * EDGE_VALUES.length)] : r() - 0.5));
    const shape: Shape = [9, 70, 20];
    expectAllAgree(shape, 0, pick(9 * 20), pick(20 * 70));
  });

  it('is within k·2⁻²⁴·Σ|a·b| of the exact product (checked in double)', () => {
    const [m, n, k] = [20, 30, 1000];
    const a = randomArray(m * k, 1), b = randomArray(k * n, 2);
    for (const c of configs()) {
      const C = withConfig(c, () => {
        const out = new Float32Array(m * n);
        K().gemm(false, false, m, n, k, a, b, out, false);
        return out;
      });
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let exact = 0, mag = 0;
          for (let p = 0; p < k; p++) {
            exact += a[i * k + p] * b[p * n + j];
            mag += Math.abs(a[i * k + p] * b[p * n + j]);
          }
          expect(Math.abs(C[i * n + j] - exact), `${c.name} [${i},${j}]`).toBeLessThanOrEqual(k * 2 ** -24 * mag);
        }
      }
    }
  });

  it('matches a plain triple loop on a small case (reference sanity)', () => {
    const a = Float32Array.from([1, 2, 3, 4, 5, 6]); // [2,3]
    const b = Float32Array.from([1, 0, 0, 1, 1, 1]); // [3,2]
    for (const c of configs()) {
      const out = withConfig(c, () => {
        const o = new Float32Array([10, 20, 30, 40]);
        K().gemm(false, false, 2, 2, 3, a, b, o, true);
        return o;
      });
      expect([...out], c.name).toEqual([14, 25, 40, 51]);
    }
  });

  it('colSumAcc sums rows in order into out, identically everywhere', () => {
    for (const [m, n] of [[0, 3], [1, 1], [7, 17], [1000, 65], [300, 257]]) {
      const x = offsetView(randomArray(m * n, m + n));
      const want = randomArray(n, 5);
      R.colSumAcc(x, m, n, want);
      for (const c of nativeConfigs()) {
        const got = offsetView(randomArray(n, 5));
        withConfig(c, () => K().colSumAcc(x, m, n, got));
        expectBitsEqual(got, want, `${c.name} colSumAcc ${m}×${n}`);
      }
    }
  });

  it('the native binding rejects short arrays and wrong types instead of crashing', () => {
    backend.use('native');
    const k = K();
    const f = new Float32Array(6);
    expect(() => k.gemm(false, false, 2, 3, 2, f, f, new Float32Array(5), false)).toThrow(RangeError);
    expect(() => k.gemm(false, false, 3, 3, 3, f, f, f, false)).toThrow(RangeError);
    expect(() => k.gemm(false, false, 2 ** 40, 2 ** 40, 2 ** 40, f, f, f, false)).toThrow(RangeError);
    expect(() => k.gemm(false, false, 1, 1, 1, new Float64Array(1) as never, f, f, false)).toThrow(TypeError);
    expect(() => k.gemm(0 as never, false, 1, 1, 1, f, f, f, false)).toThrow(TypeError);
    expect(() => k.colSumAcc(f, 2, 4, f)).toThrow(RangeError);
  });

  it('fmaPeak reports the flops of its loop', () => {
    backend.use('native');
    expect(K().fmaPeak(1000, false)).toBeGreaterThan(0);
    expect(K().fmaPeak(8000, true)).toBeGreaterThan(0);
  });
});
