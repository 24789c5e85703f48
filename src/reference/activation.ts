// Reference activations (native/kernels/activation.cc): the same operations in
// the same order, float results rounded with Math.fround.
import type { ActivationName } from '../backend/kernels';
import { erf, exp, sigmoid, tanh } from './mathfn';

const f = Math.fround;
const SQRT1_2 = 0.7071067811865476;
const GELU_BETA = 1.1283791670955126 * 0.7071067811865476 * 0.5;

export function activationForward(kind: ActivationName, x: Float32Array, y: Float32Array, n: number, slope: number): void {
  const s = f(slope);
  switch (kind) {
    case 'relu':
      for (let i = 0; i < n; i++) y[i] = x[i] < 0 ? 0 : x[i];
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : x[i] * s;
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) y[i] = tanh(x[i]);
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) y[i] = sigmoid(x[i]);
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        y[i] = v * 0.5 * (1.0 + erf(v * SQRT1_2));
      }
      break;
  }
}

export function activationBackward(
  kind: ActivationName, x: Float32Array, y: Float32Array, gy: Float32Array, gx: Float32Array, n: number, slope: number,
): void {
  const s = f(slope);
  switch (kind) {
    case 'relu':
      for (let i = 0; i < n; i++) gx[i] = y[i] <= 0 ? 0 : gy[i];
      break;
    case 'leakyRelu':
      for (let i = 0; i < n; i++) gx[i] = x[i] > 0 ? gy[i] : gy[i] * s;
      break;
    case 'tanh':
      for (let i = 0; i < n; i++) gx[i] = gy[i] * f(1 - f(y[i] * y[i]));
      break;
    case 'sigmoid':
      for (let i = 0; i < n; i++) gx[i] = f(gy[i] * f(1 - y[i])) * y[i];
      break;
    case 'gelu':
      for (let i = 0; i < n; i++) {
        const v = x[i];
        const cdf = 0.5 * (1.0 + erf(v * SQRT1_2));
        const pdf = exp(v * v * -0.5) * GELU_BETA;
        gx[i] = gy[i] * (cdf + v * pdf);
      }
      break;
  }
}
