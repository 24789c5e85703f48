// Batch norm: PyTorch fixtures (forward, backward, running statistics over
// several steps, momentum null, no affine, 2d, no running stats), bit-identical
// results on every ISA, thread count and the reference, and bad input.
import { describe, it, expect } from 'vitest';
import { backend, Generator, nn, Tensor } from '../src';
import type { BatchNormOptions } from '../src/nn';
import { K } from '../src/backend';
import { loadGolden } from './golden';
import { configs, withConfig, offsetView, randomArray, expectBitsEqual, EDGE_VALUES } from './helpers';

interface Step {
  training: boolean;
  shape: number[];
  x: number[];
  g: number[];
  y: number[];
  dx: number[];
  dweight?: number[];
  dbias?: number[];
  runningMean?: number[];
  runningVar?: number[];
  numBatchesTracked?: number;
}
interface Case {
  name: string;
  kind: 'BatchNorm1d' | 'BatchNorm2d';
  C: number;
  options: BatchNormOptions;
  weight: number[] | null;
  bias: number[] | null;
  steps: Step[];
}
const golden = loadGolden<{ batchnorm: Case[] }>('norm');

function make(kind: string, C: number, options: BatchNormOptions = {}) {
  return kind === 'BatchNorm2d' ? new nn.BatchNorm2d(C, options) : new nn.BatchNorm1d(C, options);
}

// Tolerance against PyTorch: we accumulate in double and round once; PyTorch
// 1.13 on CPU computes the statistics and the affine transform in float32, so
// its values carry a few float32 roundings of the largest term involved
// (|x| up to ~8, |dx| sums over up to 135 values). 2e-6 absolute plus 2e-6
// relative covers that and still catches any wrong term or formula.
function expectClose(actual: ArrayLike<number>, expected: number[], what: string): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const err = Math.abs(actual[i] - expected[i]);
    if (!(err <= 2e-6 + 2e-6 * Math.abs(expected[i]))) {
      expect.fail(`${what}[${i}]: ${actual[i]} vs PyTorch ${expected[i]} (error ${err})`);
    }
  }
}

function runCase(c: Case) {
  const m = make(c.kind, c.C, c.options);
  if (m.weight && c.weight) m.weight.data.set(c.weight);
  if (m.bias && c.bias) m.bias.data.set(c.bias);
  return c.steps.map((s, i) => {
    m.train(s.training);
    m.zeroGrad();
    const y = m.forward(new Tensor(offsetView(Float32Array.from(s.x)), s.shape));
    const dx = m.backward(new Tensor(Float32Array.from(s.g), s.shape));
    const where = `${c.name} step ${i}`;
    expectClose(y.data, s.y, `${where} y`);
    expectClose(dx.data, s.dx, `${where} dx`);
    if (s.dweight) expectClose(m.weight!.grad, s.dweight, `${where} weight.grad`);
    if (s.dbias) expectClose(m.bias!.grad, s.dbias, `${where} bias.grad`);
    if (s.runningMean) expectClose(m.runningMean!.data, s.runningMean, `${where} runningMean`);
    if (s.runningVar) expectClose(m.runningVar!.data, s.runningVar, `${where} runningVar`);
    if (s.numBatchesTracked !== undefined) expect(m.numBatchesTracked, `${where} numBatchesTracked`).toBe(s.numBatchesTracked);
    return [y.data, dx.data, ...m.parameters().map((p) => p.grad), ...m.namedBuffers().map(([, b]) => b.data.slice())];
  });
}

describe('BatchNorm against PyTorch', () => {
  for (const c of golden.batchnorm) {
    it(`${c.name}: every backend matches PyTorch and each other bit for bit`, () => {
      const results = configs().map((cfg) => ({ name: cfg.name, out: withConfig(cfg, () => runCase(c)) }));
      const ref = results[results.length - 1].out;
      for (const r of results) {
        r.out.forEach((step, i) => step.forEach((arr, j) => expectBitsEqual(arr, ref[i][j], `${r.name} step ${i} output ${j}`)));
      }
    });
  }
});

