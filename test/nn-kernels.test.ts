// Activation and loss kernels: every ISA, thread count and the reference agree
// bit for bit, at sizes around the SIMD widths, on offset views and edge values.
import { describe, it, expect } from 'vitest';
import { backend } from '../src';
import { K } from '../src/backend';
import type { ActivationName } from '../src/backend/kernels';
import { configs, withConfig, SIZES, randomArray, offsetView, expectBitsEqual, EDGE_VALUES, rng } from './helpers';

const KINDS: [ActivationName, number][] = [['relu', 0], ['leakyRelu', 0.01], ['leakyRelu', -1.7], ['tanh', 0], ['sigmoid', 0], ['gelu', 0]];

/** Random values in [-8, 8) with the edge values sprinkled in. */
function inputs(n: number, seed: number): Float32Array {
  const x = randomArray(n, seed, -8, 8);
  for (let i = 0; i < n; i += 5) x[i] = EDGE_VALUES[(i / 5) % EDGE_VALUES.length];
  return x;
}

function runActivation(kind: ActivationName, slope: number, n: number) {
  const x = offsetView(inputs(n, n + 1));
  const gy = offsetView(randomArray(n, n + 2, -2, 2), 2);
  const y = offsetView(new Float32Array(n), 1);
  const gx = offsetView(new Float32Array(n), 4);
  K().activationForward(kind, x, y, n, slope);
  K().activationBackward(kind, x, y, gy, gx, n, slope);
  return { y, gx };
}

function expectSame(results: { name: string; out: Record<string, Float32Array | number> }[]) {
  const ref = results[results.length - 1];
  for (const r of results) {
    for (const [key, v] of Object.entries(r.out)) {
      const want = ref.out[key];
      if (typeof v === 'number') expect(Object.is(v, want), `${r.name} ${key}: ${v} vs ${want}`).toBe(true);
      else expectBitsEqual(v, want as Float32Array, `${r.name} ${key}`);
    }
  }
}

describe('activation kernels', () => {
  for (const [kind, slope] of KINDS) {
    it(`${kind}${slope ? `(${slope})` : ''} forward and backward agree everywhere at every size`, () => {
      for (const n of [...SIZES, 100_003]) {
        expectSame(configs().map((c) => ({ name: `${c.name} n=${n}`, out: withConfig(c, () => runActivation(kind, slope, n)) })));
      }
    });
  }

  it('do not depend on the thread count', () => {
    const outs = [1, 2, 3].map((t) => {
      backend.setThreads(t);
      return { name: `threads=${t}`, out: runActivation('gelu', 0, 200_001) };
    });
    backend.setThreads(backend.defaultThreads());
    expectSame(outs);
  });
});

function runCrossEntropy(n: number, c: number, eps: number) {
  const r = rng(n * 31 + c);
  const x = offsetView(randomArray(n * c, n + c, -10, 10));
  const labels = Int32Array.from({ length: n }, () => Math.floor(r() * c));
  const grad = offsetView(new Float32Array(n * c), 2);
  const loss = K().crossEntropy(x, labels, n, c, eps, grad);
  return { loss, grad };
}

function runMse(n: number) {
  const x = offsetView(inputs(n, n + 7).map((v) => (Number.isFinite(v) && Math.abs(v) < 1e20 ? v : 0.5)));
  const t = offsetView(randomArray(n, n + 8), 2);
  const grad = offsetView(new Float32Array(n), 1);
  const loss = K().mse(x, t, n, 2 / n, grad);
  return { loss, grad };
}

describe('loss kernels', () => {
  const shapes: [number, number][] = [[0, 3], [1, 1], [1, 7], [7, 15], [16, 16], [17, 17], [1023, 10], [3, 65537], [4000, 33]];
  for (const [n, c] of shapes) {
    it(`crossEntropy agrees everywhere at [${n}, ${c}]`, () => {
      for (const eps of [0, 0.1, 1]) {
        expectSame(configs().map((cf) => ({ name: `${cf.name} eps=${eps}`, out: withConfig(cf, () => runCrossEntropy(n, c, eps)) })));
      }
    });
  }

  it('crossEntropy propagates NaN and ±Inf logits the same way everywhere', () => {
    const x = Float32Array.from([NaN, 1, 2, Infinity, 0, 1, -Infinity, 0, 1, 3.4e38, -3.4e38, 0]);
    const labels = Int32Array.from([1, 1, 2, 0]);
    expectSame(configs().map((c) => ({
      name: c.name,
      out: withConfig(c, () => {
        const grad = new Float32Array(12);
        return { loss: K().crossEntropy(x, labels, 4, 3, 0.1, grad), grad };
      }),
    })));
  });

  it('crossEntropy and mse do not depend on the thread count', () => {
    const outs = [1, 2, 3].map((t) => {
      backend.setThreads(t);
      return { name: `threads=${t}`, out: { ...runCrossEntropy(20_000, 10, 0.1), mse: runMse(300_007).loss, mseGrad: runMse(300_007).grad } };
    });
    backend.setThreads(backend.defaultThreads());
    expectSame(outs);
  });

  for (const n of [...SIZES, 200_003]) {
    it(`mse agrees everywhere at n=${n}`, () => {
      expectSame(configs().map((c) => ({ name: c.name, out: withConfig(c, () => runMse(n)) })));
    });
  }

  it('the native crossEntropy binding rejects out-of-range labels and short arrays', () => {
    backend.use('native');
    const x = new Float32Array(6), g = new Float32Array(6);
    expect(() => K().crossEntropy(x, Int32Array.from([0, 3]), 2, 3, 0, g)).toThrow(RangeError);
    expect(() => K().crossEntropy(x, Int32Array.from([0, -1]), 2, 3, 0, g)).toThrow(RangeError);
    expect(() => K().crossEntropy(x, Int32Array.from([0]), 2, 3, 0, g)).toThrow(RangeError);
    expect(() => K().crossEntropy(x, [0, 1] as never, 2, 3, 0, g)).toThrow(TypeError);
    expect(() => K().crossEntropy(x, Int32Array.from([0, 1]), 3, 3, 0, g)).toThrow(RangeError);
    expect(() => K().mse(x, new Float32Array(5), 6, 1, g)).toThrow(RangeError);
    expect(() => K().activationForward('relu', x, new Float32Array(5), 6, 0)).toThrow(RangeError);
    expect(() => K().activationForward('softplus' as never, x, x, 6, 0)).toThrow(RangeError);
  });
});
