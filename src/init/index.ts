// Minimal initialisers for nn.Linear until the full init module lands.
import type { Tensor } from '../tensor';

let state = 0x9e3779b9;
function next(): number {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

export function uniform(t: Tensor, { a = 0, b = 1 }: { a?: number; b?: number; generator?: unknown } = {}): Tensor {
  for (let i = 0; i < t.data.length; i++) t.data[i] = a + (b - a) * next();
  return t;
}

export function kaimingUniform(t: Tensor, { a = 0 }: { a?: number; generator?: unknown } = {}): Tensor {
  const fanIn = t.shape.slice(1).reduce((x, y) => x * y, 1);
  const bound = Math.sqrt(2 / (1 + a * a)) * Math.sqrt(3 / fanIn);
  return uniform(t, { a: -bound, b: bound });
}
