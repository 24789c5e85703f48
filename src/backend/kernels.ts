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
  /** out[i] = fn(x[i]) with the shared double-precision elementary functions. */
  mathEval(name: MathFnName, x: Float64Array, out: Float64Array): void;
}

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
