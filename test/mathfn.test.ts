// The shared elementary functions: native on every ISA and the TS reference
// give the same bits, and the values are accurate against Math.*.
import { describe, it, expect } from 'vitest';
import { K } from '../src/backend';
import type { MathFnName } from '../src/backend/kernels';
import { configs, withConfig, rng } from './helpers';

const EDGES = [0, -0, NaN, Infinity, -Infinity, 5e-324, -5e-324, 1e-300, 1e-20, -1e-20, 0.5, -0.5, 1, -1, 2, -2, 6, -6, 30, -30, 700, -700, 709.7, 710, -745, -746];

function inputs(lo: number, hi: number, n: number, seed: number): Float64Array {
  const r = rng(seed);
  const x = new Float64Array(n + EDGES.length);
  for (let i = 0; i < n; i++) x[i] = lo + (hi - lo) * r();
  x.set(EDGES, n);
  return x;
}

const CASES: [MathFnName, number, number, (x: number) => number, number][] = [
  ['exp', -50, 50, Math.exp, 5e-16],
  ['expm1', -1, 1, Math.expm1, 8e-16],
  ['log', 1e-10, 1e6, Math.log, 4e-16],
  ['tanh', -5, 5, Math.tanh, 1e-15],
  ['sigmoid', -30, 30, (x) => 1 / (1 + Math.exp(-x)), 6e-16],
  ['erf', -5, 5, (x) => x, 0], // checked against a table below
  ['erfinv', -0.999, 0.999, (x) => x, 0],
  ['sin2pi', 0, 1, (u) => Math.sin(2 * Math.PI * u), 0],
  ['cos2pi', 0, 1, (u) => Math.cos(2 * Math.PI * u), 0],
];

describe('mathfn', () => {
  for (const [name, lo, hi] of CASES) {
    it(`${name}: identical bits on every ISA and the reference`, () => {
      const x = inputs(lo, hi, 5000, name.length);
      const outs = configs().map((c) =>
        withConfig(c, () => {
          const y = new Float64Array(x.length);
          K().mathEval(name, x, y);
          return { c: c.name, y };
        }),
      );
      const ref = outs[outs.length - 1].y;
      for (const o of outs) {
        for (let i = 0; i < x.length; i++) {
          if (!Object.is(o.y[i], ref[i])) expect.fail(`${o.c} ${name}(${x[i]}) = ${o.y[i]}, reference ${ref[i]}`);
        }
      }
    });
  }

  function evalRef(name: MathFnName, xs: number[]): Float64Array {
    const y = new Float64Array(xs.length);
    withConfig(configs().at(-1)!, () => K().mathEval(name, Float64Array.from(xs), y));
    return y;
  }

  it('exp, expm1, log, tanh, sigmoid are accurate to within a few ulp', () => {
    for (const [name, lo, hi, exact, tol] of CASES.filter((c) => c[4] > 0)) {
      const x = Array.from(inputs(lo, hi, 20000, 7).subarray(0, 20000));
      const y = evalRef(name, x);
      let worst = 0;
      x.forEach((v, i) => {
        const e = exact(v);
        worst = Math.max(worst, Math.abs(y[i] - e) / Math.max(Math.abs(e), 1e-300));
      });
      // Math.* itself is only faithful (within 1 ulp, 2.2e-16 relative), so the
      // bounds allow for both sides' error.
      expect(worst, name).toBeLessThan(tol);
    }
  });

  it('edge values follow IEEE conventions', () => {
    expect([...evalRef('exp', [-Infinity, Infinity, NaN, 0, -746, 710])]).toEqual([0, Infinity, NaN, 1, 0, Infinity]);
    expect([...evalRef('log', [0, -1, Infinity, NaN, 1, 5e-324])]).toEqual([-Infinity, NaN, Infinity, NaN, 0, Math.log(5e-324)]);
    expect([...evalRef('tanh', [-Infinity, Infinity, -0, 100])]).toEqual([-1, 1, -0, 1]);
    expect([...evalRef('erf', [-Infinity, Infinity, -0, 10])]).toEqual([-1, 1, -0, 1]);
    expect([...evalRef('erfinv', [1, -1, 2, 0])]).toEqual([Infinity, -Infinity, NaN, 0]);
  });

  it('erf matches known values and erfinv inverts it', () => {
    // erf values from the standard tables (17 significant digits).
    const known: [number, number][] = [
      [0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [1.5, 0.9661051464753108], [2, 0.9953222650189527], [2.5, 0.9995930479825550], [3.5, 0.9999992569016276],
    ];
    const y = evalRef('erf', known.map(([x]) => x));
    known.forEach(([, e], i) => expect(Math.abs(y[i] - e), `erf(${known[i][0]})`).toBeLessThan(3e-16));
    const ys = Array.from({ length: 199 }, (_, i) => -0.99 + 0.01 * i);
    const xs = evalRef('erfinv', ys);
    const back = evalRef('erf', Array.from(xs));
    ys.forEach((v, i) => expect(Math.abs(back[i] - v), `erf(erfinv(${v}))`).toBeLessThan(1e-15));
  });

  it('sin2pi and cos2pi are accurate and on the unit circle', () => {
    const u = Array.from(inputs(0, 1, 20000, 3).subarray(0, 20000));
    const s = evalRef('sin2pi', u), c = evalRef('cos2pi', u);
    u.forEach((v, i) => {
      expect(Math.abs(s[i] - Math.sin(2 * Math.PI * v))).toBeLessThan(2e-15);
      expect(Math.abs(c[i] - Math.cos(2 * Math.PI * v))).toBeLessThan(2e-15);
    });
  });
});
