// The Philox4x32-10 generator: known answers, bit-identical streams on every
// ISA, thread count and the reference, the stream layout (a value depends
// only on seed, offset and index), and the statistics of the draws.
import { describe, it, expect } from 'vitest';
import { backend, Generator, manualSeed, defaultGenerator, init, Tensor } from '../src';
import { K } from '../src/backend';
import { erf } from '../src/reference/mathfn';
import { configs, withConfig, SIZES, offsetView, expectBitsEqual } from './helpers';

// Random123's known-answer vectors for Philox4x32-10 (kat_vectors).
const KAT: [number[], number[], number[]][] = [
  [[0, 0, 0, 0], [0, 0], [0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8]],
  [[0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff], [0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd]],
  [[0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0], [0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1]],
];

type Fill = (out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number) => void;
const FILLS: Record<string, Fill> = {
  uniform: (o, n, a, b, off) => K().randUniform(o, n, a, b, off, 2.5, -1),
  normal: (o, n, a, b, off) => K().randNormal(o, n, a, b, off, 0.5, 3),
  truncNormal: (o, n, a, b, off) => K().randTruncNormal(o, n, a, b, off, -0.9, 0.8, 0.1, 1.5, -2, 2),
};

/** One fill per configuration; asserts every one equals the reference bit for bit. */
function expectSameEverywhere(fill: Fill, n: number, seedLo: number, seedHi: number, offset: number): Float32Array {
  const outs = configs().map((c) =>
    withConfig(c, () => {
      const o = offsetView(new Float32Array(n));
      fill(o, n, seedLo, seedHi, offset);
      return { name: c.name, o };
    }),
  );
  const ref = outs[outs.length - 1].o;
  for (const r of outs) expectBitsEqual(r.o, ref, r.name);
  return ref;
}

function ksStatistic(sorted: Float32Array, cdf: (x: number) => number): number {
  const n = sorted.length;
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]);
    d = Math.max(d, f - i / n, (i + 1) / n - f);
  }
  return d;
}

// P(D > 1.949 / sqrt(n)) = 0.001 for the Kolmogorov distribution.
const KS_CRITICAL = (n: number) => 1.949 / Math.sqrt(n);

describe('Philox4x32-10', () => {
  for (const c of configs()) {
    it(`matches the Random123 known answers (${c.name})`, () => {
      withConfig(c, () => {
        const out = new Uint32Array(4);
        for (const [ctr, key, want] of KAT) {
          K().philox(Uint32Array.from(ctr), Uint32Array.from(key), out);
          expect([...out]).toEqual(want);
        }
      });
    });
  }

  for (const [name, fill] of Object.entries(FILLS)) {
    it(`${name}: identical bits on every ISA and the reference, every size`, () => {
      for (const n of SIZES) expectSameEverywhere(fill, n, 0x9e3779b9, 7, 1234567);
      // a large offset carries into the counter's high word
      expectSameEverywhere(fill, 4099, 42, 0, 2 ** 32 - 3);
    });
  }

  it('uniform at 3,000,017 elements: identical bits everywhere', () => {
    expectSameEverywhere(FILLS.uniform, 3_000_017, 5, 6, 77);
  });

  it('does not depend on the thread count', () => {
    for (const fill of Object.values(FILLS)) {
      const n = 200_003;
      const outs = [1, 2, 3, 8].map((t) => {
        backend.setThreads(t);
        const o = new Float32Array(n);
        fill(o, n, 11, 12, 13);
        return o;
      });
      backend.setThreads(backend.defaultThreads());
      for (const o of outs) expectBitsEqual(o, outs[0], 'threads');
    }
  });

  it('element i depends only on (seed, offset, i)', () => {
    for (const fill of Object.values(FILLS)) {
      const long = new Float32Array(1000);
      fill(long, 1000, 3, 4, 100);
      const short = new Float32Array(13);
      fill(short, 13, 3, 4, 100);
      expectBitsEqual(short, long.subarray(0, 13), 'prefix');
      const later = new Float32Array(40);
      fill(later, 40, 3, 4, 100 + 25); // 25 blocks = 100 elements further on
      expectBitsEqual(later, long.subarray(100, 140), 'offset');
    }
  });
});

describe('Generator', () => {
  it('advances its offset by the blocks a call consumed, so calls never reuse numbers', () => {
    const g = new Generator(1);
    const a = init.uniform(Tensor.zeros([10]), { generator: g });
    expect(g.offset).toBe(3);
    const b = init.uniform(Tensor.zeros([10]), { generator: g });
    expect(g.offset).toBe(6);
    expect([...a.data]).not.toEqual([...b.data]);
    // the second call starts at block 3, i.e. element 12 of one long draw
    const whole = init.uniform(Tensor.zeros([22]), { generator: new Generator(1) });
    expectBitsEqual(b.data, whole.data.subarray(12, 22), 'second call');
  });

  it('manualSeed reseeds the global generator; state round-trips', () => {
    manualSeed(123);
    const a = init.normal(Tensor.zeros([50]));
    const state = defaultGenerator.getState();
    const b = init.normal(Tensor.zeros([50]));
    manualSeed(123);
    expectBitsEqual(init.normal(Tensor.zeros([50])).data, a.data, 'reseeded');
    defaultGenerator.setState(state);
    expectBitsEqual(init.normal(Tensor.zeros([50])).data, b.data, 'restored');
    expect(manualSeed(5)).toBe(defaultGenerator);
    expect(defaultGenerator.initialSeed()).toBe(5);
  });

  it('private generators are independent of the global one', () => {
    manualSeed(9);
    const a = init.uniform(Tensor.zeros([8]), { generator: new Generator(9) });
    const b = init.uniform(Tensor.zeros([8]));
    expectBitsEqual(a.data, b.data, 'same seed, same numbers');
    expect(defaultGenerator.offset).toBe(2);
  });

  it('different seeds (including above 2^32) give different streams', () => {
    const seeds = [0, 1, 2 ** 32, 2 ** 32 + 1, 2 ** 53 - 1];
    const draws = seeds.map((s) => init.uniform(Tensor.zeros([4]), { generator: new Generator(s) }).data.join());
    expect(new Set(draws).size).toBe(seeds.length);
  });

  it('rejects bad seeds and generators', () => {
    expect(() => new Generator(-1)).toThrow(RangeError);
    expect(() => new Generator(1.5)).toThrow(RangeError);
    expect(() => manualSeed(2 ** 53)).toThrow(RangeError);
    expect(() => new Generator('1' as unknown as number)).toThrow(TypeError);
    expect(() => init.uniform(Tensor.zeros([2]), { generator: {} as Generator })).toThrow(/generator must be a Generator/);
    expect(() => new Generator(1).setState({ seed: 1, offset: -2 })).toThrow(RangeError);
  });
});

