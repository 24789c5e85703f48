// Dropout: inverted scaling, selection (never multiplication) for dropped
// elements, the same mask in backward, identical bits on every ISA, thread
// count and the reference, and PyTorch's scale factor.
import { describe, it, expect } from 'vitest';
import { backend, Generator, nn, Tensor } from '../src';
import { loadGolden } from './golden';
import { configs, withConfig, SIZES, offsetView, randomArray, expectBitsEqual, EDGE_VALUES } from './helpers';

const F = nn.functional;
const scaleOf = (p: number) => Math.fround(1 / Math.fround(1 - p));

/** Forward and backward through nn.Dropout with a fixed seed. */
function forwardBackward(n: number, p: number, seed: number) {
  const m = new nn.Dropout(p, { generator: new Generator(seed) });
  const x = new Tensor(offsetView(randomArray(n, 1)), [n]);
  const y = m.forward(x);
  const gx = m.backward(new Tensor(offsetView(randomArray(n, 2)), [n]));
  return [y.data, gx.data];
}

describe('dropout exactness', () => {
  for (const n of [...SIZES, 3_000_017]) {
    it(`forward and backward agree bit for bit everywhere at n=${n}`, () => {
      for (const p of n > 100_000 ? [0.3] : [0.1, 0.5, 0.9]) {
        const outs = configs().map((c) => ({ name: c.name, out: withConfig(c, () => forwardBackward(n, p, 17)) }));
        const ref = outs[outs.length - 1].out;
        for (const o of outs) o.out.forEach((a, j) => expectBitsEqual(a, ref[j], `${o.name} p=${p} ${j ? 'backward' : 'forward'}`));
      }
    });
  }

  it('does not depend on the thread count', () => {
    const outs = [1, 2, 3, 8].map((t) => {
      backend.setThreads(t);
      return forwardBackward(500_003, 0.4, 3);
    });
    backend.setThreads(backend.defaultThreads());
    for (const o of outs) o.forEach((a, j) => expectBitsEqual(a, outs[0][j], `array ${j}`));
  });
});

