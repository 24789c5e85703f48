// The kernel interface both backends implement: the native addon (native/)
// and the pure TypeScript reference (src/reference/). Signatures are the same,
// argument for argument; the public API above them never knows which it calls.
//
// Kernels trust their arguments: the public API validates first.

/** An opaque handle for a list of tensors, built once and reused each step. */
export type TensorListHandle = unknown;

export interface Kernels {
  /** lists[l][t]: array l (params, grads, state...) of tensor t. */
  makeTensorList(lists: Float32Array[][]): TensorListHandle;
  /** Bandwidth ceiling with AdamW's traffic: a,b,c += d over n elements. */
  touch4(a: Float32Array, b: Float32Array, c: Float32Array, d: Float32Array, n: number): void;
  copy(dst: Float32Array, src: Float32Array, n: number): void;
  /** Sum of x[0..n) in the fixed reduction order (one read pass). */
  readSum(x: Float32Array, n: number): number;
  /** Whether every array of list l is free of NaN and ±Inf. */
  allFinite(list: TensorListHandle, l: number): boolean;
  /**
   * Sum of |x|^p over every array of list l (p = 1, 2, or any p > 0), or max |x|
   * for p = Infinity (NaN if any x is NaN). Each tensor reduces in the fixed
   * order; tensor sums add in list order from 0.
   */
  normPowSum(list: TensorListHandle, l: number, p: number): number;
  /** x *= fround(c) over list l. */
  scaleList(list: TensorListHandle, l: number, c: number): void;
  /** x = clamp(x, fround(lo), fround(hi)) over list l; NaN stays NaN. */
  clampList(list: TensorListHandle, l: number, lo: number, hi: number): void;
  /** list[dst] += fround(a) · list[src]. */
  addScaledList(list: TensorListHandle, dst: number, src: number, a: number): void;

  // Optimizer steps (src/backend/optim-abi.ts has the flags). Each updates every
  // tensor of a list in place, PyTorch 1.13's operation order, scalars cast to float32.
  /** Lists: params, grads, exp_avg, exp_avg_sq[, max_exp_avg_sq]. scalars: beta1, 1-beta1, beta2, 1-beta2, eps, weightDecay, decayScale (AdamW: 1-lr*wd). perTensor: [-stepSize, sqrt(biasCorrection2)] per tensor. */
  adamStep(list: TensorListHandle, scalars: Float64Array, perTensor: Float64Array, flags: number): void;
  /** Lists: params, grads[, momentum_buffer]. scalars: -lr, weightDecay, momentum, 1-dampening. perTensor (with momentum): 1 where the buffer starts as this step's gradient. */
  sgdStep(list: TensorListHandle, scalars: Float64Array, perTensor: Float64Array, flags: number): void;
  /** Lists: params, grads, square_avg[, grad_avg][, momentum_buffer]. scalars: -lr, alpha, 1-alpha, eps, weightDecay, momentum. perTensor: unused. */
  rmspropStep(list: TensorListHandle, scalars: Float64Array, perTensor: Float64Array, flags: number): void;
  /** Lists: params, grads, sum. scalars: weightDecay, eps. perTensor: -lr/(1+(step-1)*lrDecay) per tensor. */
  adagradStep(list: TensorListHandle, scalars: Float64Array, perTensor: Float64Array, flags: number): void;
  /** out[i] = fn(x[i]) with the shared double-precision elementary functions. */
  mathEval(name: MathFnName, x: Float64Array, out: Float64Array): void;
  /**
   * C[m,n] = op(A)·op(B), or C += op(A)·op(B) when accumulate. op(A) is [m,k]
   * (A stored [k,m] when transA), op(B) is [k,n] (B stored [n,k] when transB).
   * Each element is summed in k order, float multiply then float add.
   */
  gemm(transA: boolean, transB: boolean, m: number, n: number, k: number,
    a: Float32Array, b: Float32Array, c: Float32Array, accumulate: boolean): void;
  /** out[j] += x[i,j] over the rows of x [m,n], in row order (float adds). */
  colSumAcc(x: Float32Array, m: number, n: number, out: Float32Array): void;
  /** Runs the register-only FMA loop (once, or on every pool thread); returns the flops done. */
  fmaPeak(iters: number, allThreads: boolean): number;
  /** y = f(x) over n elements; slope is LeakyReLU's negative slope (ignored by the others). */
  activationForward(kind: ActivationName, x: Float32Array, y: Float32Array, n: number, slope: number): void;
  /** gx = gy * f'(x), from the input x and the output y. */
  activationBackward(kind: ActivationName, x: Float32Array, y: Float32Array, gy: Float32Array, gx: Float32Array,
    n: number, slope: number): void;
  /**
   * Mean cross-entropy of logits x [n, c] against class labels (each in [0, c)),
   * log-softmax fused, with label smoothing; writes d loss / d x into grad.
   */
  crossEntropy(x: Float32Array, labels: Int32Array, n: number, c: number, labelSmoothing: number, grad: Float32Array): number;
  /** Mean of (x - t)^2 over n elements; writes grad = (x - t) * scale (scale = 2/n). */
  mse(x: Float32Array, t: Float32Array, n: number, scale: number, grad: Float32Array): number;
}

export type ActivationName = 'relu' | 'leakyRelu' | 'tanh' | 'sigmoid' | 'gelu';

export type MathFnName = 'exp' | 'expm1' | 'log' | 'tanh' | 'sigmoid' | 'erf' | 'erfinv' | 'sin2pi' | 'cos2pi';

export interface NativeInfo {
  isa: string;
  available: string[];
  threads: number;
  version: string;
}

export interface NativeAddon extends Kernels {
  info(): NativeInfo;
  setIsa(isa: string): boolean;
  setThreads(n: number): void;
  defaultThreads(): number;
}
