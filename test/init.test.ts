// init.*: PyTorch's formulas (std within 2%, fans, gains), orthogonality,
// truncation bounds, identical bits on every backend, and bad input.
import { describe, it, expect } from 'vitest';
import { Generator, init, Tensor } from '../src';
import { K } from '../src/backend';
import { loadGolden } from './golden';
import { configs, withConfig, expectBitsEqual, offsetView } from './helpers';

const golden = loadGolden<{
  gains: { nonlinearity: init.Nonlinearity; param: number | null; gain: number }[];
  orthogonal: { rows: number; cols: number; gain: number; x: number[]; q: number[] }[];
}>('norm');

function stats(a: Float32Array): { mean: number; std: number } {
  let s = 0, ss = 0;
  for (const v of a) s += v;
  const mean = s / a.length;
  for (const v of a) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / a.length) };
}

const seeded = (seed: number) => ({ generator: new Generator(seed) });

/** Every random init function, each on a fresh tensor from the same seed. */
function drawAll(): Float32Array[] {
  const t = (...shape: number[]) => Tensor.zeros(shape);
  return [
    init.uniform(t(1023), { a: -2, b: 3, ...seeded(1) }),
    init.normal(t(65537), { mean: 1, std: 0.5, ...seeded(2) }),
    init.xavierUniform(t(17, 33), { gain: 2, ...seeded(3) }),
    init.xavierNormal(t(16, 8, 3, 3), seeded(4)),
    init.kaimingUniform(t(15, 7), { a: Math.sqrt(5), ...seeded(5) }),
    init.kaimingNormal(t(7, 16, 5), { mode: 'fan_out', nonlinearity: 'relu', ...seeded(6) }),
    init.truncNormal(t(4099), { mean: 0.5, std: 2, a: -1, b: 3, ...seeded(7) }),
    init.orthogonal(t(33, 17), seeded(8)),
    init.orthogonal(t(12, 70), { gain: 1.5, ...seeded(9) }),
    init.orthogonal(t(8, 4, 3, 3), seeded(10)),
  ].map((x) => x.data);
}

describe('init exactness', () => {
  it('every random init gives identical bits on every ISA and the reference', () => {
    const outs = configs().map((c) => ({ name: c.name, out: withConfig(c, drawAll) }));
    const ref = outs[outs.length - 1].out;
    for (const o of outs) o.out.forEach((a, j) => expectBitsEqual(a, ref[j], `${o.name} init #${j}`));
  });
});

describe('init on views', () => {
  it('fills a tensor whose data is a view at a non-zero byteOffset exactly like a plain one', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        const view = new Tensor(offsetView(new Float32Array(1027)), [1027]);
        const plain = Tensor.zeros([1027]);
        for (const fn of [init.uniform, init.normal, init.truncNormal] as ((t: Tensor, o: object) => Tensor)[]) {
          expectBitsEqual(fn(view, seeded(3)).data, fn(plain, seeded(3)).data, `${c.name} ${fn.name}`);
        }
        const buf = new Float32Array(view.data.buffer);
        expect(buf[0]).toBe(12345); // the elements around the view are untouched
        expect(buf[buf.length - 1]).toBe(12345);
      });
    }
  });
});

