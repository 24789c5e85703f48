// The numerics the optimizers must get right (each from a real bug report),
// and skipNonFinite, on every ISA and the reference.
import { describe, it, expect } from 'vitest';
import { optim, Parameter } from '../src';
import type { Optimizer } from '../src/optim';
import { configs, withConfig, expectBitsEqual } from './helpers';

const f = Math.fround;

function param(values: number[]): Parameter {
  return new Parameter(Float32Array.from(values));
}

function stepWith(opt: Optimizer<object>, ps: Parameter[], grads: number[][]): void {
  ps.forEach((p, i) => p.grad.set(grads[i]));
  opt.step();
}

function forEachConfig(fn: () => void): void {
  for (const c of configs()) withConfig(c, fn);
}

describe('numerics that must hold', () => {
  it('the Adam step count is per parameter and starts at 1', () => {
    forEachConfig(() => {
      // The first step moves each weight by lr (bias corrections at step 1).
      const a = param([1, 2]);
      const opt = new optim.Adam([a], { lr: 0.1 });
      stepWith(opt, [a], [[0.5, -3]]);
      expect(opt.stateDict().state[0].step).toBe(1);
      expect(a.data[0]).toBeCloseTo(0.9, 6);
      expect(a.data[1]).toBeCloseTo(2.1, 6);

      // A parameter whose state says step 5 takes step 6 while a fresh one takes step 1,
      // in the same group, each exactly as if stepped alone.
      const old = new optim.Adam([param([1, 2])]);
      for (let s = 0; s < 5; s++) stepWith(old, old.paramGroups[0].params, [[0.3, -0.2]]);
      const saved = old.stateDict().state[0];
      const [p, q] = [param([1, 2]), param([3, 4])];
      const both = new optim.Adam([p, q]);
      both.loadStateDict({ state: { 0: saved }, paramGroups: [{ ...both.stateDict().paramGroups[0] }] });
      stepWith(both, [p, q], [[0.1, 0.2], [0.3, 0.4]]);
      const [pAlone, qAlone] = [param([1, 2]), param([3, 4])];
      const alone = new optim.Adam([pAlone]);
      alone.loadStateDict({ state: { 0: saved }, paramGroups: [{ ...alone.stateDict().paramGroups[0] }] });
      stepWith(alone, [pAlone], [[0.1, 0.2]]);
      stepWith(new optim.Adam([qAlone]), [qAlone], [[0.3, 0.4]]);
      expectBitsEqual(p.data, pAlone.data, 'param with step 6');
      expectBitsEqual(q.data, qAlone.data, 'param with step 1');
      expect([both.stateDict().state[0].step, both.stateDict().state[1].step]).toEqual([6, 1]);
    });
  });

  it('a zero gradient still moves an Adam parameter', () => {
    forEachConfig(() => {
      const p = param([1, -1]);
      const opt = new optim.Adam([p], { lr: 0.01 });
      stepWith(opt, [p], [[1, 1]]);
      const before = p.data.slice();
      stepWith(opt, [p], [[0, 0]]);
      expect(p.data[0]).toBeLessThan(before[0]);
      expect(p.data[1]).toBeLessThan(before[1]);
    });
  });

  it('AMSGrad keeps the running maximum of the raw second moment and bias-corrects after taking the maximum', () => {
    forEachConfig(() => {
      const p = param([0]);
      const opt = new optim.Adam([p], { lr: 0.1, amsgrad: true });
      stepWith(opt, [p], [[1]]);
      const v1 = (opt.stateDict().state[0].exp_avg_sq as Float32Array).slice();
      const p1 = p.data[0];
      stepWith(opt, [p], [[0]]); // v2 = 0.999 v1 < v1, but v2 / (1 - 0.999^2) < v1 / (1 - 0.999) too
      const st = opt.stateDict().state[0];
      expectBitsEqual(st.max_exp_avg_sq as Float32Array, v1, 'max_exp_avg_sq is the raw v1');
      // denom = sqrt(max v) / sqrt(1 - beta2^2) + eps; exp_avg = 0.09, step size lr / (1 - beta1^2).
      const expected = p1 - ((0.1 / (1 - 0.81)) * 0.09) / (Math.sqrt(v1[0]) / Math.sqrt(1 - 0.999 ** 2) + 1e-8);
      expect(p.data[0]).toBeCloseTo(expected, 6);
      // Taking the maximum of bias-corrected values would give a step of lr·0.4737 instead of lr·0.6697.
      expect(p1 - p.data[0]).toBeCloseTo(0.06697, 4);
    });
  });

  it('the SGD momentum buffer starts as the first gradient, with no dampening on that step', () => {
    forEachConfig(() => {
      const p = param([1, 2, 3]);
      const opt = new optim.SGD([p], { lr: 0.1, momentum: 0.9, dampening: 0.5 });
      const g1 = Float32Array.from([0.5, -0.25, -0]);
      stepWith(opt, [p], [[...g1]]);
      expectBitsEqual(opt.stateDict().state[0].momentum_buffer as Float32Array, g1, 'buffer after step 1');
      expectBitsEqual(p.data, Float32Array.from([1, 2, 3].map((v, i) => f(v + f(f(-0.1) * g1[i])))), 'params after step 1');
      stepWith(opt, [p], [[1, 1, 1]]);
      const buf2 = [...g1].map((b) => f(f(b * f(0.9)) + 0.5));
      expectBitsEqual(opt.stateDict().state[0].momentum_buffer as Float32Array, Float32Array.from(buf2), 'buffer after step 2');
    });
  });

  it('maximize negates the gradient before weight decay is added', () => {
    // Maximizing with gradient g must equal minimizing with gradient -g, decay included.
    const makers: [string, (p: Parameter[], maximize: boolean) => Optimizer<object>][] = [
      ['SGD', (p, maximize) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.1, maximize })],
      ['Adam', (p, maximize) => new optim.Adam(p, { lr: 0.1, weightDecay: 0.1, amsgrad: true, maximize })],
      ['AdamW', (p, maximize) => new optim.AdamW(p, { lr: 0.1, weightDecay: 0.1, maximize })],
      ['RMSprop', (p, maximize) => new optim.RMSprop(p, { weightDecay: 0.1, centered: true, momentum: 0.5, maximize })],
      ['Adagrad', (p, maximize) => new optim.Adagrad(p, { weightDecay: 0.1, maximize })],
    ];
    forEachConfig(() => {
      for (const [name, make] of makers) {
        const [a, b] = [param([1, -2, 3]), param([1, -2, 3])];
        const [oa, ob] = [make([a], true), make([b], false)];
        for (const g of [[0.5, 0.1, -1], [0.2, -0.3, 0.4]]) {
          stepWith(oa, [a], [g]);
          stepWith(ob, [b], [g.map((x) => -x)]);
        }
        // Decay added before negating would give -(g + λθ), which differs from -g + λθ.
        expectBitsEqual(a.data, b.data, `${name}: maximize(g) vs minimize(-g)`);
      }
    });
  });
});

