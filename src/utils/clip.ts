// Gradient clipping and the L2 penalty, over all parameters in one native call
// each (PyTorch's torch.nn.utils.clip_grad_norm_ / clip_grad_value_).
import { K } from '../backend';
import { absPow } from '../reference/clip';
import { checkBoolean, checkKnownKeys, checkNumber, checkObject, checkRange, describe } from '../errors';
import { checkNoOverlap } from '../alloc';
import { checkParameter, Parameter } from '../tensor';

const f = Math.fround;

/** A Parameter or an array of them; each must have a grad of its own length. */
export function checkParams(v: unknown, name = 'params'): Parameter[] {
  const list = v instanceof Parameter ? [v] : v;
  if (!Array.isArray(list)) throw new TypeError(`${name} must be a Parameter or an array of Parameters, got ${describe(v)}`);
  // An index loop: forEach would skip holes ([p, , q]).
  for (let i = 0; i < list.length; i++) {
    const p: unknown = list[i];
    if (!(p instanceof Parameter)) throw new TypeError(`${name}[${i}] must be a Parameter, got ${describe(p)}`);
    // data against its shape too: a detached data array must not pass with a grad detached alike.
    checkParameter(p, `${name}[${i}]`);
  }
  return list as Parameter[];
}

function checkNormType(v: unknown): number {
  checkNumber(v, 'normType');
  if (!((v as number) > 0)) throw new RangeError(`normType must be a number > 0 or Infinity, got ${describe(v)}`);
  return v as number;
}

// The last tensor lists built, by shape ([grads] or [grads, data]): a training
// loop passes the same arrays every step, and rebuilding a native list of
// 1,000 tensors costs more than reducing them.
const cache = new Map<number, { kernels: unknown; arrays: Float32Array[][]; handle: unknown }>();

function tensorList(arrays: Float32Array[][]): unknown {
  const hit = cache.get(arrays.length);
  const same = hit !== undefined && hit.kernels === K() && hit.arrays.every((list, l) => list.length === arrays[l].length && list.every((a, t) => a === arrays[l][t]));
  if (same) return hit.handle;
  // The gradients (list 0) are written, the data (list 1) only read.
  checkNoOverlap(arrays.flatMap((list, l) => list.map((a, t) => ({ a, name: `params[${t}].${l === 0 ? 'grad' : 'data'}`, writes: l === 0 }))));
  const handle = K().makeTensorList(arrays);
  cache.set(arrays.length, { kernels: K(), arrays, handle });
  return handle;
}

/** The p-norm of every array of list l together, rounded to float32 as PyTorch returns it. */
function listNorm(list: unknown, l: number, p: number): number {
  const s = K().normPowSum(list, l, p);
  return f(p === Infinity || p === 1 ? s : p === 2 ? Math.sqrt(s) : absPow(s, 1 / p));
}

export interface ClipGradNormOptions {
  /** The p of the p-norm: any number > 0, or Infinity for the max norm. Default 2. */
  normType?: number;
  /** Throw (and change nothing) when the norm is NaN or infinite. Default false. */
  errorIfNonfinite?: boolean;
}

/**
 * Scales every gradient by maxNorm / (norm + 1e-6) when that factor is below
 * 1, where norm is the p-norm of all gradients together. Returns the norm
 * before clipping (a float32 value, as PyTorch's).
 */
export function clipGradNorm(params: Parameter | Parameter[], maxNorm: number, options: ClipGradNormOptions = {}): number {
  const ps = checkParams(params);
  checkRange(maxNorm, 'maxNorm', 0);
  const o = checkObject(options, 'options');
  checkKnownKeys(o, 'clipGradNorm', ['normType', 'errorIfNonfinite']);
  const p = checkNormType(o.normType ?? 2);
  const strict = checkBoolean(o.errorIfNonfinite ?? false, 'errorIfNonfinite');
  if (ps.length === 0) return 0;
  const list = tensorList([ps.map((x) => x.grad)]);
  const norm = listNorm(list, 0, p);
  if (strict && !Number.isFinite(norm)) {
    throw new Error(`clipGradNorm: the total norm of order ${p} of the gradients is ${norm}, so it cannot be clipped; nothing was changed (errorIfNonfinite is true)`);
  }
  // PyTorch's float32 arithmetic: maxNorm / (norm + 1e-6) is reciprocal, then multiply.
  const coef = f(f(1 / f(norm + f(1e-6))) * f(maxNorm));
  // PyTorch multiplies by min(coef, 1) always; x·1 = x, so only coef < 1 (or NaN, as a NaN norm gives) changes anything.
  if (!(coef >= 1)) K().scaleList(list, 0, coef);
  return norm;
}

/** Clamps every gradient element into [-clipValue, clipValue] (NaN stays NaN). */
export function clipGradValue(params: Parameter | Parameter[], clipValue: number): void {
  const ps = checkParams(params);
  checkRange(clipValue, 'clipValue', 0);
  if (ps.length === 0) return;
  K().clampList(tensorList([ps.map((x) => x.grad)]), 0, -clipValue, clipValue);
}

/**
 * λ·Σw² over all parameters (computed in double: the value the loss grows
 * by). With accumulateGrad, also adds its gradient 2λw to each .grad.
 */
export function l2Penalty(params: Parameter | Parameter[], lambda: number, options: { accumulateGrad?: boolean } = {}): number {
  const ps = checkParams(params);
  checkRange(lambda, 'lambda', 0);
  const o = checkObject(options, 'options');
  checkKnownKeys(o, 'l2Penalty', ['accumulateGrad']);
  const accumulate = checkBoolean(o.accumulateGrad ?? false, 'accumulateGrad');
  if (ps.length === 0) return 0;
  const list = tensorList([ps.map((x) => x.grad), ps.map((x) => x.data)]);
  const value = lambda * K().normPowSum(list, 1, 2);
  if (accumulate) K().addScaledList(list, 0, 1, 2 * lambda);
  return value;
}