/**
 * n values of either sign spread over 2^-30 .. 2^30 in magnitude: double sums
 * of them (and of their squares) round, so a sum taken in another order, or a
 * term added twice or missed, changes the bits.
 */
function wideArray(n: number, seed: number): Float32Array {
  const u = randomArray(2 * n, seed, 0, 1);
  return Float32Array.from({ length: n }, (_, i) => (u[2 * i] < 0.5 ? -1 : 1) * (1 + u[2 * i]) * 2 ** (Math.floor(61 * u[2 * i + 1]) - 30));
}

/** Forward + backward in training, then in eval, on random data; every array the module produced. */
function trainEval(kind: string, shape: number[], seed: number, options: BatchNormOptions = {}) {
  const C = shape[1];
  const n = shape.reduce((a, b) => a * b, 1);
  const m = make(kind, C, options);
  if (m.weight) m.weight.data.set(randomArray(C, seed + 1, 0.5, 1.5));
  if (m.bias) m.bias.data.set(randomArray(C, seed + 2));
  const out: Float32Array[] = [];
  for (const training of [true, true, false]) {
    m.train(training);
    const x = new Tensor(offsetView(wideArray(n, seed + 3)), shape);
    out.push(m.forward(x).data, m.backward(new Tensor(wideArray(n, seed + 4), shape)).data);
  }
  out.push(...m.parameters().map((p) => p.grad), ...m.namedBuffers().map(([, b]) => b.data));
  return out;
}

function expectSameEverywhere(kind: string, shape: number[], options: BatchNormOptions = {}) {
  const results = configs().map((cfg) => ({ name: cfg.name, out: withConfig(cfg, () => trainEval(kind, shape, 7, options)) }));
  const ref = results[results.length - 1].out;
  for (const r of results) r.out.forEach((a, j) => expectBitsEqual(a, ref[j], `${r.name} [${shape}] array ${j}`));
}

