// The kernel interface both backends implement: the native addon (native/)
// and the pure TypeScript reference (src/reference/). Signatures are the same,
// argument for argument; the public API above them never knows which it calls.
//
// Kernels trust their arguments: the public API validates first.

/** An opaque handle for a list of tensors, built once and reused each step. */
export type TensorListHandle = unknown;

export interface Kernels {
  /**
   * lists[l][t]: array l (params, grads, state...) of tensor t. Native kernels
   * re-check every distinct buffer of a list at each call (detached or shrunk
   * since); with callerChecks they skip that, and the caller must verify that
   * every array still has its length, synchronously before every call.
   */
  makeTensorList(lists: Float32Array[][], callerChecks?: boolean): TensorListHandle;
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

  // Random kernels (Philox4x32-10). A stream is (seedLo, seedHi, offset): the
  // 64-bit seed's halves and the offset in 4-word blocks; element e of a call
  // reads word e mod 4 of block offset + floor(e / 4).
  /** out[0..4) = Philox4x32-10 of counter ctr[0..4) under key key[0..2) (known-answer checks). */
  philox(ctr: Uint32Array, key: Uint32Array, out: Uint32Array): void;
  /** out[i] = u * scale + shift in float, u = (word >>> 8) * 2^-24 in [0, 1). */
  randUniform(out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number, scale: number, shift: number): void;
  /** out[i] = float(z * std + mean), z standard normal by Box-Muller in double. */
  randNormal(out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number, mean: number, std: number): void;
  /** out[i] = clamp(float(erfinv(v) * scale + mean), a, b), v uniform in (lo, hi). */
  randTruncNormal(out: Float32Array, n: number, seedLo: number, seedHi: number, offset: number,
    lo: number, hi: number, mean: number, scale: number, a: number, b: number): void;
  /** y = keep ? x * scale : 0 with keep = (word >>> 8) < keepBelow; bit i of mask records keep. */
  dropoutForward(x: Float32Array, y: Float32Array, mask: Uint8Array, n: number,
    seedLo: number, seedHi: number, offset: number, keepBelow: number, scale: number): void;
  /** gx = mask bit ? g * scale : 0. */
  dropoutBackward(g: Float32Array, mask: Uint8Array, gx: Float32Array, n: number, scale: number): void;
  /** out = gain * Q of x (rows x cols): Householder QR in double with the sign fix (orthogonal init). */
  orthogonal(x: Float32Array, rows: number, cols: number, gain: number, out: Float32Array): void;

  // Batch norm on [N, C, L]: per-channel sums in the fixed order over t = n*L + l.
  /** sum[c] = Σ x, sumsq[c] = Σ x² over channel c, in double. */
  bnStats(x: Float32Array, N: number, C: number, L: number, sum: Float64Array, sumsq: Float64Array): void;
  /** sumG[c] = Σ g, sumGx[c] = Σ g (x - mean[c]), in double. */
  bnBackwardSums(g: Float32Array, x: Float32Array, N: number, C: number, L: number,
    mean: Float64Array, sumG: Float64Array, sumGx: Float64Array): void;
  /** y = x alpha[c] + beta[c], two float operations. */
  bnApply(x: Float32Array, y: Float32Array, N: number, C: number, L: number, alpha: Float32Array, beta: Float32Array): void;
  /** dx = float(((g - k1[c]) - (x - mean[c]) k2[c]) k3[c]) in training, float(g k3[c]) otherwise. */
  bnBackwardApply(g: Float32Array, x: Float32Array, dx: Float32Array, N: number, C: number, L: number,
    mean: Float64Array, k1: Float64Array, k2: Float64Array, k3: Float64Array, train: boolean): void;
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
  /** The address of x's first element modulo 4096 (for src/alloc.ts). */
  addressMod(x: Float32Array): number;
}