describe('dropout semantics', () => {
  it('kept values are x / (1 - p) with PyTorch\'s float scale, dropped ones +0; backward uses the same mask', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        for (const p of [0.1, 0.25, 0.5, 0.9]) {
          const n = 1000;
          const x = randomArray(n, 5);
          const m = new nn.Dropout(p, { generator: new Generator(1) });
          const y = m.forward(new Tensor(x.slice(), [10, 100])).data;
          const g = randomArray(n, 6);
          const gx = m.backward(new Tensor(g, [10, 100])).data;
          const s = scaleOf(p);
          let kept = 0;
          for (let i = 0; i < n; i++) {
            if (Object.is(y[i], 0)) {
              expect(gx[i], `${c.name} gx[${i}]`).toBe(0);
            } else {
              kept++;
              expect(y[i]).toBe(Math.fround(x[i] * s));
              expect(gx[i]).toBe(Math.fround(g[i] * s));
            }
          }
          expect(kept).toBeGreaterThan(0);
          expect(kept).toBeLessThan(n);
        }
      });
    }
  });

  it('drops a fraction p of the elements (10^6 draws, 5 sigma)', () => {
    const n = 1_000_000;
    for (const p of [0.1, 0.5, 0.8]) {
      const y = F.dropout(new Tensor(new Float32Array(n).fill(1)), p, { generator: new Generator(9) }).data;
      let dropped = 0;
      for (let i = 0; i < n; i++) dropped += y[i] === 0 ? 1 : 0;
      expect(Math.abs(dropped / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it('p = 1 gives +0 everywhere, even for NaN and ±Inf; p = 0 and eval are the identity', () => {
    const x = Float32Array.from(EDGE_VALUES);
    for (const c of configs()) {
      withConfig(c, () => {
        const zero = F.dropout(new Tensor(x.slice()), 1).data;
        for (let i = 0; i < x.length; i++) expect(Object.is(zero[i], 0), `${c.name} p=1 [${i}]`).toBe(true);
        expectBitsEqual(F.dropout(new Tensor(x.slice()), 0).data, x, 'p=0');
        expectBitsEqual(F.dropout(new Tensor(x.slice()), 0.5, { training: false }).data, x, 'training false');
        const m = new nn.Dropout(0.5).eval();
        expectBitsEqual(m.forward(new Tensor(x.slice())).data, x, 'eval');
        expectBitsEqual(m.backward(new Tensor(x.slice())).data, x, 'eval backward');
        const all = new nn.Dropout(1);
        all.forward(new Tensor(x.slice()));
        expect([...all.backward(new Tensor(new Float32Array(x.length).fill(2))).data].every((v) => v === 0)).toBe(true);
      });
    }
  });

  it('dropped NaN and ±Inf become +0 in training with 0 < p < 1', () => {
    const n = 4096;
    const x = new Float32Array(n).map((_, i) => [NaN, Infinity, -Infinity][i % 3]);
    const y = F.dropout(new Tensor(x), 0.5, { generator: new Generator(2) }).data;
    let zeros = 0;
    for (let i = 0; i < n; i++) {
      if (Object.is(y[i], 0)) zeros++;
      else expect(Object.is(y[i], x[i] * 2) || (Number.isNaN(y[i]) && Number.isNaN(x[i]))).toBe(true);
    }
    expect(zeros).toBeGreaterThan(n / 4);
  });

  it('inplace writes into x; consecutive calls draw new masks', () => {
    const x = new Tensor(new Float32Array(64).fill(1));
    expect(F.dropout(x, 0.5, { inplace: true })).toBe(x);
    expect(x.data.some((v) => v === 0)).toBe(true);
    const m = new nn.Dropout(0.5, { inplace: true, generator: new Generator(8) });
    const x2 = new Tensor(new Float32Array(64).fill(1)), g2 = new Tensor(new Float32Array(64).fill(3));
    expect(m.forward(x2)).toBe(x2);
    expect(m.backward(g2)).toBe(g2);
    for (let i = 0; i < 64; i++) expect(g2.data[i]).toBe(x2.data[i] === 0 ? 0 : 6);
    const g = new Generator(4);
    const a = F.dropout(new Tensor(new Float32Array(256).fill(1)), 0.5, { generator: g }).data;
    const b = F.dropout(new Tensor(new Float32Array(256).fill(1)), 0.5, { generator: g }).data;
    expect([...a]).not.toEqual([...b]);
    expect(g.offset).toBe(128);
  });

  it('uses PyTorch\'s scale: kept values equal PyTorch\'s bit for bit', () => {
    const { dropout } = loadGolden<{ dropout: { p: number; x: number[]; y: number[] }[] }>('norm');
    for (const { p, x, y: torchY } of dropout) {
      const ours = F.dropout(new Tensor(Float32Array.from(x)), p, { generator: new Generator(3) }).data;
      let compared = 0;
      for (let i = 0; i < x.length; i++) {
        if (torchY[i] !== 0 && ours[i] !== 0) {
          expect(ours[i], `p=${p} [${i}]`).toBe(torchY[i]);
          compared++;
        }
      }
      expect(compared).toBeGreaterThan(2); // about 600 (1 - p)^2 elements kept by both
    }
  });
});

describe('dropout bad input', () => {
  it('rejects bad p, options and inputs', () => {
    const x = new Tensor(new Float32Array(4));
    for (const p of [-0.1, 1.5, NaN, Infinity]) {
      expect(() => F.dropout(x, p)).toThrow(RangeError);
      expect(() => new nn.Dropout(p)).toThrow(/p must be a probability/);
    }
    expect(() => F.dropout(x, '0.5' as unknown as number)).toThrow(TypeError);
    expect(() => F.dropout(new Float32Array(4) as unknown as Tensor, 0.5)).toThrow(TypeError);
    expect(() => F.dropout([1, 2] as unknown as Tensor, 0.5)).toThrow(TypeError);
    expect(() => F.dropout(x, 0.5, { training: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => F.dropout(x, 0.5, { generator: 5 as unknown as Generator })).toThrow(/generator/);
    expect(() => F.dropout(x, 0.5, { train: true } as object)).toThrow(/unknown option 'train'/);
    const m = new nn.Dropout(0.5);
    expect(() => m.backward(x)).toThrow(/before forward/);
    m.forward(x);
    expect(() => m.backward(new Tensor(new Float32Array(5)))).toThrow(/gradOutput/);
  });
});