describe('init formulas', () => {
  const [rows, cols] = [256, 512]; // fanIn 512, fanOut 256
  const cases: [string, (t: Tensor) => Tensor, number][] = [
    ['uniform(-1, 3)', (t) => init.uniform(t, { a: -1, b: 3, ...seeded(1) }), 4 / Math.sqrt(12)],
    ['normal(std 0.3)', (t) => init.normal(t, { std: 0.3, ...seeded(2) }), 0.3],
    ['xavierUniform(gain 2)', (t) => init.xavierUniform(t, { gain: 2, ...seeded(3) }), 2 * Math.sqrt(2 / (512 + 256))],
    ['xavierNormal', (t) => init.xavierNormal(t, seeded(4)), Math.sqrt(2 / (512 + 256))],
    ['kaimingUniform', (t) => init.kaimingUniform(t, seeded(5)), Math.sqrt(2) / Math.sqrt(512)],
    ['kaimingUniform(a sqrt 5)', (t) => init.kaimingUniform(t, { a: Math.sqrt(5), ...seeded(5) }), 1 / Math.sqrt(3 * 512)],
    ['kaimingNormal(fan_out, relu)', (t) => init.kaimingNormal(t, { mode: 'fan_out', nonlinearity: 'relu', ...seeded(6) }), Math.sqrt(2 / 256)],
    ['kaimingNormal(tanh)', (t) => init.kaimingNormal(t, { nonlinearity: 'tanh', ...seeded(7) }), 5 / 3 / Math.sqrt(512)],
  ];
  for (const [name, fn, std] of cases) {
    it(`${name}: sample std within 2% of ${std.toPrecision(4)} at ${rows}x${cols}`, () => {
      const t = Tensor.zeros([rows, cols]);
      expect(fn(t)).toBe(t);
      const s = stats(t.data);
      expect(Math.abs(s.std / std - 1)).toBeLessThan(0.02);
    });
  }

  it('kaimingUniform(a = sqrt 5), as Linear uses it, stays within 1/sqrt(fanIn)', () => {
    const w = init.kaimingUniform(Tensor.zeros([64, 100]), { a: Math.sqrt(5), generator: new Generator(1) });
    expect(Math.max(...w.data.map(Math.abs))).toBeLessThanOrEqual(Math.fround(0.1));
    const b = init.uniform(Tensor.zeros([64]), { a: -0.1, b: 0.1, generator: new Generator(2) });
    expect(b.data.every((v) => v >= -0.1 && v < 0.1)).toBe(true);
  });

  it('fans follow [out, in, ...kernel]; the fan_in/fan_out std ratio for [16, 8, 3, 3] is sqrt(144/72)', () => {
    const shape = [16, 8, 3, 3];
    expect(init.calculateFans(Tensor.zeros(shape))).toEqual([72, 144]);
    expect(init.calculateFans(Tensor.zeros([10, 20]))).toEqual([20, 10]);
    const a = init.kaimingNormal(Tensor.zeros(shape), { mode: 'fan_in', generator: new Generator(3) }).data;
    const b = init.kaimingNormal(Tensor.zeros(shape), { mode: 'fan_out', generator: new Generator(3) }).data;
    // the same normal draws scaled by gain/sqrt(72) and gain/sqrt(144): each ratio is sqrt 2 up to float rounding
    for (let i = 0; i < a.length; i++) if (a[i] !== 0) expect(Math.abs(a[i] / b[i] / Math.SQRT2 - 1)).toBeLessThan(2.5e-7);
    expect(stats(a).std / stats(b).std).toBeCloseTo(Math.SQRT2, 6);
  });

  it('calculateGain has PyTorch\'s table', () => {
    for (const { nonlinearity, param, gain } of golden.gains) {
      expect(init.calculateGain(nonlinearity, param ?? undefined), `${nonlinearity}(${param})`).toBe(gain);
    }
    expect(init.calculateGain('conv_transpose3d')).toBe(1);
  });

  it('truncNormal never leaves [a, b] (absolute bounds) and is normal inside', () => {
    for (const [mean, std, a, b] of [[0, 1, -2, 2], [0.5, 2, -1, 1.5], [0, 1, 1, 3], [10, 0.1, 9.99, 100]]) {
      const t = init.truncNormal(Tensor.zeros([200_000]), { mean, std, a, b, generator: new Generator(4) });
      let lo = Infinity, hi = -Infinity;
      for (const v of t.data) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      expect(lo).toBeGreaterThanOrEqual(Math.fround(a));
      expect(hi).toBeLessThanOrEqual(Math.fround(b));
      expect(hi - lo).toBeGreaterThan(0.8 * (Math.min(b, mean + 5 * std) - Math.max(a, mean - 5 * std)));
    }
    // the standard case: std of N(0, 1) truncated to [-2, 2] is 0.8796
    const s = stats(init.truncNormal(Tensor.zeros([200_000]), seeded(5)).data);
    expect(Math.abs(s.std / 0.8796 - 1)).toBeLessThan(0.01);
    expect(Math.abs(s.mean)).toBeLessThan(0.01);
  });

  function gram(w: Float32Array, r: number, c: number, rowsOf: boolean): Float64Array {
    const k = rowsOf ? r : c, len = rowsOf ? c : r;
    const at = (i: number, j: number) => (rowsOf ? w[i * c + j] : w[j * c + i]);
    const g = new Float64Array(k * k);
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
      let s = 0;
      for (let l = 0; l < len; l++) s += at(i, l) * at(j, l);
      g[i * k + j] = s;
    }
    return g;
  }

  for (const [shape, gain] of [[[64, 256], 1], [[50, 300], 1.5], [[300, 40], 1], [[200, 50], 2], [[8, 4, 3, 3], 1], [[40, 40], 1]] as [number[], number][]) {
    it(`orthogonal ${JSON.stringify(shape)} gain ${gain}: ${shape[0] <= shape.slice(1).reduce((a, b) => a * b, 1) ? 'W Wᵀ' : 'Wᵀ W'} = gain² I to 1e-5`, () => {
      const t = init.orthogonal(Tensor.zeros(shape), { gain, generator: new Generator(6) });
      const r = shape[0], c = t.size / r;
      const wide = r <= c;
      const g = gram(t.data, r, c, wide);
      const k = wide ? r : c;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
        expect(Math.abs(g[i * k + j] - (i === j ? gain * gain : 0))).toBeLessThan(1e-5 * gain * gain);
      }
    });
  }

  it('orthogonal\'s QR with the sign fix matches PyTorch\'s on fixed inputs', () => {
    for (const c of configs()) {
      withConfig(c, () => {
        for (const { rows, cols, gain, x, q } of golden.orthogonal) {
          const out = new Float32Array(rows * cols);
          K().orthogonal(Float32Array.from(x), rows, cols, gain, out);
          // both are double-precision QRs rounded to float: at most 1 ulp apart
          for (let i = 0; i < q.length; i++) expect(Math.abs(out[i] - q[i])).toBeLessThanOrEqual(Math.abs(q[i]) * 1.2e-7 + 1e-12);
        }
      });
    }
  });

  it('constant, zeros, ones and eye', () => {
    expect([...init.constant(Tensor.zeros([3]), 2.5).data]).toEqual([2.5, 2.5, 2.5]);
    expect([...init.ones(Tensor.zeros([2])).data]).toEqual([1, 1]);
    expect([...init.zeros(new Tensor([1, 2])).data]).toEqual([0, 0]);
    expect([...init.eye(new Tensor(new Float32Array(6).fill(7), [2, 3])).data]).toEqual([1, 0, 0, 0, 1, 0]);
    expect([...init.eye(Tensor.zeros([3, 2])).data]).toEqual([1, 0, 0, 1, 0, 0]);
    const g = new Generator(1);
    expect([...init.ones(Tensor.zeros([2]), { generator: g }).data]).toEqual([1, 1]);
    expect([...init.eye(Tensor.zeros([1, 1]), { generator: g }).data]).toEqual([1]);
    expect(g.offset).toBe(0);
    expect(() => init.zeros(Tensor.zeros([2]), { gen: g } as object)).toThrow(/unknown option 'gen'/);
  });
});

