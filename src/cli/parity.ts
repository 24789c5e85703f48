// The parity checks deepfit verify runs: one per kernel family, each a
// function of fixed inputs whose outputs must be the same bits on every backend.
import { K } from '../backend';

export interface ParityCheck {
  family: string;
  run: () => Float32Array[];
}

/** Deterministic test values in [-1, 1) with a few edge values mixed in. */
export function sample(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2147483648 - 1;
  }
  if (n > 8) a.set([0, -0, 1e-40, -1e-40, 3e38, -3e38], 1);
  return a;
}

export const PARITY_CHECKS: ParityCheck[] = [
  {
    family: 'memory',
    run: () => {
      const x = sample(70001, 1);
      const dst = new Float32Array(x.length);
      K().copy(dst, x, x.length);
      return [dst, Float32Array.of(K().readSum(x, x.length))];
    },
  },
];
