// Shared test helpers: backend/ISA configurations, seeded data, bit equality.
import { expect } from 'vitest';
import { backend } from '../src';

export interface Config {
  /** 'reference', or 'native:<isa>' */
  name: string;
  backend: 'native' | 'reference';
  isa?: string;
}

/** Every native ISA this machine runs (only DEEPFIT_ISA's if set), then the reference. */
export function configs(): Config[] {
  const out: Config[] = [];
  const forced = process.env.DEEPFIT_ISA;
  backend.use('native');
  for (const isa of backend.info().available) {
    if (forced && isa !== forced) continue;
    out.push({ name: `native:${isa}`, backend: 'native', isa });
  }
  out.push({ name: 'reference', backend: 'reference' });
  return out;
}

export function nativeConfigs(): Config[] {
  return configs().filter((c) => c.backend === 'native');
}

/** Switches the library to a configuration. */
export function useConfig(c: Config): void {
  backend.use(c.backend);
  if (c.isa) backend.setIsa(c.isa);
}

/** Runs fn under a configuration and restores the default (native, best ISA). */
export function withConfig<T>(c: Config, fn: () => T): T {
  useConfig(c);
  try {
    return fn();
  } finally {
    backend.use('native');
    const av = backend.info().available;
    backend.setIsa(process.env.DEEPFIT_ISA || av[av.length - 1]);
  }
}

/** The sizes around SIMD widths that every kernel is tested at. */
export const SIZES = [0, 1, 7, 15, 16, 17, 1023, 65537];

/** A small seeded PRNG for test data (mulberry32), independent of the library's RNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n values uniform in [lo, hi). */
export function randomArray(n: number, seed: number, lo = -1, hi = 1): Float32Array {
  const r = rng(seed);
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
  return a;
}

/** n values at a non-zero byteOffset inside a larger buffer (an offset view). */
export function offsetView(values: Float32Array, offset = 3): Float32Array {
  const buf = new Float32Array(values.length + offset + 5).fill(12345);
  const v = buf.subarray(offset, offset + values.length);
  v.set(values);
  return v;
}

/** Edge values every elementwise kernel should carry through as PyTorch does. */
export const EDGE_VALUES = [0, -0, NaN, Infinity, -Infinity, 1e-45, -1e-45, 1.1754942e-38, 3.4e38, -3.4e38, 1e-30, 1e30];

/** Asserts two float arrays are identical bit for bit (NaN payloads included). */
export function expectBitsEqual(actual: Float32Array, expected: Float32Array, what = 'values'): void {
  expect(actual.length, `${what}: length`).toBe(expected.length);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== e[i]) {
      expect.fail(`${what}: first difference at [${i}]: ${actual[i]} (0x${a[i].toString(16)}) vs ${expected[i]} (0x${e[i].toString(16)})`);
    }
  }
}

/** Distance in units in the last place between two float32 values (NaN == NaN is 0). */
export function ulpDiff(a: number, b: number): number {
  if (Number.isNaN(a) && Number.isNaN(b)) return 0;
  if (Number.isNaN(a) || Number.isNaN(b)) return Infinity;
  if (a === b) return 0;
  const buf = new DataView(new ArrayBuffer(8));
  const ord = (x: number) => {
    buf.setFloat32(0, x);
    const i = buf.getInt32(0);
    return i < 0 ? -(i & 0x7fffffff) : i;
  };
  return Math.abs(ord(a) - ord(b));
}