describe('statistics', () => {
  const N = 1_000_000;

  for (const seed of [1, 2024]) {
    it(`uniform: Kolmogorov-Smirnov on 10^6 draws, in [0, 1) (seed ${seed})`, () => {
      const x = init.uniform(Tensor.zeros([N]), { generator: new Generator(seed) }).data;
      const sorted = x.slice().sort();
      expect(sorted[0]).toBeGreaterThanOrEqual(0);
      expect(sorted[N - 1]).toBeLessThan(1);
      expect(ksStatistic(sorted, (v) => v)).toBeLessThan(KS_CRITICAL(N));
      // 24 random bits: every value is a multiple of 2^-24
      for (let i = 0; i < 1000; i++) expect(Number.isInteger(x[i] * 2 ** 24)).toBe(true);
    });

    it(`normal: Kolmogorov-Smirnov on 10^6 draws (seed ${seed})`, () => {
      const x = init.normal(Tensor.zeros([N]), { generator: new Generator(seed) }).data;
      const sorted = x.slice().sort();
      expect(ksStatistic(sorted, (v) => 0.5 * (1 + erf(v / Math.SQRT2)))).toBeLessThan(KS_CRITICAL(N));
    });
  }

  it('consecutive calls are independent (no correlation, lag 0 and 1)', () => {
    const g = new Generator(77);
    const a = init.uniform(Tensor.zeros([N]), { generator: g }).data;
    const b = init.uniform(Tensor.zeros([N]), { generator: g }).data;
    const corr = (x: Float32Array, y: Float32Array, lag: number) => {
      let sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
      const n = x.length - lag;
      for (let i = 0; i < n; i++) {
        const u = x[i], v = y[i + lag];
        sx += u; sy += v; sxy += u * v; sxx += u * u; syy += v * v;
      }
      return (sxy / n - (sx / n) * (sy / n)) / Math.sqrt((sxx / n - (sx / n) ** 2) * (syy / n - (sy / n) ** 2));
    };
    // |r| < 5 / sqrt(n) has probability ~1 - 6e-7 for independent draws
    const bound = 5 / Math.sqrt(N);
    expect(Math.abs(corr(a, b, 0))).toBeLessThan(bound);
    expect(Math.abs(corr(a, a, 1))).toBeLessThan(bound);
    expect(Math.abs(corr(a, b, 1))).toBeLessThan(bound);
  });
});

describe('native guards', () => {
  it('short arrays, wrong kinds and bad counts throw instead of crashing', () => {
    backend.use('native');
    const k = K();
    const out = new Float32Array(4);
    expect(() => k.randUniform(out, 5, 0, 0, 0, 1, 0)).toThrow(RangeError);
    expect(() => k.randNormal(new Float64Array(4) as unknown as Float32Array, 4, 0, 0, 0, 0, 1)).toThrow(TypeError);
    expect(() => k.randUniform(out, 4, 2 ** 32, 0, 0, 1, 0)).toThrow(RangeError);
    expect(() => k.randUniform(out, 4, 0, 0, -1, 1, 0)).toThrow(RangeError);
    expect(() => k.dropoutForward(out, out, new Uint8Array(0), 4, 0, 0, 0, 1, 1)).toThrow(RangeError);
    expect(() => k.dropoutBackward(out, new Uint8Array(1), out, 9, 1)).toThrow(RangeError);
    expect(() => k.philox(new Uint32Array(3), new Uint32Array(2), new Uint32Array(4))).toThrow(RangeError);
    expect(() => k.orthogonal(out, 3, 2, 1, out)).toThrow(RangeError);
    expect(() => k.bnStats(out, 2, 2, 2, new Float64Array(2), new Float64Array(2))).toThrow(RangeError);
    expect(() => k.bnApply(out, out, 1, 4, 1, new Float32Array(4), new Float32Array(3))).toThrow(RangeError);
    expect(() => k.bnApply(out, out, 1, 4, 1, new Float64Array(4) as unknown as Float32Array, new Float32Array(4))).toThrow(TypeError);
    expect(() => k.bnBackwardApply(out, out, out, 1, 4, 1, new Float64Array(4), new Float64Array(4), new Float64Array(4), new Float64Array(4), 1 as unknown as boolean)).toThrow(TypeError);
  });
});
