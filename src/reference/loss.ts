// Reference losses (native/kernels/loss.cc): log-softmax and sums in double,
// in the fixed reduction order; one rounding to float per gradient element.
import { exp, log } from './mathfn';
import { reduceFixed } from './reduce';

const f = Math.fround;

export function crossEntropy(
  x: Float32Array, labels: Int32Array, n: number, c: number, eps: number, grad: Float32Array,
): number {
  const rowLoss = new Float64Array(n);
  const invN = 1 / n;
  const off = eps / c;
  for (let r = 0; r < n; r++) {
    const base = r * c;
    let m = x[base];
    for (let j = 1; j < c; j++) m = x[base + j] > m ? x[base + j] : m;
    const s = reduceFixed(c, (j) => exp(x[base + j] - m));
    const lse = m + log(s);
    const y = labels[r];
    let loss = lse - x[base + y];
    if (eps > 0) {
      const smooth = reduceFixed(c, (j) => lse - x[base + j]);
      loss = (1 - eps) * loss + eps * (smooth / c);
    }
    rowLoss[r] = loss;
    for (let j = 0; j < c; j++) {
      const p = exp(x[base + j] - lse);
      const t = j === y ? 1 - eps + off : off;
      grad[base + j] = (p - t) * invN;
    }
  }
  return reduceFixed(n, (i) => rowLoss[i]) / n;
}

export function mse(x: Float32Array, t: Float32Array, n: number, scale: number, grad: Float32Array): number {
  const s = f(scale);
  for (let i = 0; i < n; i++) grad[i] = f(x[i] - t[i]) * s;
  return reduceFixed(n, (i) => {
    const d = f(x[i] - t[i]);
    return d * d;
  }) / n;
}