describe('BatchNorm exactness', () => {
  it('[N, C] at sizes around the SIMD widths: identical bits everywhere', () => {
    for (const N of [2, 7, 15, 16, 17]) for (const C of [1, 7, 16, 17, 65, 130]) expectSameEverywhere('BatchNorm1d', [N, C]);
    // Rows go in tiles of 32 (8 lanes x 4): whole tiles, a tile and a row, and tails of every length.
    for (const N of [31, 32, 33, 63, 64, 95, 100]) for (const C of [8, 13, 64, 71]) expectSameEverywhere('BatchNorm1d', [N, C]);
  });

  it('[N, C, L] and [N, C, H, W]: identical bits everywhere', () => {
    for (const L of [1, 7, 8, 15, 16, 17, 33]) expectSameEverywhere('BatchNorm1d', [3, 5, L]);
    expectSameEverywhere('BatchNorm2d', [2, 3, 7, 9]);
    expectSameEverywhere('BatchNorm2d', [4, 2, 16, 16], { affine: false, momentum: null });
  });

  it('more than one reduction chunk per channel (M > 65536): identical bits everywhere', () => {
    expectSameEverywhere('BatchNorm1d', [3, 2, 30001]);
    expectSameEverywhere('BatchNorm1d', [70001, 3]);
    expectSameEverywhere('BatchNorm1d', [65536 + 37, 9]);
  });

  it('the per-channel double sums themselves (bnStats, bnBackwardSums) are identical everywhere', () => {
    // Outputs are float32, which can hide a last-bit difference in a double
    // sum; these compare the sums, on data whose sums round in double.
    const shapes = [[2, 9, 1], [31, 8, 1], [32, 8, 1], [33, 13, 1], [64, 64, 1], [95, 71, 1], [100, 130, 1], [256, 1024, 1], [65536 + 37, 9, 1], [3, 5, 17], [4, 3, 1000]];
    for (const [N, C, L] of shapes) {
      const n = N * C * L;
      const x = offsetView(wideArray(n, N + C)), g = wideArray(n, L + 1);
      const mean = Float64Array.from(wideArray(C, 5));
      const runs = configs().map((cfg) =>
        withConfig(cfg, () => {
          const out = [new Float64Array(C), new Float64Array(C), new Float64Array(C), new Float64Array(C)];
          K().bnStats(x, N, C, L, out[0], out[1]);
          K().bnBackwardSums(g, x, N, C, L, mean, out[2], out[3]);
          return { name: cfg.name, out };
        }),
      );
      const ref = runs[runs.length - 1].out;
      for (const r of runs) {
        r.out.forEach((a, j) => {
          const bits = (v: Float64Array) => new Uint32Array(v.buffer);
          const k = bits(a).findIndex((w, i) => w !== bits(ref[j])[i]);
          expect(k, `${r.name} [${N}, ${C}, ${L}] sum ${j}: first difference at word ${k}`).toBe(-1);
        });
      }
    }
  });

  it('outputs of 8 MiB and more (written with non-temporal stores) are identical everywhere, at any alignment', () => {
    for (const [N, C, L] of [[8193, 257, 1], [3, 5, 140001], [2, 64, 16384]]) {
      const n = N * C * L;
      const x = offsetView(wideArray(n, C));
      for (let i = 0; i < n; i += 9973) x[i] = EDGE_VALUES[(i / 9973) % EDGE_VALUES.length];
      const alpha = wideArray(C, 1), beta = wideArray(C, 2);
      alpha[1] = Infinity; // Inf * 0 = NaN, written as the quiet NaN
      const runs = configs().map((cfg) =>
        withConfig(cfg, () => {
          const y = offsetView(new Float32Array(n), 1 + (C % 5));
          K().bnApply(x, y, N, C, L, alpha, beta);
          return { name: cfg.name, y };
        }),
      );
      const ref = runs[runs.length - 1].y;
      for (const i of [0, 1, 2, L, n - 1]) {
        const c = Math.floor(i / L) % C;
        expect(ref[i]).toBe(Math.fround(Math.fround(x[i] * alpha[c]) + beta[c]));
      }
      for (const r of runs) expectBitsEqual(r.y, ref, `${r.name} bnApply [${N}, ${C}, ${L}]`);
    }
  });

  it('does not depend on the thread count', () => {
    const outs = [1, 2, 3, 8].map((t) => {
      backend.setThreads(t);
      return [...trainEval('BatchNorm2d', [8, 70, 20, 20], 3), ...trainEval('BatchNorm1d', [4100, 200], 4)];
    });
    backend.setThreads(backend.defaultThreads());
    for (const o of outs) o.forEach((a, j) => expectBitsEqual(a, outs[0][j], `array ${j}`));
  });

  it('carries edge values through the normalization as PyTorch does (NaN stays in its channel)', () => {
    const C = 3, N = EDGE_VALUES.length;
    const x = new Float32Array(N * C);
    for (let n = 0; n < N; n++) {
      x[n * C] = EDGE_VALUES[n];
      x[n * C + 1] = n;
      x[n * C + 2] = -n * 0.5;
    }
    const outs = configs().map((cfg) =>
      withConfig(cfg, () => {
        const m = new nn.BatchNorm1d(C);
        return m.forward(new Tensor(x.slice(), [N, C])).data;
      }),
    );
    for (const o of outs) expectBitsEqual(o, outs[outs.length - 1], 'edge values');
    const y = outs[0];
    for (let n = 0; n < N; n++) {
      expect(Number.isNaN(y[n * C])).toBe(true); // channel 0 holds NaN and ±Inf: its statistics are NaN
      expect(new Uint32Array(y.buffer, y.byteOffset, y.length)[n * C]).toBe(0x7fc00000); // one NaN, whatever the operand order
      expect(Number.isFinite(y[n * C + 1])).toBe(true);
    }
  });
});

