// Hostile inputs: every one must end in a TypeError or RangeError that names
// the argument, never a crash, a raw engine error or a silent wrong result.
import { describe, it, expect } from 'vitest';
import { backend } from '../src';
import { loadNative } from '../src/backend/native';
import { configs, withConfig } from './helpers';

/** Detaches a typed array's buffer the way postMessage/structuredClone transfer does. */
function detach(a: Float32Array): void {
  structuredClone(a.buffer, { transfer: [a.buffer] });
}

describe('native tensor lists', () => {
  it('refuse arrays detached after the list was made instead of touching freed memory', () => {
    const K = loadNative();
    const p = new Float32Array(1 << 16), g = new Float32Array(1 << 16);
    const list = K.makeTensorList([[p], [g]]);
    detach(p);
    expect(() => K.scaleList(list, 0, 2)).toThrow(RangeError);
    expect(() => K.normPowSum(list, 0, 2)).toThrow(/detached or resized/);
    expect(() => K.sgdStep(list, new Float64Array(4), new Float64Array(1), 0)).toThrow(RangeError);
  });

  it('refuse a resizable buffer shrunk after the list was made', () => {
    const K = loadNative();
    const buf = new ArrayBuffer(4 << 16, { maxByteLength: 4 << 16 } as never);
    const p = new Float32Array(buf), g = new Float32Array(1 << 16);
    const list = K.makeTensorList([[p], [g]]);
    (buf as unknown as { resize(n: number): void }).resize(0);
    expect(() => K.addScaledList(list, 0, 1, 1)).toThrow(/detached or resized/);
  });

  it('accept only their own handles', () => {
    const K = loadNative();
    for (const bad of [undefined, null, {}, [], new Float32Array(4), 1]) {
      expect(() => K.allFinite(bad, 0)).toThrow(TypeError);
    }
  });
});

describe('optimizers', () => {
  for (const c of configs()) {
    it(`${c.name}: a parameter buffer detached between steps is an error, not a crash`, async () => {
      const { optim, Parameter } = await import('../src');
      withConfig(c, () => {
        const p = new Parameter(new Float32Array(8).fill(1));
        const opt = new optim.Adam([p], { lr: 0.1 });
        opt.step();
        detach(p.grad);
        expect(() => opt.step()).toThrow(/grad has 0 elements, expected 8/);
        const q = new Parameter(new Float32Array(8).fill(1));
        const sgd = new optim.SGD([q], { lr: 0.1 });
        sgd.step();
        detach(q.data);
        expect(() => sgd.step()).toThrow(/data has 0 elements, expected 8/);
      });
    });
  }
  it('backend is left native', () => expect(backend.current()).toBe('native'));
});
