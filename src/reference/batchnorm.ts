// Reference of native/kernels/batchnorm.cc on [N, C, L]: per-channel sums in
// the fixed order over t = n*L + l (chunks of REDUCE_CHUNK, lane t mod 8,
// lanes combined pairwise, chunks added in order); the forward transform in
// float, the backward one in double rounded once.
import { REDUCE_CHUNK } from './reduce';

const f = Math.fround;

/** NaN results as the quiet NaN 0x7fc00000, like the native kernels. */
function canonical(v: number): number {
  return v !== v ? NaN : v;
}

/** out0[c] = sum of f0(i), out1[c] = sum of f1(i) over channel c's flat indices i. */
function channelSums(
  N: number, C: number, L: number, f0: (i: number, c: number) => number, f1: (i: number, c: number) => number,
  out0: Float64Array, out1: Float64Array,
): void {
  const M = N * L;
  const a = new Float64Array(8), b = new Float64Array(8);
  for (let c = 0; c < C; c++) {
    let s0 = 0, s1 = 0;
    for (let tb = 0; tb < M; tb += REDUCE_CHUNK) {
      const te = Math.min(M, tb + REDUCE_CHUNK);
      a.fill(0);
      b.fill(0);
      for (let t = tb; t < te; ) {
        const n = Math.floor(t / L);
        const runEnd = Math.min((n + 1) * L, te);
        const base = (n * C + c) * L - n * L;
        for (; t < runEnd; t++) {
          a[t & 7] += f0(base + t, c);
          b[t & 7] += f1(base + t, c);
        }
      }
      s0 += ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
      s1 += ((b[0] + b[1]) + (b[2] + b[3])) + ((b[4] + b[5]) + (b[6] + b[7]));
    }
    out0[c] = s0;
    out1[c] = s1;
  }
}

export function bnStats(x: Float32Array, N: number, C: number, L: number, sum: Float64Array, sumsq: Float64Array): void {
  channelSums(N, C, L, (i) => x[i], (i) => x[i] * x[i], sum, sumsq);
}

export function bnBackwardSums(
  g: Float32Array, x: Float32Array, N: number, C: number, L: number, mean: Float64Array, sumG: Float64Array, sumGx: Float64Array,
): void {
  channelSums(N, C, L, (i) => g[i], (i, c) => g[i] * (x[i] - mean[c]), sumG, sumGx);
}

export function bnApply(x: Float32Array, y: Float32Array, N: number, C: number, L: number, alpha: Float32Array, beta: Float32Array): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const ac = alpha[c], bc = beta[c];
      for (let i = (n * C + c) * L, end = i + L; i < end; i++) y[i] = canonical(f(f(x[i] * ac) + bc));
    }
  }
}

export function bnBackwardApply(
  g: Float32Array, x: Float32Array, dx: Float32Array, N: number, C: number, L: number,
  mean: Float64Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, train: boolean,
): void {
  for (let n = 0; n < N; n++) {
    for (let c = 0; c < C; c++) {
      const m = mean[c], a1 = k1[c], a2 = k2[c], a3 = k3[c];
      const start = (n * C + c) * L, end = start + L;
      if (train) for (let i = start; i < end; i++) dx[i] = canonical(f(((g[i] - a1) - (x[i] - m) * a2) * a3));
      else for (let i = start; i < end; i++) dx[i] = canonical(f(g[i] * a3));
    }
  }
}