describe('BatchNorm semantics', () => {
  it('defaults: eps 1e-5, momentum 0.1, affine, running stats 0 and 1', () => {
    const m = new nn.BatchNorm1d(3);
    expect([m.eps, m.momentum, m.affine, m.trackRunningStats, m.training]).toEqual([1e-5, 0.1, true, true, true]);
    expect([...m.weight!.data, ...m.bias!.data]).toEqual([1, 1, 1, 0, 0, 0]);
    expect([...m.runningMean!.data, ...m.runningVar!.data]).toEqual([0, 0, 0, 1, 1, 1]);
    expect(Object.keys(m.stateDict())).toEqual(['weight', 'bias', 'running_mean', 'running_var', 'num_batches_tracked']);
    expect(m.eval().training).toBe(false);
    expect(m.train().training).toBe(true);
  });

  it('stateDict round-trips, including numBatchesTracked', () => {
    const m = new nn.BatchNorm2d(2);
    for (let i = 0; i < 3; i++) m.forward(new Tensor(randomArray(32, i), [2, 2, 2, 4]));
    const copy = new nn.BatchNorm2d(2);
    copy.loadStateDict(m.stateDict());
    expect(copy.numBatchesTracked).toBe(3);
    // loaded through a container too (its load hook runs only at the top)
    const outer = new nn.Sequential(new nn.BatchNorm2d(2)), source = new nn.Sequential(m);
    outer.loadStateDict(source.stateDict());
    expect((outer.namedChildren()[0][1] as InstanceType<typeof nn.BatchNorm2d>).numBatchesTracked).toBe(3);
    expectBitsEqual(copy.runningVar!.data, m.runningVar!.data, 'running_var');
    m.weight!.data.fill(3);
    m.resetParameters();
    expect([m.numBatchesTracked, ...m.runningMean!.data, ...m.runningVar!.data, ...m.weight!.data]).toEqual([0, 0, 0, 1, 1, 1, 1]);
    expect(m.stateDict().num_batches_tracked.data[0]).toBe(0);
    const noStats = new nn.BatchNorm1d(2, { trackRunningStats: false, affine: false });
    expect(Object.keys(noStats.stateDict())).toEqual([]);
    expect(noStats.runningMean).toBeNull();
  });

  it('backward accumulates into weight.grad and bias.grad', () => {
    const m = new nn.BatchNorm1d(4);
    const x = new Tensor(randomArray(24, 1), [6, 4]), g = new Tensor(randomArray(24, 2), [6, 4]);
    m.forward(x);
    m.backward(g);
    const once = [m.weight!.grad.slice(), m.bias!.grad.slice()];
    m.forward(x);
    m.backward(g);
    for (let c = 0; c < 4; c++) {
      expect(m.weight!.grad[c]).toBeCloseTo(2 * once[0][c], 5);
      expect(m.bias!.grad[c]).toBeCloseTo(2 * once[1][c], 5);
    }
  });

  it('eval uses the running statistics and leaves them alone', () => {
    const m = new nn.BatchNorm1d(2).eval();
    m.runningMean!.data.set([1, -2]);
    m.runningVar!.data.set([4, 0.25]);
    const y = m.forward(new Tensor([3, 0, 1, -2], [2, 2]));
    // PyTorch's form: x * alpha + beta in float, alpha = 1/sqrt(var + eps), beta = -mean * alpha
    const d = (v: number, mean: number, vr: number) => {
      const alpha = 1 / Math.sqrt(Math.fround(vr) + 1e-5);
      return Math.fround(Math.fround(v * Math.fround(alpha)) + Math.fround(-mean * alpha));
    };
    expect([...y.data]).toEqual([d(3, 1, 4), d(0, -2, 0.25), d(1, 1, 4), d(-2, -2, 0.25)]);
    expect(m.numBatchesTracked).toBe(0);
    // one value per channel is fine in eval mode
    expect(m.forward(new Tensor([1, 2], [1, 2])).shape).toEqual([1, 2]);
  });
});

