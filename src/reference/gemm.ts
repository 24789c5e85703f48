// Reference GEMM (native/kernels/gemm.cc): C[m,n] (+)= op(A)·op(B), row-major.
// Every element is summed in k order from +0 (or from C when accumulating),
// acc = fround(acc + fround(a*b)): a float multiply and a float add, never
// fused. Loop order only changes which element is updated next, never the
// order of one element's terms.
const f = Math.fround;

export function gemm(
  transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean,
): void {
  if (!accumulate) c.fill(0, 0, m * n);
  multiply(transA, transB, m, n, k, a, b, c);
  // Every NaN becomes the canonical quiet NaN, as in the native kernel (two
  // NaNs meeting in an add keep either sign, depending on operand order).
  for (let i = 0; i < m * n; i++) if (c[i] !== c[i]) c[i] = NaN;
}

function multiply(transA: boolean, transB: boolean, m: number, n: number, k: number,
  a: Float32Array, b: Float32Array, c: Float32Array): void {
  if (transB) {
    // B stored [n, k]: dot products over contiguous rows of both operands.
    // A's row i as (base, stride): contiguous unless A is transposed.
    const aStride = transA ? m : 1;
    for (let i = 0; i < m; i++) {
      const aBase = transA ? i : i * k;
      for (let j = 0; j < n; j++) {
        let acc = c[i * n + j];
        const bBase = j * k;
        for (let p = 0; p < k; p++) acc = f(acc + f(a[aBase + p * aStride] * b[bBase + p]));
        c[i * n + j] = acc;
      }
    }
    return;
  }
  // B stored [k, n]: i-p-j order, each row of C updated one k step at a time
  // (storing into the Float32Array rounds the sum to float).
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let p = 0; p < k; p++) {
      const av = aAt(a, transA, m, k, i, p);
      const bRow = p * n;
      for (let j = 0; j < n; j++) c[row + j] = c[row + j] + f(av * b[bRow + j]);
    }
  }
}

function aAt(a: Float32Array, transA: boolean, m: number, k: number, i: number, p: number): number {
  return transA ? a[p * m + i] : a[i * k + p];
}

/** out[j] += x[i, j] over the rows of x [m, n], rows in order (float adds). */
export function colSumAcc(x: Float32Array, m: number, n: number, out: Float32Array): void {
  for (let i = 0; i < m; i++) {
    const row = i * n;
    for (let j = 0; j < n; j++) out[j] = out[j] + x[row + j];
  }
}

/** The reference has no FMA unit to probe: it runs the same count of float multiply-adds. */
export function fmaPeak(iters: number, _allThreads: boolean): number {
  let s = 0.001;
  for (let t = 0; t < iters; t++) s = f(f(s * 0.9999) + 0.0001);
  return s === -1 ? 0 : 2 * iters;
}
