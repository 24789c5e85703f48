// Gradient clipping and the L2 penalty: PyTorch fixtures, bit-exact agreement
// of every ISA, thread count and the reference, double accumulation, and
// argument checks.
import { describe, it, expect, afterAll } from 'vitest';
import { backend, Parameter, utils } from '../src';
import { K } from '../src/backend';
import { absPow } from '../src/reference/clip';
import { loadGolden } from './golden';
import { configs, withConfig, SIZES, randomArray, offsetView, expectBitsEqual, EDGE_VALUES, ulpDiff } from './helpers';

const golden = loadGolden('clip');

function makeParams(grads: number[][], shapes: number[][], weights?: number[][]): Parameter[] {
  return grads.map((g, i) => {
    const p = new Parameter(weights ? Float32Array.from(weights[i]) : new Float32Array(g.length), shapes[i]);
    p.grad = offsetView(Float32Array.from(g), i + 1);
    return p;
  });
}

afterAll(() => backend.setThreads(backend.defaultThreads()));

describe('clipGradNorm matches torch.nn.utils.clip_grad_norm_', () => {
  for (const c of golden.norm) {
    it(`${c.name} (p=${c.normType}, maxNorm=${c.maxNorm})`, () => {
      for (const cfg of configs()) {
        withConfig(cfg, () => {
          const ps = makeParams(c.grads, c.shapes);
          const norm = utils.clipGradNorm(ps, c.maxNorm, { normType: c.normType });
          // We accumulate |g|^p in double, so the norm is the float64 norm
          // rounded once to float32: at most 1 ulp from it (our log/exp for
          // fractional p are accurate to a few double ulps, far below that).
          expect(ulpDiff(norm, Math.fround(c.exact)), `${cfg.name} norm ${norm} vs float64 ${c.exact}`).toBeLessThanOrEqual(1);
          // The gradients are exactly PyTorch's formula applied with our norm:
          // g·min(1, fround(1/fround(norm + 1e-6))·maxNorm) in float32.
          const coef = Math.fround(Math.fround(1 / Math.fround(norm + Math.fround(1e-6))) * Math.fround(c.maxNorm));
          const scaled = (g: number) => (coef >= 1 ? g : Math.fround(g * coef));
          ps.forEach((p, i) => expectBitsEqual(p.grad, Float32Array.from(c.grads[i], scaled), `${cfg.name} grad ${i}`));
          if (!Number.isFinite(c.norm) && Number.isFinite(c.exact)) return; // PyTorch's float32 sum of squares overflowed (1e30²); ours did not
          if (c.norm === 0 && c.exact > 0) return; // PyTorch underflowed 1e-30² to 0; nothing is clipped either way
          // PyTorch reduces in float32 in its own order: a couple of ulp apart at most.
          expect(ulpDiff(norm, c.norm), `${cfg.name} norm ${norm} vs PyTorch ${c.norm}`).toBeLessThanOrEqual(2);
          // With the same norm, the same gradients to the bit.
          // (JSON carries no NaN payload, so values are compared with Object.is: NaN = NaN, 0 ≠ -0.)
          if (Object.is(norm, c.norm)) ps.forEach((p, i) => expect(Array.from(p.grad), `${cfg.name} grad ${i} vs PyTorch`).toEqual(c.after[i]));
        });
      }
    });
  }

  it('a 1e30 gradient gives a finite norm (double accumulation)', () => {
    for (const cfg of configs()) {
      withConfig(cfg, () => {
        const p = new Parameter(new Float32Array(3));
        p.grad.set([1e30, 1e30, 0]);
        const norm = utils.clipGradNorm(p, 1);
        expect(norm, cfg.name).toBe(Math.fround(Math.SQRT2 * 1e30));
        expect(Math.abs(p.grad[0] - Math.SQRT1_2), cfg.name).toBeLessThan(1e-6);
      });
    }
  });
});

describe('clipGradNorm is bit-identical across ISAs, threads and the reference', () => {
  const pValues = [1, 2, 3, 0.5, 2.5, Infinity];
  function gradSet(seed: number): Float32Array[] {
    const gs = SIZES.map((n, i) => offsetView(randomArray(n, seed + i, -2, 2), 1 + (i % 3)));
    gs.push(offsetView(Float32Array.from(EDGE_VALUES.filter(Number.isFinite))));
    return gs;
  }
  for (const p of pValues) {
    it(`p=${p}: norm and clipped gradients`, () => {
      const runs: { name: string; norm: number; grads: Float32Array[] }[] = [];
      for (const cfg of configs()) {
        const threads = cfg.backend === 'native' ? [1, 2, 3] : [1];
        for (const t of threads) {
          withConfig(cfg, () => {
            if (cfg.backend === 'native') backend.setThreads(t);
            const ps = gradSet(10).map((g) => Object.assign(new Parameter(new Float32Array(g.length)), { grad: g }));
            const norm = utils.clipGradNorm(ps, 0.25, { normType: p });
            runs.push({ name: `${cfg.name}/${t} threads`, norm, grads: ps.map((x) => x.grad) });
          });
        }
      }
      const ref = runs[runs.length - 1];
      expect(ref.norm).toBeGreaterThan(0.25);
      for (const r of runs) {
        expect(Object.is(r.norm, ref.norm), `${r.name}: ${r.norm} vs ${ref.norm}`).toBe(true);
        r.grads.forEach((g, i) => expectBitsEqual(g, ref.grads[i], `${r.name} grad ${i}`));
      }
    });
  }

  it('normPowSum on 3,000,017 elements in 3 tensors agrees everywhere, all p', () => {
    const arrays = [randomArray(1_000_003, 1), randomArray(2_000_000, 2), randomArray(14, 3)];
    const sums = configs().map((cfg) => withConfig(cfg, () => pValues.map((p) => K().normPowSum(K().makeTensorList([arrays]), 0, p))));
    for (const s of sums) s.forEach((v, i) => expect(Object.is(v, sums[sums.length - 1][i]), `p=${pValues[i]}`).toBe(true));
  });

  it('|x|^p through the shared exp/log is accurate to double precision', () => {
    for (const x of [1e-45, 1e-30, 0.3, 1, 1.5, 2, 7.25, 1e10, 3.4e38]) {
      for (const p of [0.5, 1, 2.5, 3, 7]) {
        const want = Math.pow(x, p);
        expect(Math.abs(absPow(x, p) - want) / want, `${x}^${p}`).toBeLessThan(1e-13);
      }
    }
    expect(absPow(0, 0.5)).toBe(0);
    expect(absPow(-Infinity, 3)).toBe(Infinity);
    expect(absPow(NaN, 3)).toBeNaN();
  });
});