describe('BatchNorm bad input', () => {
  it('one value per channel in training is a RangeError like PyTorch', () => {
    expect(() => new nn.BatchNorm1d(3).forward(new Tensor(new Float32Array(3), [1, 3]))).toThrow(/more than 1 value per channel/);
    expect(() => new nn.BatchNorm2d(3).forward(new Tensor(new Float32Array(3), [1, 3, 1, 1]))).toThrow(RangeError);
  });

  it('wrong shapes, channels, options and kinds are rejected, naming the argument', () => {
    const m1 = new nn.BatchNorm1d(3), m2 = new nn.BatchNorm2d(3);
    expect(() => m1.forward(new Tensor(new Float32Array(8), [2, 4]))).toThrow(/3 channels/);
    expect(() => m1.forward(new Tensor(new Float32Array(24), [2, 3, 2, 2]))).toThrow(RangeError);
    expect(() => m2.forward(new Tensor(new Float32Array(6), [2, 3]))).toThrow(/4-D/);
    expect(() => m1.forward(new Float32Array(6) as unknown as Tensor)).toThrow(TypeError);
    expect(() => m1.forward({ data: new Float64Array(6), shape: [2, 3] } as unknown as Tensor)).toThrow(TypeError);
    expect(() => m1.backward(new Tensor(new Float32Array(6), [2, 3]))).toThrow(/before forward/);
    expect(() => new nn.BatchNorm1d(2 ** 33)).toThrow(/^numFeatures must be an integer in \[1, 2147483647\], got 8589934592/);
    const changed = new nn.BatchNorm1d(3);
    (changed as unknown as { eps: number }).eps = -1; // readonly only to TypeScript
    expect(() => changed.forward(new Tensor(new Float32Array(6), [2, 3]))).toThrow(/^eps must be a finite number >= 0, got -1/);
    (changed as unknown as { eps: number; momentum: number }).eps = 1e-5;
    (changed as unknown as { momentum: number }).momentum = 2;
    expect(() => changed.forward(new Tensor(new Float32Array(6), [2, 3]))).toThrow(/^momentum must be a number in \[0, 1\] or null, got 2/);
    m1.forward(new Tensor(randomArray(6, 1), [2, 3]));
    expect(() => m1.backward(new Tensor(new Float32Array(9), [3, 3]))).toThrow(/gradOutput/);
    expect(() => new nn.BatchNorm1d(0)).toThrow(/numFeatures/);
    expect(() => new nn.BatchNorm1d(2.5)).toThrow(RangeError);
    expect(() => new nn.BatchNorm1d(2, { eps: -1 })).toThrow(/eps/);
    expect(() => new nn.BatchNorm1d(2, { eps: Infinity })).toThrow(/eps/);
    expect(() => new nn.BatchNorm1d(2, { momentum: 1.5 })).toThrow(/momentum/);
    expect(() => new nn.BatchNorm1d(2, { momentum: NaN })).toThrow(/momentum/);
    expect(() => new nn.BatchNorm1d(2, { affine: 1 as unknown as boolean })).toThrow(TypeError);
    expect(() => new nn.BatchNorm1d(2, { moment: 0.1 } as BatchNormOptions)).toThrow(/unknown option 'moment'/);
  });
});

describe('in a model', () => {
  it('Linear, BatchNorm1d, ReLU, Dropout, Linear: a few SGD steps give the same bits on every backend', () => {
    const x = new Tensor(randomArray(32 * 12, 1, -2, 2), [32, 12]);
    const target = new Tensor(randomArray(32 * 3, 2), [32, 3]);
    const results = configs().map((cfg) =>
      withConfig(cfg, () => {
        const g = new Generator(5);
        const model = new nn.Sequential(new nn.Linear(12, 16, { generator: g }), new nn.BatchNorm1d(16), new nn.ReLU(),
          new nn.Dropout(0.3, { generator: g }), new nn.Linear(16, 3, { generator: g }));
        const mse = new nn.MSELoss();
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          model.zeroGrad();
          losses.push(mse.forward(model.forward(x), target));
          model.backward(mse.backward());
          for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = Math.fround(p.data[i] - Math.fround(0.05 * p.grad[i]));
        }
        model.eval();
        return { name: cfg.name, losses, out: model.forward(x).data, state: Object.values(model.stateDict()).map((t) => t.data) };
      }),
    );
    const ref = results[results.length - 1];
    expect(ref.losses[2]).toBeLessThan(ref.losses[0]);
    for (const r of results) {
      expect(r.losses, r.name).toEqual(ref.losses);
      expectBitsEqual(r.out, ref.out, `${r.name} eval output`);
      r.state.forEach((a, i) => expectBitsEqual(a, ref.state[i], `${r.name} state ${i}`));
    }
  });
});