describe('skipNonFinite', () => {
  const makers: [string, (p: Parameter[]) => Optimizer<object>][] = [
    ['SGD', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, skipNonFinite: true })],
    ['Adam', (p) => new optim.Adam(p, { amsgrad: true, skipNonFinite: true })],
    ['AdamW', (p) => new optim.AdamW(p, { skipNonFinite: true })],
    ['RMSprop', (p) => new optim.RMSprop(p, { centered: true, momentum: 0.9, skipNonFinite: true })],
    ['Adagrad', (p) => new optim.Adagrad(p, { skipNonFinite: true })],
  ];

  function snapshot(opt: Optimizer<object>, ps: Parameter[]) {
    return { data: ps.map((p) => p.data.slice()), sd: opt.stateDict() };
  }

  function expectUnchanged(now: ReturnType<typeof snapshot>, then: ReturnType<typeof snapshot>, what: string): void {
    now.data.forEach((d, i) => expectBitsEqual(d, then.data[i], `${what}: param ${i}`));
    expect(Object.keys(now.sd.state), `${what}: state entries`).toEqual(Object.keys(then.sd.state));
    for (const [idx, st] of Object.entries(then.sd.state)) {
      for (const [k, v] of Object.entries(st)) {
        const mine = now.sd.state[Number(idx)][k];
        if (typeof v === 'number') expect(mine, `${what}: state[${idx}].${k}`).toBe(v);
        else expectBitsEqual(mine as Float32Array, v, `${what}: state[${idx}].${k}`);
      }
    }
  }

  it('a step with a NaN or ±Inf gradient leaves every parameter and state buffer unchanged and is reported', () => {
    forEachConfig(() => {
      for (const [name, make] of makers) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const ps = [param([1, 2, 3]), param(Array.from({ length: 40000 }, (_, i) => Math.sin(i)))];
          const opt = make(ps);
          const first = snapshot(opt, ps);
          ps[1].grad.fill(0.5)[39999] = bad;
          expect(opt.step(), `${name} ${bad} on the first step`).toEqual({ skipped: true });
          expectUnchanged(snapshot(opt, ps), first, `${name} ${bad}, first step`);

          stepWith(opt, ps, [[0.1, 0.2, 0.3], new Array(40000).fill(0.25)]);
          const before = snapshot(opt, ps);
          ps[0].grad[1] = bad;
          expect(opt.step(), `${name} ${bad}`).toEqual({ skipped: true });
          expectUnchanged(snapshot(opt, ps), before, `${name} ${bad}`);

          ps[0].grad[1] = 0.2;
          expect(opt.step(), `${name} after a skipped step`).toEqual({ skipped: false });
          const step = opt.stateDict().state[0].step;
          if (step !== undefined) expect(step, `${name}: the skipped steps were not counted`).toBe(2);
        }
      }
    });
  });

  it('only the group with the non-finite gradient is skipped', () => {
    const [a, b] = [param([1, 2]), param([3, 4])];
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.1, skipNonFinite: true });
    a.grad.set([1, 1]);
    b.grad.set([NaN, 1]);
    expect(opt.step()).toEqual({ skipped: true });
    expect(Array.from(a.data)).toEqual([f(0.9), f(1.9)]);
    expect(Array.from(b.data)).toEqual([3, 4]);
  });

  it('without skipNonFinite, NaN and Inf gradients propagate as in PyTorch', () => {
    forEachConfig(() => {
      const p = param([1, 2, 3]);
      const opt = new optim.Adam([p]);
      stepWith(opt, [p], [[NaN, Infinity, 1]]);
      expect(Number.isNaN(p.data[0])).toBe(true);
      expect(Number.isNaN(p.data[1])).toBe(true); // m = Inf, v = Inf: Inf/Inf
      expect(p.data[2]).toBeCloseTo(2.999, 6);
      const q = param([1]);
      const sgd = new optim.SGD([q], { lr: 0.1 });
      stepWith(sgd, [q], [[Infinity]]);
      expect(q.data[0]).toBe(-Infinity);
    });
  });
});
