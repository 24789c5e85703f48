// The allocation helper: 64-byte aligned arrays, large ones staggered within
// the page, zero-filled where promised, and independent of one another.
import { describe, it, expect } from 'vitest';
import { alignedFloat32, uninitializedFloat32 } from '../src/alloc';
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
});
