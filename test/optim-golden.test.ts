// The optimizers against PyTorch 1.13 (test/golden/optim.json, written by
// make_optim_fixtures.py): parameters after every step and the final state, on
// every ISA and the reference, which must also agree with each other bit for bit.
import { describe, it, expect } from 'vitest';
import { optim, Parameter } from '../src';
import type { Optimizer, OptimizerStateDict } from '../src/optim';
import { loadGolden } from './golden';
import { configs, withConfig, ulpDiff, expectBitsEqual } from './helpers';

interface Case {
  name: string;
  optimizer: 'SGD' | 'Adam' | 'AdamW' | 'RMSprop' | 'Adagrad';
  options: Record<string, unknown>;
  groups: { sizes: number[]; options: Record<string, unknown> }[];
  schedule: (Record<string, unknown>[] | null)[] | null;
  params0: number[][];
  grads: number[][][];
  params: number[][][];
  state: Record<string, Record<string, number | number[]>>;
}

const golden = loadGolden<{ cases: Case[] }>('optim');

// Tolerance: 4 ulp, or 1e-6 relative (the bound), per element.
// PyTorch's CPU kernels fuse a*x + y into FMAs (add with alpha, addcmul) while
// deepfit rounds every operation, so single operations differ by up to 1 ulp.
// Over six steps those differences compound through the running averages and
// momentum buffers, and an update p + u that nearly cancels turns an ulp of p
// or u into many ulps of the small result; so for parameters the relative
// bound is taken at the largest magnitude the element has had so far. Values
// within ABS_TOL of zero are compared absolutely (a denormal gradient squared).
const TOL_ULP = 4;
const TOL_REL = 1e-6;
const ABS_TOL = 1e-30;

function expectClose(actual: ArrayLike<number>, expected: number[], what: string, history: number[][] = []): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = Math.fround(expected[i]);
    const scale = Math.max(Math.abs(e), ...history.map((h) => Math.abs(h[i])).filter(Number.isFinite));
    const ok = ulpDiff(a, e) <= TOL_ULP || Math.abs(a - e) <= Math.max(ABS_TOL, TOL_REL * scale);
    if (!ok) expect.fail(`${what}[${i}]: ${a} vs PyTorch ${e} (${ulpDiff(a, e)} ulp)`);
  }
}

function run(c: Case): { params: Float32Array[][]; state: OptimizerStateDict } {
  let k = 0;
  const groups = c.groups.map((g) => ({ ...g.options, params: g.sizes.map(() => new Parameter(Float32Array.from(c.params0[k++]))) }));
  const all = groups.flatMap((g) => g.params);
  const Opt = optim[c.optimizer] as unknown as new (p: unknown, o: unknown) => Optimizer<object>;
  const opt = new Opt(groups, c.options);
  const after: Float32Array[][] = [];
  c.grads.forEach((stepGrads, s) => {
    c.schedule?.[s]?.forEach((change, gi) => Object.assign(opt.paramGroups[gi], change));
    all.forEach((p, i) => p.grad.set(stepGrads[i]));
    expect(opt.step()).toEqual({ skipped: false });
    after.push(all.map((p) => p.data.slice()));
  });
  return { params: after, state: opt.stateDict() };
}

describe('optimizers match PyTorch', () => {
  for (const c of golden.cases) {
    it(c.name, () => {
      const results = configs().map((cfg) => ({ cfg, r: withConfig(cfg, () => run(c)) }));
      for (const { cfg, r } of results) {
        r.params.forEach((ps, s) =>
          ps.forEach((p, i) => expectClose(p, c.params[s][i], `${cfg.name} step ${s + 1} param ${i}`, [c.params0[i], ...c.params.slice(0, s).map((ps) => ps[i])])),
        );
        const want = Object.entries(c.state).filter(([, st]) => Object.keys(st).length > 0);
        expect(Object.keys(r.state.state).sort(), `${cfg.name} state entries`).toEqual(want.map(([k]) => k).sort());
        for (const [idx, st] of want) {
          const mine = r.state.state[Number(idx)];
          expect(Object.keys(mine).sort(), `${cfg.name} state[${idx}] keys`).toEqual(Object.keys(st).sort());
          for (const [key, v] of Object.entries(st)) {
            if (typeof v === 'number') expect(mine[key], `${cfg.name} state[${idx}].${key}`).toBe(v);
            else expectClose(mine[key] as Float32Array, v, `${cfg.name} state[${idx}].${key}`);
          }
        }
      }
      const ref = results[results.length - 1].r;
      for (const { cfg, r } of results.slice(0, -1)) {
        r.params.forEach((ps, s) => ps.forEach((p, i) => expectBitsEqual(p, ref.params[s][i], `${cfg.name} vs reference, step ${s + 1} param ${i}`)));
        for (const [idx, st] of Object.entries(ref.state.state)) {
          for (const [key, v] of Object.entries(st)) {
            if (v instanceof Float32Array) expectBitsEqual(r.state.state[Number(idx)][key] as Float32Array, v, `${cfg.name} vs reference state[${idx}].${key}`);
          }
        }
      }
    });
  }
});
