// The parity checks deepfit verify runs: one per kernel family, each running
// the family through the public API on fixed inputs (edge values included).
// Every output must be the same bits on each native ISA and the reference.
import { K } from '../backend';
import { Generator, init, nn, optim, Parameter, Tensor, utils } from '../index';
import type { Module } from '../nn/module';

export interface ParityCheck {
  family: string;
  run: () => Float32Array[];
}

/** Deterministic values in [-1, 1) (an LCG) with edge values mixed in when `edges`. */
export function sample(n: number, seed: number, edges = true): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  if (edges && n > 8) a.set([0, -0, 1e-40, -1e-40, 3e38, -3e38, NaN, Infinity], 1);
  return a;
}

/** Doubles as float32 words, so they compare bit for bit like every other output. */
function doubleBits(x: ArrayLike<number>): Float32Array {
  return new Float32Array(Float64Array.from(x).buffer);
}

const ROWS = 67;
const labels = Int32Array.from({ length: ROWS }, (_, i) => (i * 7) % 10);

function optimizerSteps(make: (p: Parameter[]) => { step(): unknown }): Float32Array[] {
  const params = [new Parameter(sample(4099, 1, false)), new Parameter(sample(17, 2, false))];
  const opt = make(params);
  for (let s = 0; s < 3; s++) {
    params.forEach((p, i) => p.grad.set(sample(p.size, 10 + s * 7 + i, false)));
    opt.step();
  }
  return params.map((p) => p.data);
}

function layerRoundTrip(m: Module, x: Tensor): Float32Array[] {
  const y = m.forward(x);
  const gx = m.backward(new Tensor(sample(y.size, 99, false), y.shape));
  return [y.data, gx.data, ...m.parameters().map((p) => p.grad)];
}

export const PARITY_CHECKS: ParityCheck[] = [
  {
    family: 'memory',
    run: () => {
      const x = sample(70001, 1);
      const dst = new Float32Array(x.length);
      K().copy(dst, x, x.length);
      return [dst, doubleBits([K().readSum(sample(70001, 2, false), 70001)])];
    },
  },
  {
    family: 'math',
    run: () => {
      const x = Float64Array.from(sample(4096, 3, false), (v) => v * 0.999);
      const out = new Float64Array(x.length);
      return (['exp', 'log', 'tanh', 'erf', 'erfinv'] as const).map((f) => {
        K().mathEval(f, f === 'log' ? x.map(Math.abs) : x, out);
        return doubleBits(out);
      });
    },
  },
  { family: 'optim.sgd', run: () => optimizerSteps((p) => new optim.SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-2 })) },
  { family: 'optim.adam', run: () => optimizerSteps((p) => new optim.Adam(p, { lr: 1e-2, amsgrad: true, weightDecay: 1e-2 })) },
  { family: 'optim.adamw', run: () => optimizerSteps((p) => new optim.AdamW(p, { lr: 1e-2 })) },
  { family: 'optim.rmsprop', run: () => optimizerSteps((p) => new optim.RMSprop(p, { lr: 1e-2, momentum: 0.5, centered: true })) },
  { family: 'optim.adagrad', run: () => optimizerSteps((p) => new optim.Adagrad(p, { lr: 1e-2, lrDecay: 0.01 })) },
  {
    family: 'clip',
    run: () => {
      const params = [new Parameter(new Float32Array(70001)), new Parameter(new Float32Array(33))];
      params.forEach((p, i) => p.grad.set(sample(p.size, 20 + i, false)));
      const norm = utils.clipGradNorm(params, 0.5);
      utils.clipGradValue(params, 1e-3);
      return [...params.map((p) => p.grad), doubleBits([norm])];
    },
  },
  {
    family: 'random',
    run: () => {
      const g = new Generator(42);
      const t = (n: number) => new Tensor(new Float32Array(n));
      return [
        init.uniform(t(70001), { a: -2, b: 3, generator: g }).data,
        init.normal(t(70001), { mean: 1, std: 2, generator: g }).data,
        init.truncNormal(t(4097), { std: 1, a: -0.5, b: 2, generator: g }).data,
        nn.functional.dropout(new Tensor(sample(70001, 4)), 0.3, { generator: g }).data,
      ];
    },
  },
  { family: 'qr', run: () => [init.orthogonal(new Tensor(new Float32Array(48 * 80), [48, 80]), { generator: new Generator(7) }).data] },
  {
    family: 'gemm',
    run: () => {
      const lin = new nn.Linear(70, 41);
      lin.weight.data.set(sample(lin.weight.size, 5, false));
      lin.bias!.data.set(sample(41, 6, false));
      return layerRoundTrip(lin, new Tensor(sample(ROWS * 70, 7), [ROWS, 70]));
    },
  },
  {
    family: 'activation',
    run: () => {
      const mods = [new nn.ReLU(), new nn.LeakyReLU(0.02), new nn.Tanh(), new nn.Sigmoid(), new nn.GELU()];
      return mods.flatMap((m) => layerRoundTrip(m, new Tensor(sample(70001, 8).map((v) => v * 9), [70001])));
    },
  },
  {
    family: 'loss',
    run: () => {
      const x = new Tensor(sample(ROWS * 10, 9, false).map((v) => v * 20), [ROWS, 10]);
      const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.1 });
      const mse = new nn.MSELoss();
      const l1 = ce.forward(x, labels);
      const g1 = ce.backward().data;
      const l2 = mse.forward(x, new Tensor(sample(ROWS * 10, 10, false), [ROWS, 10]));
      return [doubleBits([l1, l2]), g1, mse.backward().data];
    },
  },
  {
    family: 'batchnorm',
    run: () => {
      const bn = new nn.BatchNorm1d(24);
      const out = layerRoundTrip(bn, new Tensor(sample(ROWS * 24, 11, false), [ROWS, 24]));
      bn.eval();
      return [...out, ...layerRoundTrip(bn, new Tensor(sample(ROWS * 24, 12, false), [ROWS, 24]))];
    },
  },
];