describe('init bad input', () => {
  it('rejects wrong kinds, shapes and hyperparameters, naming the argument', () => {
    const w = Tensor.zeros([4, 3]);
    expect(() => init.uniform(new Float32Array(4) as unknown as Tensor)).toThrow(TypeError);
    expect(() => init.normal([1, 2] as unknown as Tensor)).toThrow(TypeError);
    expect(() => new Tensor(new Float64Array(4) as unknown as Float32Array)).toThrow(TypeError);
    for (const fn of [init.xavierUniform, init.xavierNormal, init.kaimingUniform, init.kaimingNormal]) {
      expect(() => fn(Tensor.zeros([5]))).toThrow(/at least 2 dimensions/);
    }
    expect(() => init.orthogonal(Tensor.zeros([5]))).toThrow(RangeError);
    expect(() => init.eye(Tensor.zeros([2, 2, 2]))).toThrow(/2-D/);
    expect(() => init.uniform(w, { a: 2, b: 1 })).toThrow(RangeError);
    expect(() => init.uniform(w, { a: NaN })).toThrow(/a must be/);
    expect(() => init.normal(w, { std: -1 })).toThrow(/std/);
    expect(() => init.normal(w, { mean: Infinity })).toThrow(/mean/);
    expect(() => init.truncNormal(w, { a: 1, b: 1 })).toThrow(RangeError);
    expect(() => init.truncNormal(w, { std: 0 })).toThrow(/std must be a finite number > 0/);
    expect(() => init.xavierUniform(w, { gain: -1 })).toThrow(/gain/);
    expect(() => init.kaimingUniform(w, { mode: 'fan_avg' as init.FanMode })).toThrow(/mode/);
    expect(() => init.kaimingNormal(w, { nonlinearity: 'gelu' as init.Nonlinearity })).toThrow(/nonlinearity/);
    expect(() => init.calculateGain('swish' as init.Nonlinearity)).toThrow(RangeError);
    expect(() => init.calculateGain('leaky_relu', NaN)).toThrow(/param/);
    expect(() => init.uniform(w, { generator: 3 as unknown as Generator })).toThrow(/generator/);
    expect(() => init.normal(w, { sd: 1 } as object)).toThrow(/unknown option 'sd'/);
    expect(() => init.constant(w, 'x' as unknown as number)).toThrow(TypeError);
  });
});
