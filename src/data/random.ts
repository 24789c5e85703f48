// The data pipeline's own seeded permutations. Splits and shuffles must be
// reproducible from a seed alone, independently of the library's tensor RNG
// (so drawing dropout masks never changes which samples are in a batch).
// splitmix32 is small, fast and well mixed; Fisher–Yates with it is exact
// because the index is drawn by integer rejection, not by float scaling.

/** A uint32 stream from a seed (splitmix32). */
export function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** Mixes a seed with a stream number (e.g. the epoch) into a new seed. */
export function deriveSeed(seed: number, stream: number): number {
  const r = splitmix32((seed >>> 0) ^ Math.imul(stream + 1, 0x27d4eb2d));
  r();
  return r();
}

/** A uniform integer in [0, bound) without modulo bias. */
function below(next: () => number, bound: number): number {
  const limit = 0x100000000 - (0x100000000 % bound);
  for (;;) {
    const v = next();
    if (v < limit) return v % bound;
  }
}

/** Shuffles `a` in place (Fisher–Yates) from the seed; returns it. */
export function shuffleInPlace<T extends { length: number; [i: number]: number }>(a: T, seed: number): T {
  const next = splitmix32(seed);
  for (let i = a.length - 1; i > 0; i--) {
    const j = below(next, i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}

/** A permutation of 0..n-1 from the seed. */
export function permutation(n: number, seed: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return shuffleInPlace(p, seed);
}
