// Reference of native/kernels/qr.cc: gain * Q of a Householder QR in double
// with the sign fix, the same operations in the same order.

export function orthogonal(x: Float32Array, rows: number, cols: number, gain: number, out: Float32Array): void {
  const wide = rows < cols;
  const m = wide ? cols : rows, n = wide ? rows : cols;
  if (n === 0) return;
  const a = new Float64Array(m * n), v = new Float64Array(m * n), q = new Float64Array(m * n);
  const tau = new Float64Array(n), sign = new Float64Array(n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) a[i * n + j] = wide ? x[j * cols + i] : x[i * cols + j];
  for (let k = 0; k < n; k++) {
    let norm2 = 0;
    for (let i = k; i < m; i++) norm2 += a[i * n + k] * a[i * n + k];
    let alpha = Math.sqrt(norm2);
    const xk = a[k * n + k];
    if (xk > 0) alpha = -alpha;
    let vv = 0;
    for (let i = k; i < m; i++) {
      const vi = i === k ? xk - alpha : a[i * n + k];
      v[i * n + k] = vi;
      vv += vi * vi;
    }
    tau[k] = vv > 0 ? 2.0 / vv : 0;
    reflect(a, v, k, m, n, k, tau[k]);
    const rkk = a[k * n + k];
    sign[k] = rkk > 0 ? 1 : rkk < 0 ? -1 : 0;
  }
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, v, k, m, n, 0, tau[k]);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      const val = Math.fround(q[i * n + j] * sign[j] * gain);
      if (wide) out[j * cols + i] = val;
      else out[i * cols + j] = val;
    }
  }
}

/** Applies reflector k (column k of v, rows k..m-1) to columns j0..n-1 of a. */
function reflect(a: Float64Array, v: Float64Array, k: number, m: number, n: number, j0: number, tau: number): void {
  for (let j = j0; j < n; j++) {
    let s = 0;
    for (let i = k; i < m; i++) s += v[i * n + k] * a[i * n + j];
    s = s * tau;
    for (let i = k; i < m; i++) a[i * n + j] -= s * v[i * n + k];
  }
}
