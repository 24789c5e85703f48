// Optimizer steps compute the same bits on every ISA, every thread count and
// the reference: random inputs with edge values, several steps, one group
// holding a tensor of every test size, all at non-zero byte offsets.
import { describe, it, afterAll } from 'vitest';
import { backend, optim, Parameter } from '../src';
import type { Optimizer } from '../src/optim';
import { configs, withConfig, SIZES, randomArray, offsetView, expectBitsEqual, EDGE_VALUES, type Config } from './helpers';

type Make = (params: Parameter[]) => Optimizer<object>;

const VARIANTS: [string, Make][] = [
  ['SGD', (p) => new optim.SGD(p, { lr: 0.1 })],
  ['SGD momentum dampening weightDecay maximize', (p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 0.01, maximize: true })],
  ['SGD nesterov weightDecay', (p) => new optim.SGD(p, { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 })],
  ['Adam', (p) => new optim.Adam(p)],
  ['Adam amsgrad weightDecay maximize', (p) => new optim.Adam(p, { lr: 0.01, amsgrad: true, weightDecay: 0.1, maximize: true })],
  ['AdamW amsgrad', (p) => new optim.AdamW(p, { lr: 0.01, amsgrad: true, betas: [0.8, 0.99] })],
  ['AdamW no decay', (p) => new optim.AdamW(p, { weightDecay: 0 })],
  ['RMSprop', (p) => new optim.RMSprop(p)],
  ['RMSprop centered', (p) => new optim.RMSprop(p, { centered: true })],
  ['RMSprop momentum', (p) => new optim.RMSprop(p, { momentum: 0.5, eps: 1e-6 })],
  ['RMSprop centered momentum weightDecay maximize', (p) => new optim.RMSprop(p, { centered: true, momentum: 0.9, weightDecay: 0.1, maximize: true, alpha: 0.9 })],
  ['Adagrad', (p) => new optim.Adagrad(p)],
  ['Adagrad lrDecay initialAccumulatorValue weightDecay maximize', (p) => new optim.Adagrad(p, { lrDecay: 0.01, initialAccumulatorValue: 0.1, weightDecay: 0.1, maximize: true })],
];

const STEPS = 3;

/** Gradient of tensor k at a step; edge values sit at the start of the larger tensors. */
function gradient(n: number, k: number, step: number): Float32Array {
  const g = randomArray(n, 1000 * step + k, -2, 2);
  if (n >= 1023) g.set(EDGE_VALUES.map((v, i) => (i % STEPS === step ? v : g[i])));
  return g;
}

function params(sizes: number[]): Parameter[] {
  return sizes.map((n, k) => {
    const data = randomArray(n, 77 + k);
    if (n >= 65537) data.set(EDGE_VALUES, 100);
    const p = new Parameter(offsetView(data));
    p.grad = offsetView(new Float32Array(n), 5);
    return p;
  });
}

/** Parameters and every state buffer after STEPS steps. */
function run(make: Make, sizes: number[]): Float32Array[] {
  const ps = params(sizes);
  const opt = make(ps);
  for (let s = 0; s < STEPS; s++) {
    ps.forEach((p, k) => p.grad.set(gradient(p.size, k, s)));
    opt.step();
  }
  const out = ps.map((p) => p.data);
  for (const st of Object.values(opt.stateDict().state)) for (const v of Object.values(st)) if (v instanceof Float32Array) out.push(v);
  return out;
}

function expectSame(results: [string, Float32Array[]][]): void {
  const [, ref] = results[results.length - 1];
  for (const [name, r] of results) r.forEach((a, i) => expectBitsEqual(a, ref[i], `${name}, array ${i}`));
}

function underThreads<T>(c: Config, threads: number, fn: () => T): T {
  return withConfig(c, () => {
    if (c.backend === 'native') backend.setThreads(threads);
    return fn();
  });
}

describe('optimizer steps are bit-identical everywhere', () => {
  afterAll(() => backend.setThreads(backend.defaultThreads()));

  for (const [name, make] of VARIANTS) {
    it(`${name}: sizes ${SIZES.join(', ')} in one group, threads 1/2/3`, () => {
      const results: [string, Float32Array[]][] = [];
      for (const c of configs()) {
        for (const t of c.backend === 'native' ? [1, 2, 3] : [1]) results.push([`${c.name} threads ${t}`, underThreads(c, t, () => run(make, SIZES))]);
      }
      expectSame(results);
    });
  }

  for (const [name, make] of [VARIANTS[2], VARIANTS[4]]) {
    it(`${name}: 3,000,017 elements`, () => {
      const results: [string, Float32Array[]][] = [];
      for (const c of configs()) {
        const threads = c.backend === 'native' ? [1, 3] : [1];
        for (const t of threads) results.push([`${c.name} threads ${t}`, underThreads(c, t, () => run(make, [3_000_017]))]);
      }
      expectSame(results);
    }, 60_000);
  }
});
