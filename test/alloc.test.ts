// The allocation helper: 64-byte aligned arrays, large ones staggered within
// the page, zero-filled where promised, and independent of one another;
// small gradients back to back in shared blocks.
import { describe, it, expect } from 'vitest';
import { alignedFloat32, gradientFloat32, uninitializedFloat32 } from '../src/alloc';
import { Parameter } from '../src/tensor';
import { loadNative } from '../src/backend/native';

const addressMod = (x: Float32Array) => loadNative().addressMod(x);

describe('alloc', () => {
  for (const make of [alignedFloat32, uninitializedFloat32]) {
    it(`${make.name} places arrays on 64-byte boundaries, large ones at different page offsets`, () => {
      for (const n of [1, 7, 17, 1000, 65537]) {
        const x = make(n);
        expect(x.length).toBe(n);
        expect(addressMod(x) % 64).toBe(0);
      }
      const big = [0, 1, 2, 3].map(() => make(1 << 16));
      expect(new Set(big.map(addressMod)).size).toBe(4);
      expect(make(0).length).toBe(0);
    });
  }

  it('alignedFloat32 zero-fills, and arrays never share memory', () => {
    const a = alignedFloat32(1 << 16), b = alignedFloat32(1 << 16);
    expect(a.every((v) => v === 0)).toBe(true);
    a.fill(1);
    expect(b.every((v) => v === 0)).toBe(true);
    const s = [uninitializedFloat32(5), uninitializedFloat32(5)];
    s[0].fill(1);
    s[1].fill(2);
    expect(Array.from(s[0])).toEqual([1, 1, 1, 1, 1]);
  });

  it('uninitializedFloat32 never hands out Node\'s shared Buffer pool, and its buffer holds nothing outside the view', () => {
    const secret = Buffer.from('SECRET-API-KEY-0123456789');
    for (const n of [1, 100, 1000, 20000, 70000]) {
      const x = uninitializedFloat32(n);
      expect(x.buffer).not.toBe(secret.buffer);
      const all = new Uint8Array(x.buffer);
      expect(all.subarray(0, x.byteOffset).every((b) => b === 0)).toBe(true);
      expect(all.subarray(x.byteOffset + x.byteLength).every((b) => b === 0)).toBe(true);
      expect(x.buffer.byteLength).toBeLessThan(n * 4 + 8192);
    }
  });

  it('gradients of small parameters made in a row lie back to back, each on a 64-byte line, zeroed', () => {
    const ps = [1000, 1, 17, 4096].map((n) => new Parameter(new Float32Array(n)));
    for (const p of ps) {
      expect(p.grad.length).toBe(p.data.length);
      expect(addressMod(p.grad) % 64).toBe(0);
      expect(p.grad.every((v) => v === 0)).toBe(true);
    }
    // Same block unless the run crossed a block boundary (then the next two share one).
    const shared = [0, 1, 2].filter((i) => ps[i].grad.buffer === ps[i + 1].grad.buffer);
    expect(shared.length).toBeGreaterThanOrEqual(2);
    for (const i of shared) expect(ps[i + 1].grad.byteOffset).toBe(ps[i].grad.byteOffset + Math.ceil(ps[i].grad.length / 16) * 64);
    ps[0].grad.fill(1);
    expect(ps.slice(1).every((p) => p.grad.every((v) => v === 0))).toBe(true);
  });

  it('large gradients get their own buffer, and a detached block is never handed out again', () => {
    const big = gradientFloat32(4097);
    expect(big.byteOffset + big.byteLength).toBeLessThanOrEqual(big.buffer.byteLength);
    expect(big.buffer.byteLength).toBeLessThan(4097 * 4 + 8192);
    const a = gradientFloat32(8);
    structuredClone(a.buffer, { transfer: [a.buffer] });
    const b = gradientFloat32(8);
    expect(b.length).toBe(8);
    expect(b.buffer).not.toBe(a.buffer);
    expect(gradientFloat32(0).length).toBe(0);
  });
});