describe('clipGradNorm edge cases', () => {
  it('errorIfNonfinite throws and changes nothing', () => {
    for (const cfg of configs()) {
      withConfig(cfg, () => {
        for (const bad of [NaN, Infinity]) {
          const p = new Parameter(new Float32Array(4));
          p.grad.set([1, 2, bad, 3]);
          const before = p.grad.slice();
          expect(() => utils.clipGradNorm([p], 1, { errorIfNonfinite: true }), cfg.name).toThrow(/total norm of order 2 .* is (NaN|Infinity).*nothing was changed/);
          expectBitsEqual(p.grad, before, `${cfg.name} untouched`);
        }
      });
    }
  });

  it('no parameters: norm 0', () => {
    expect(utils.clipGradNorm([], 1)).toBe(0);
  });

  it('a norm below maxNorm leaves gradients bit for bit', () => {
    const p = new Parameter(new Float32Array(3));
    p.grad.set([0.1, -0.2, 0.3]);
    const before = p.grad.slice();
    utils.clipGradNorm(p, 10);
    expectBitsEqual(p.grad, before);
  });

  it('rejects bad arguments', () => {
    const p = new Parameter(new Float32Array(2));
    expect(() => utils.clipGradNorm(p, -1)).toThrow(/maxNorm must be a finite number >= 0/);
    expect(() => utils.clipGradNorm(p, 1, { normType: 0 })).toThrow(RangeError);
    expect(() => utils.clipGradNorm(p, 1, { normType: -2 })).toThrow(/normType must be a number > 0 or Infinity/);
    expect(() => utils.clipGradNorm(p, 1, { normType: 'inf' as any })).toThrow(TypeError);
    expect(() => utils.clipGradNorm(p, 1, { errorIfNonFinite: true } as any)).toThrow(/unknown option 'errorIfNonFinite'/);
    expect(() => utils.clipGradNorm([p, {} as any], 1)).toThrow(/params\[1\] must be a Parameter/);
    expect(() => utils.clipGradNorm('x' as any, 1)).toThrow(TypeError);
    const q = new Parameter(new Float32Array(2));
    q.grad = new Float32Array(3);
    expect(() => utils.clipGradNorm(q, 1)).toThrow(/params\[0\]\.grad must be a Float32Array of 2 elements/);
    expect(() => utils.clipGradValue(p, -0.5)).toThrow(/clipValue/);
    expect(() => utils.l2Penalty(p, NaN)).toThrow(/^lambda must be a finite number >= 0, got NaN/);
    expect(() => utils.l2Penalty(p, 1, { accumulate: true } as any)).toThrow(/unknown option 'accumulate'/);
  });
});

describe('clipGradValue matches torch.nn.utils.clip_grad_value_', () => {
  for (const c of golden.value) {
    it(`clipValue=${c.clipValue}, bit for bit`, () => {
      for (const cfg of configs()) {
        withConfig(cfg, () => {
          const ps = makeParams(c.grads, c.shapes);
          utils.clipGradValue(ps, c.clipValue);
          ps.forEach((p, i) => {
            // torch.clamp keeps -0 and 0 as they come, and so do we; compare values with signed zeros.
            const want = Float32Array.from(c.after[i]);
            for (let j = 0; j < want.length; j++) expect(Object.is(p.grad[j], want[j]) || (p.grad[j] === 0 && want[j] === 0), `${cfg.name} [${i}][${j}] ${p.grad[j]} vs ${want[j]}`).toBe(true);
          });
        });
      }
    });
  }
});

describe('l2Penalty', () => {
  for (const c of golden.l2) {
    it(`λ=${c.lambda}: value and 2λw gradients match PyTorch autograd`, () => {
      for (const cfg of configs()) {
        withConfig(cfg, () => {
          const ps = makeParams(c.grads, c.shapes, c.weights);
          const value = utils.l2Penalty(ps, c.lambda, { accumulateGrad: true });
          // Σw² of float32 squares is exact-per-term in double: 1e-12 relative covers summation order only.
          expect(Math.abs(value - c.value) <= 1e-12 * Math.abs(c.value), `${cfg.name} ${value} vs ${c.value}`).toBe(true);
          // grad + fround(2λ)·w rounds the product and the sum once each, as autograd's float32 ops do.
          ps.forEach((p, i) => expectBitsEqual(p.grad, Float32Array.from(c.after[i]), `${cfg.name} grad ${i}`));
        });
      }
    });
  }

  it('without accumulateGrad the gradients stay as they are', () => {
    const p = new Parameter([1, 2, 3]);
    p.grad.set([0.5, 0.5, 0.5]);
    expect(utils.l2Penalty(p, 0.5)).toBe(7);
    expectBitsEqual(p.grad, Float32Array.from([0.5, 0.5, 0.5]));
  });
});
