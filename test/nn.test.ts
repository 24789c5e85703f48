// The layers and losses against PyTorch 1.13 (test/golden/nn.json, written by
// test/golden/make_nn_fixtures.py), on both backends, plus their API contract:
// shapes, PyTorch names, defaults and argument checks.
import { describe, it, expect } from 'vitest';
import { nn, Parameter, Tensor } from '../src';
import { loadGolden } from './golden';
import { configs, withConfig, ulpDiff, randomArray, expectBitsEqual, rng } from './helpers';

const G = loadGolden('nn');
const f32 = (a: number[]) => Float32Array.from(a);

/**
 * Both we and PyTorch sum a dot product of length k in float, each within
 * γ_k·Σ|a·b| (γ_k ≈ k·2⁻²⁴) of the exact value, in different orders (PyTorch's
 * BLAS blocks and fuses), so they differ by at most twice that, plus one
 * rounding of the bias add. Per element: |ours - torch| <= bound[i].
 */
function expectWithinDotBound(actual: Float32Array, expected: number[], magnitude: Float64Array, k: number, what: string) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const tol = 2 * (k + 1) * 2 ** -24 * magnitude[i] + 1e-30;
    expect(Math.abs(actual[i] - expected[i]), `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(tol);
  }
}

/** Σ_p |a(i,p)·b(p,j)| for A [m,k] (or [k,m] if ta) and B [k,n] (or [n,k] if tb). */
function absProduct(a: number[], b: number[], m: number, n: number, k: number, ta: boolean, tb: boolean, extra?: number[]) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = extra ? Math.abs(extra[j]) : 0;
      for (let p = 0; p < k; p++) s += Math.abs((ta ? a[p * m + i] : a[i * k + p]) * (tb ? b[j * k + p] : b[p * n + j]));
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Elementwise results: within maxUlp units in the last place (NaN matches NaN, -0 matches 0). */
function expectUlp(actual: Float32Array, expected: number[], maxUlp: number, what: string) {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    const d = Object.is(Math.abs(actual[i]), Math.abs(expected[i])) && actual[i] === 0 ? 0 : ulpDiff(actual[i], expected[i]);
    expect(d, `${what}[${i}]: ${actual[i]} vs ${expected[i]}`).toBeLessThanOrEqual(maxUlp);
  }
}

function loadLinear(c: any): nn.Linear {
  const lin = new nn.Linear(c.in, c.out, { bias: 'bias' in c });
  lin.weight.data.set(c.weight);
  if (lin.bias) lin.bias.data.set(c.bias);
  return lin;
}

describe('layers and losses match PyTorch', () => {
  for (const cfg of configs()) {
    it(`Linear forward and backward (${cfg.name})`, () => {
      withConfig(cfg, () => {
        for (const c of G.linear) {
          const lin = loadLinear(c);
          const y = lin.forward(new Tensor(f32(c.x), [c.batch, c.in]));
          expect(y.shape).toEqual([c.batch, c.out]);
          expectWithinDotBound(y.data, c.y, absProduct(c.x, c.weight, c.batch, c.out, c.in, false, true, c.bias), c.in, 'y');
          const dx = lin.backward(new Tensor(f32(c.gradOutput), [c.batch, c.out]));
          expectWithinDotBound(dx.data, c.gradInput, absProduct(c.gradOutput, c.weight, c.batch, c.in, c.out, false, false), c.out, 'dx');
          expectWithinDotBound(lin.weight.grad, c.gradWeight, absProduct(c.gradOutput, c.x, c.out, c.in, c.batch, true, false), c.batch, 'dW');
          if (lin.bias) {
            const ones = Array(c.batch).fill(1);
            expectWithinDotBound(lin.bias.grad, c.gradBias, absProduct(ones, c.gradOutput, 1, c.out, c.batch, false, false), c.batch, 'db');
          }
        }
      });
    });

    it(`activations forward and backward, edge values included (${cfg.name})`, () => {
      withConfig(cfg, () => {
        const A = G.activations;
        const x = new Tensor(f32(A.x));
        const gy = new Tensor(f32(A.gradOutput));
        for (const [name, c] of Object.entries<any>(A.cases)) {
          const m = new (nn as any)[c.module](...c.args) as nn.Module;
          // We round the double-precision function once (≤ 0.5 ulp from exact);
          // PyTorch's float kernels (Sleef, ≤ 1 ulp, then a few float roundings
          // in the GELU formula and in the derivatives) add at most ~3 ulp.
          // Where PyTorch's float formula cancels, compare in absolute terms:
          // PyTorch computes GELU's 1 + erf(x/√2) in float, within a few units
          // of 2⁻²⁴ (Sleef's erf is ≤ 1 ulp, then the rounded add), so up to
          // 8·2⁻²⁴ times |x|/2 in y and times |gy|(1 + |x|) in dx; it gives 0
          // for x < -5.5 where we give the tiny true value. Tanh and
          // Sigmoid derive from the output: a 1-ulp difference in y near ±1
          // is amplified by the cancellation in 1 - y² (|gy|·2⁻²²).
          const gelu = c.module === 'GELU';
          const y = m.forward(x).data;
          const dx = m.backward(gy).data;
          const within = (v: number, want: number, ulps: number, slack: number, what: string) => {
            if (ulpDiff(v, want) <= ulps || Math.abs(v - want) <= slack) return;
            expect.fail(`${what}: ${v} vs ${want} (${ulpDiff(v, want)} ulp, slack ${slack})`);
          };
          y.forEach((v, i) => within(v, c.y[i], 2, gelu ? Math.abs(x.data[i]) * 2 ** -22 : 0, `${name} y[${i}]`));
          dx.forEach((v, i) => {
            const slack = Math.abs(gy.data[i]) * (gelu ? 2 ** -21 * (1 + Math.abs(x.data[i])) : 2 ** -22);
            within(v, c.gradInput[i], 4, slack, `${name} dx[${i}]`);
          });
        }
      });
    });

    it(`CrossEntropyLoss with and without label smoothing (${cfg.name})`, () => {
      withConfig(cfg, () => {
        for (const c of G.crossEntropy) {
          const loss = new nn.CrossEntropyLoss({ labelSmoothing: c.labelSmoothing });
          const v = loss.forward(new Tensor(f32(c.x), [c.n, c.c]), Int32Array.from(c.labels));
          // Ours is computed in double and rounded once; PyTorch's float
          // log-softmax and mean add a few roundings: 1e-6 relative.
          expect(Math.abs(v - c.loss), `loss ${v} vs ${c.loss}`).toBeLessThanOrEqual(1e-6 * Math.abs(c.loss) + 1e-7);
          const g = loss.backward();
          expect(g.shape).toEqual([c.n, c.c]);
          // Gradients are (softmax - target) / N with |softmax - target| <= 1;
          // PyTorch's float softmax is within a couple of ulp of 1 (2⁻²³), so
          // allow 4·2⁻²⁴/N absolute plus one rounding of the result.
          g.data.forEach((gi, i) => expect(Math.abs(gi - c.grad[i]), `grad[${i}]`).toBeLessThanOrEqual((4 * 2 ** -24) / c.n + 2 ** -24 * Math.abs(c.grad[i])));
        }
      });
    });

    it(`MSELoss (${cfg.name})`, () => {
      withConfig(cfg, () => {
        for (const c of G.mse) {
          const loss = new nn.MSELoss();
          const v = loss.forward(new Tensor(f32(c.x), c.shape), new Tensor(f32(c.target), c.shape));
          expect(Math.abs(v - c.loss)).toBeLessThanOrEqual(1e-6 * c.loss);
          // The gradient is one float subtract and one multiply, as in PyTorch: exact.
          expectUlp(loss.backward().data, c.grad, 0, 'mse grad');
        }
      });
    });

    it(`Sequential MLP forward/backward with CrossEntropyLoss (${cfg.name})`, () => {
      withConfig(cfg, () => {
        const M = G.mlp;
        const model = new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 3));
        model.loadStateDict(Object.fromEntries(Object.entries<number[]>(M.state).map(([k, v]) => [k, new Tensor(f32(v), model.stateDict()[k].shape)])));
        const y = model.forward(new Tensor(f32(M.x), [5, 6]));
        const loss = new nn.CrossEntropyLoss();
        const v = loss.forward(y, Int32Array.from(M.labels));
        const dx = model.backward(loss.backward());
        // Two float GEMM layers and a loss: 1e-5 relative to the magnitudes involved.
        const close = (a: Float32Array, b: number[], what: string) => {
          const scale = Math.max(...b.map(Math.abs));
          a.forEach((ai, i) => expect(Math.abs(ai - b[i]), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * scale));
        };
        close(y.data, M.y, 'y');
        expect(Math.abs(v - M.loss)).toBeLessThanOrEqual(1e-6 * M.loss);
        close(dx.data, M.gradInput, 'dx');
        for (const [name, p] of model.namedParameters()) close(p.grad, M.grads[name], `${name}.grad`);
      });
    });
  }
});

describe('training steps are bit-identical on every backend', () => {
  it('an MLP (every activation) over a few SGD steps gives the same bits on every ISA and the reference', () => {
    const r = rng(3);
    const x = new Tensor(randomArray(37 * 20, 1, -2, 2), [37, 20]);
    const labels = Int32Array.from({ length: 37 }, () => Math.floor(r() * 5));
    const results = configs().map((cfg) =>
      withConfig(cfg, () => {
        const layers = [new nn.Linear(20, 33), new nn.GELU(), new nn.Linear(33, 17), new nn.Tanh(), new nn.Linear(17, 16),
          new nn.LeakyReLU(0.1), new nn.Linear(16, 9), new nn.Sigmoid(), new nn.Linear(9, 8), new nn.ReLU(), new nn.Linear(8, 5)];
        const model = new nn.Sequential(...layers);
        // Same starting weights everywhere (init draws from a global stream).
        model.parameters().forEach((p, i) => p.data.set(randomArray(p.size, 100 + i, -0.3, 0.3)));
        const ce = new nn.CrossEntropyLoss({ labelSmoothing: 0.05 });
        const mse = new nn.MSELoss();
        const losses: number[] = [];
        for (let step = 0; step < 3; step++) {
          model.zeroGrad();
          const y = model.forward(x);
          losses.push(ce.forward(y, labels));
          model.backward(ce.backward());
          const target = new Tensor(new Float32Array(y.size).fill(0.1), y.shape);
          losses.push(mse.forward(model.forward(x), target));
          model.backward(mse.backward());
          for (const p of model.parameters()) for (let i = 0; i < p.size; i++) p.data[i] = Math.fround(p.data[i] - Math.fround(0.1 * p.grad[i]));
        }
        return { name: cfg.name, losses, params: model.parameters().map((p) => p.data) };
      }),
    );
    const ref = results[results.length - 1];
    for (const res of results) {
      expect(res.losses, res.name).toEqual(ref.losses);
      res.params.forEach((p, i) => expectBitsEqual(p, ref.params[i], `${res.name} parameter ${i}`));
    }
  });
});

describe('layer API', () => {
  it('Linear has PyTorch shapes, names and default init bounds', () => {
    const lin = new nn.Linear(400, 30);
    expect(lin.weight.shape).toEqual([30, 400]);
    expect(lin.bias!.shape).toEqual([30]);
    expect(Object.keys(lin.stateDict())).toEqual(['weight', 'bias']);
    const bound = 1 / Math.sqrt(400);
    for (const t of [lin.weight, lin.bias!]) {
      expect(Math.max(...t.data.map(Math.abs))).toBeLessThanOrEqual(bound);
      expect(Math.max(...t.data.map(Math.abs))).toBeGreaterThan(0.9 * bound);
    }
    const noBias = new nn.Linear(3, 2, { bias: false });
    expect(noBias.bias).toBeNull();
    expect(noBias.parameters()).toHaveLength(1);
    expect(Object.keys(noBias.stateDict())).toEqual(['weight']);
  });

  it('Linear accepts leading dimensions and accumulates gradients over calls', () => {
    const lin = new nn.Linear(3, 2);
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => i / 7), [2, 2, 3]);
    const y = lin.forward(x);
    expect(y.shape).toEqual([2, 2, 2]);
    const g = new Tensor(new Float32Array(8).fill(1), [2, 2, 2]);
    lin.backward(g);
    const once = lin.weight.grad.slice();
    lin.forward(x);
    lin.backward(g);
    lin.weight.grad.forEach((v, i) => expect(v).toBeCloseTo(2 * once[i], 5));
    expect([...lin.bias!.grad]).toEqual([8, 8]);
  });

  it('Sequential names children like PyTorch and chains backward in reverse', () => {
    const model = new nn.Sequential(new nn.Linear(4, 5), new nn.Tanh(), new nn.Linear(5, 2, { bias: false }));
    expect(Object.keys(model.stateDict())).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(model.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '2.weight']);
    expect(model.length).toBe(3);
    expect(model.at(-1)).toBeInstanceOf(nn.Linear);
    expect([...model]).toHaveLength(3);
    const y = model.forward(new Tensor(new Float32Array(12).fill(0.5), [3, 4]));
    expect(y.shape).toEqual([3, 2]);
    expect(model.backward(new Tensor(new Float32Array(6).fill(1), [3, 2])).shape).toEqual([3, 4]);
    model.eval();
    expect(model.at(0)!.training).toBe(false);
    class WithBuffer extends nn.Module {
      constructor() {
        super();
        this.registerBuffer('running_mean', Tensor.zeros([2]));
      }
      forward(t: Tensor) {
        return t;
      }
      backward(g: Tensor) {
        return g;
      }
    }
    expect(Object.keys(new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new WithBuffer()).stateDict())).toEqual(['0.weight', '0.bias', '2.running_mean']);
    const zeroIn = new nn.Linear(0, 2);
    expect([...zeroIn.forward(Tensor.zeros([3, 0])).data]).toEqual([...zeroIn.bias!.data, ...zeroIn.bias!.data, ...zeroIn.bias!.data]);
    const empty = new nn.Sequential();
    const t = new Tensor([1, 2]);
    expect(empty.forward(t)).toBe(t);
  });

  it('bad arguments are TypeErrors or RangeErrors that name the argument', () => {
    expect(() => new nn.Linear(-1, 2)).toThrow(/inFeatures/);
    expect(() => new nn.Linear(2.5, 2)).toThrow(RangeError);
    expect(() => new nn.Linear(2, '3' as never)).toThrow(TypeError);
    expect(() => new nn.Linear(2, 3, { bias: 1 as never })).toThrow(/bias/);
    expect(() => new nn.Linear(2, 3, { biass: true } as never)).toThrow(/unknown option 'biass'/);
    const lin = new nn.Linear(3, 2);
    expect(() => lin.forward(new Tensor(new Float32Array(8), [2, 4]))).toThrow(/input must have shape \[\.\.\., 3\]/);
    expect(() => lin.forward(new Float32Array(3) as never)).toThrow(TypeError);
    expect(() => lin.backward(new Tensor([1, 2]))).toThrow(/before forward/);
    lin.forward(new Tensor(new Float32Array(6), [2, 3]));
    expect(() => lin.backward(new Tensor(new Float32Array(6), [3, 2]))).toThrow(/gradOutput must have shape \[2, 2\]/);
    expect(() => new nn.LeakyReLU(NaN)).toThrow(/negativeSlope/);
    expect(() => new nn.LeakyReLU(Infinity)).toThrow(RangeError);
    expect(() => new nn.GELU({ approximate: 'tanh' as never })).toThrow(/approximate/);
    expect(() => new nn.Sequential(new nn.ReLU(), {} as never)).toThrow(/modules\[1\] must be a Module/);
    const relu = new nn.ReLU();
    relu.forward(new Tensor([1, 2, 3]));
    expect(() => relu.backward(new Tensor([1, 2]))).toThrow(RangeError);

    const ce = new nn.CrossEntropyLoss();
    const logits = new Tensor(new Float32Array(6), [2, 3]);
    expect(() => new nn.CrossEntropyLoss({ labelSmoothing: 1.5 })).toThrow(/labelSmoothing/);
    expect(() => ce.forward(logits, Int32Array.from([0, 3]))).toThrow(/target\[1\] must be a class index in \[0, 2\]/);
    expect(() => ce.forward(logits, Int32Array.from([-1, 0]))).toThrow(RangeError);
    expect(() => ce.forward(logits, Int32Array.from([0]))).toThrow(/N = 2/);
    expect(() => ce.forward(logits, [0, 1] as never)).toThrow(TypeError);
    expect(() => ce.forward(new Tensor([1, 2, 3]), Int32Array.from([0]))).toThrow(/\[N, C\]/);
    expect(() => new nn.CrossEntropyLoss().backward()).toThrow(/before forward/);
    const mse = new nn.MSELoss();
    expect(() => mse.forward(logits, new Tensor(new Float32Array(6), [3, 2]))).toThrow(/target must have shape \[2, 3\]/);
    expect(() => mse.forward(logits, Int32Array.from([1]))).toThrow(TypeError);
  });

  it('loadStateDict checks the targets too before writing any tensor: a replaced array leaves the module untouched', () => {
    const bn = new nn.BatchNorm1d(3);
    const src = new nn.BatchNorm1d(3);
    src.weight.data.set([2, 3, 4]);
    const sd = src.stateDict();
    const before = bn.stateDict();
    // 'weight' comes before 'running_var': it must not be written before the failure.
    bn.runningVar!.data = new Float32Array(1);
    expect(() => bn.loadStateDict(sd)).toThrow(RangeError);
    expect(() => bn.loadStateDict(sd)).toThrow(/the module's tensor 'running_var' has shape \[3\] \(3 elements\) but its data holds 1/);
    expectBitsEqual(bn.weight.data, before.weight.data, 'weight');
    expectBitsEqual(bn.bias.data, before.bias.data, 'bias');
    // Not strict, the same: the broken buffer is one of those it would write.
    expect(() => bn.loadStateDict(sd, { strict: false })).toThrow(/running_var/);
    expectBitsEqual(bn.weight.data, before.weight.data, 'weight');
  });

  it('loadStateDict checks its options: strict is a boolean, unknown keys are errors', () => {
    const lin = new nn.Linear(2, 2);
    const sd = { weight: lin.stateDict().weight };
    expect(() => lin.loadStateDict(sd, { strict: 0 as never })).toThrow(TypeError);
    expect(() => lin.loadStateDict(sd, { strict: 0 as never })).toThrow(/options.strict must be a boolean, got 0/);
    expect(() => lin.loadStateDict(lin.stateDict(), { strikt: false } as never)).toThrow(/loadStateDict: unknown option 'strikt' \(known: strict\)/);
    expect(() => lin.loadStateDict(lin.stateDict(), null as never)).toThrow(/options must be an object/);
    expect(() => lin.loadStateDict([] as never)).toThrow(/stateDict must be an object of Tensors/);
    expect(() => lin.loadStateDict(sd)).toThrow(/missing keys: bias/);
    const w = Float32Array.from([1, 2, 3, 4]);
    lin.loadStateDict({ weight: new Tensor(w, [2, 2]) }, { strict: false });
    expectBitsEqual(lin.weight.data, w);
    lin.loadStateDict(lin.stateDict(), { strict: true });
    lin.loadStateDict(lin.stateDict(), {});
  });

  it('CrossEntropyLoss is stable for huge logits and backward returns a fresh copy', () => {
    const ce = new nn.CrossEntropyLoss();
    const v = ce.forward(new Tensor([1e4, 0, -1e4, 3e4], [2, 2]), Int32Array.from([0, 0]));
    // Row 0 is right by 1e4 (loss 0), row 1 wrong by 4e4: the mean is 2e4, no overflow.
    expect(v).toBe(2e4);
    const g1 = ce.backward();
    g1.data[0] = 99;
    expect(ce.backward().data[0]).not.toBe(99);
    expect(new Parameter([1]).grad).toHaveLength(1);
  });
});
