// The memory kernels (bandwidth ceilings, copy, read pass, finiteness) agree
// bit for bit across every ISA, thread count and the reference.
import { describe, it, expect } from 'vitest';
import { backend } from '../src';
import { K } from '../src/backend';
import { configs, withConfig, SIZES, randomArray, offsetView, expectBitsEqual, EDGE_VALUES } from './helpers';

function runTouch4(n: number) {
  const a = offsetView(randomArray(n, 1)), b = offsetView(randomArray(n, 2)), c = offsetView(randomArray(n, 3));
  const d = offsetView(randomArray(n, 4));
  K().touch4(a, b, c, d, n);
  return [a, b, c];
}

describe('memory kernels', () => {
  const sizes = [...SIZES, 3_000_017];
  for (const n of sizes) {
    it(`touch4, copy and readSum agree everywhere at n=${n}`, () => {
      const results = configs().map((c) =>
        withConfig(c, () => {
          const src = offsetView(randomArray(n, 9));
          const dst = new Float32Array(n);
          K().copy(dst, src, n);
          return { name: c.name, touched: runTouch4(n), copied: dst, sum: K().readSum(src, n) };
        }),
      );
      const ref = results[results.length - 1];
      expectBitsEqual(ref.copied, randomArray(n, 9), 'reference copy');
      for (const r of results) {
        r.touched.forEach((arr, i) => expectBitsEqual(arr, ref.touched[i], `${r.name} touch4[${i}]`));
        expectBitsEqual(r.copied, ref.copied, `${r.name} copy`);
        expect(Object.is(r.sum, ref.sum), `${r.name} readSum ${r.sum} vs ${ref.sum}`).toBe(true);
      }
    });
  }

  it('readSum does not depend on the thread count', () => {
    const x = randomArray(1_000_003, 5);
    const sums = [1, 2, 3, 8].map((t) => {
      backend.setThreads(t);
      return K().readSum(x, x.length);
    });
    backend.setThreads(backend.defaultThreads());
    expect(new Set(sums).size).toBe(1);
  });

  it('allFinite finds NaN and ±Inf anywhere in any tensor', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        const good = [new Float32Array(17), randomArray(65537, 3)];
        expect(K().allFinite(K().makeTensorList([good]), 0), c.name).toBe(true);
        for (const bad of [NaN, Infinity, -Infinity]) {
          for (const pos of [0, 16, 40000]) {
            const arrs = [new Float32Array(17), randomArray(65537, 3)];
            arrs[pos < 17 ? 0 : 1][pos] = bad;
            expect(K().allFinite(K().makeTensorList([arrs]), 0), `${c.name} ${bad}@${pos}`).toBe(false);
          }
        }
        const edges = Float32Array.from(EDGE_VALUES.filter(Number.isFinite));
        expect(K().allFinite(K().makeTensorList([[edges]]), 0), `${c.name} finite edge values`).toBe(true);
      });
    }
  });
});
