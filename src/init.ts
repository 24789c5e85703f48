// Weight initialization, torch.nn.init's rules: every function fills a Tensor
// in place and returns it; the random ones take { generator }. Fans follow
// PyTorch's layout [out, in, ...kernel].
import { K } from './backend';
import { checkKnownKeys, checkNumber, checkObject, checkOneOf, checkRange } from './errors';
import { erf } from './reference/mathfn';
import { Generator, resolveGenerator } from './random';
import { checkTensor, Tensor } from './tensor';

export type Nonlinearity =
  | 'linear' | 'conv1d' | 'conv2d' | 'conv3d' | 'conv_transpose1d' | 'conv_transpose2d' | 'conv_transpose3d'
  | 'sigmoid' | 'tanh' | 'relu' | 'leaky_relu' | 'selu';
const NONLINEARITIES: readonly Nonlinearity[] = [
  'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d',
  'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu',
];
export type FanMode = 'fan_in' | 'fan_out';


/** Validates an options object against its known keys; returns it and its generator. */
function options<T>(opts: unknown, fn: string, known: readonly string[]): [T, Generator] {
  const o = checkObject(opts, `${fn} options`);
  checkKnownKeys(o, `${fn} options`, [...known, 'generator']);
  return [o as T, resolveGenerator(o.generator, `${fn} options.generator`)];
}

function finite(v: unknown, name: string): number {
  return checkRange(v, name, -Infinity, Infinity, 'a finite number');
}

/** PyTorch's recommended gain for a nonlinearity (param: leaky_relu's negative slope, default 0.01). */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  checkOneOf(nonlinearity, 'nonlinearity', NONLINEARITIES);
  switch (nonlinearity) {
    case 'tanh':
      return 5.0 / 3;
    case 'relu':
      return Math.sqrt(2.0);
    case 'leaky_relu': {
      const slope = param === undefined ? 0.01 : finite(param, 'param');
      return Math.sqrt(2.0 / (1 + slope * slope));
    }
    case 'selu':
      return 3.0 / 4;
    default:
      return 1;
  }
}

/** [fanIn, fanOut] of a weight laid out [out, in, ...kernel]; fewer than 2 dimensions is a RangeError. */
export function calculateFans(t: Tensor): [number, number] {
  checkTensor(t, 'tensor');
  if (t.shape.length < 2) {
    throw new RangeError(`tensor must have at least 2 dimensions to compute fan in and fan out, got shape [${t.shape.join(', ')}]`);
  }
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return [t.shape[1] * receptive, t.shape[0] * receptive];
}

const FLOAT32_MAX = 3.4028234663852886e38;

/** Fills t with U[a, b) (defaults 0 and 1). */
export function uniform(t: Tensor, opts: { a?: number; b?: number; generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  const [o, g] = options<{ a?: number; b?: number }>(opts, 'uniform', ['a', 'b']);
  const a = o.a === undefined ? 0 : finite(o.a, 'a');
  const b = o.b === undefined ? 1 : finite(o.b, 'b');
  if (a > b) throw new RangeError(`uniform expects a <= b, got a=${a} > b=${b}`);
  // PyTorch's check: the width must be a finite float32, or every value is NaN/Inf.
  if (b - a > FLOAT32_MAX) throw new RangeError(`uniform expects b - a <= ${FLOAT32_MAX} (the largest float32), got a=${a}, b=${b}`);
  return fillUniform(t, a, b, g);
}

function fillUniform(t: Tensor, a: number, b: number, g: Generator): Tensor {
  const s = g.take(t.size);
  K().randUniform(t.data, t.size, s.seedLo, s.seedHi, s.offset, b - a, a);
  return t;
}

/** Fills t with N(mean, std²) (defaults 0 and 1). */
export function normal(t: Tensor, opts: { mean?: number; std?: number; generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  const [o, g] = options<{ mean?: number; std?: number }>(opts, 'normal', ['mean', 'std']);
  const mean = o.mean === undefined ? 0 : finite(o.mean, 'mean');
  const std = o.std === undefined ? 1 : checkRange(o.std, 'std', 0, Infinity, 'a finite number >= 0');
  return fillNormal(t, mean, std, g);
}

function fillNormal(t: Tensor, mean: number, std: number, g: Generator): Tensor {
  const s = g.take(t.size);
  K().randNormal(t.data, t.size, s.seedLo, s.seedHi, s.offset, mean, std);
  return t;
}

/** Fills t with value. Like every init function it takes { generator } (unused here). */
export function constant(t: Tensor, value: number, opts: { generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  checkNumber(value, 'value');
  options(opts, 'constant', []);
  t.data.fill(value);
  return t;
}

export function zeros(t: Tensor, opts: { generator?: Generator } = {}): Tensor {
  return constant(t, 0, opts);
}

export function ones(t: Tensor, opts: { generator?: Generator } = {}): Tensor {
  return constant(t, 1, opts);
}

/** The identity on a 2-D tensor (ones on the main diagonal of a rectangle). */
export function eye(t: Tensor, opts: { generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  options(opts, 'eye', []);
  if (t.shape.length !== 2) throw new RangeError(`eye needs a 2-D tensor, got shape [${t.shape.join(', ')}]`);
  const [r, c] = t.shape;
  t.data.fill(0);
  for (let i = 0; i < Math.min(r, c); i++) t.data[i * c + i] = 1;
  return t;
}

/** U(-a, a) with a = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(t: Tensor, opts: { gain?: number; generator?: Generator } = {}): Tensor {
  const [std, g] = xavierStd(t, opts, 'xavierUniform');
  const a = Math.sqrt(3.0) * std;
  return fillUniform(t, -a, a, g);
}

/** N(0, std²) with std = gain * sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal(t: Tensor, opts: { gain?: number; generator?: Generator } = {}): Tensor {
  const [std, g] = xavierStd(t, opts, 'xavierNormal');
  return fillNormal(t, 0, std, g);
}

function xavierStd(t: Tensor, opts: unknown, fn: string): [number, Generator] {
  checkTensor(t, 'tensor');
  const [o, g] = options<{ gain?: number }>(opts, fn, ['gain']);
  const gain = o.gain === undefined ? 1 : checkRange(o.gain, 'gain', 0, Infinity, 'a finite number >= 0');
  const [fanIn, fanOut] = calculateFans(t);
  return [gain * Math.sqrt(2.0 / (fanIn + fanOut)), g];
}

export interface KaimingOptions {
  /** The negative slope of the rectifier after this layer (leaky_relu only; default 0). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
  generator?: Generator;
}

/** U(-bound, bound) with bound = gain * sqrt(3 / fan) (He et al.). */
export function kaimingUniform(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const [std, g] = kaimingStd(t, opts, 'kaimingUniform');
  if (t.size === 0) return t; // PyTorch warns and leaves an empty tensor alone
  const bound = Math.sqrt(3.0) * std;
  return fillUniform(t, -bound, bound, g);
}

/** N(0, std²) with std = gain / sqrt(fan). */
export function kaimingNormal(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const [std, g] = kaimingStd(t, opts, 'kaimingNormal');
  if (t.size === 0) return t;
  return fillNormal(t, 0, std, g);
}

function kaimingStd(t: Tensor, opts: unknown, fn: string): [number, Generator] {
  checkTensor(t, 'tensor');
  const [o, g] = options<KaimingOptions>(opts, fn, ['a', 'mode', 'nonlinearity']);
  const a = o.a === undefined ? 0 : finite(o.a, 'a');
  const mode = o.mode === undefined ? 'fan_in' : checkOneOf(o.mode, 'mode', ['fan_in', 'fan_out'] as const);
  const nonlinearity = o.nonlinearity === undefined ? 'leaky_relu' : checkOneOf(o.nonlinearity, 'nonlinearity', NONLINEARITIES);
  const [fanIn, fanOut] = calculateFans(t);
  const fan = mode === 'fan_in' ? fanIn : fanOut;
  return [calculateGain(nonlinearity, a) / Math.sqrt(fan), g];
}

/** Standard normal CDF with the shared erf (the same value on every backend). */
function normCdf(x: number): number {
  return (1.0 + erf(x / Math.sqrt(2.0))) / 2.0;
}

/**
 * N(mean, std²) truncated to [a, b] (absolute bounds; defaults -2 and 2),
 * by PyTorch's inverse-CDF method: v ~ U(2 cdf(a') - 1, 2 cdf(b') - 1),
 * x = mean + std sqrt(2) erfinv(v), clamped to [a, b].
 */
export function truncNormal(t: Tensor, opts: { mean?: number; std?: number; a?: number; b?: number; generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  const [o, g] = options<{ mean?: number; std?: number; a?: number; b?: number }>(opts, 'truncNormal', ['mean', 'std', 'a', 'b']);
  const mean = o.mean === undefined ? 0 : finite(o.mean, 'mean');
  const std = o.std === undefined ? 1 : checkRange(o.std, 'std', Number.MIN_VALUE, Infinity, 'a finite number > 0');
  const a = o.a === undefined ? -2 : finite(o.a, 'a');
  const b = o.b === undefined ? 2 : finite(o.b, 'b');
  if (!(a < b)) throw new RangeError(`truncNormal expects a < b, got a=${a}, b=${b}`);
  const lo = 2 * normCdf((a - mean) / std) - 1;
  const hi = 2 * normCdf((b - mean) / std) - 1;
  const s = g.take(t.size);
  K().randTruncNormal(t.data, t.size, s.seedLo, s.seedHi, s.offset, lo, hi, mean, std * Math.sqrt(2.0), a, b);
  return t;
}

/**
 * A (semi-)orthogonal matrix times gain: Q of the QR of a standard normal
 * matrix, signs fixed so diag(R) > 0. A tensor of more than 2 dimensions is
 * flattened to [shape[0], rest]; a wide matrix gets orthonormal rows
 * (W Wᵀ = gain² I), a tall one orthonormal columns (Wᵀ W = gain² I).
 */
export function orthogonal(t: Tensor, opts: { gain?: number; generator?: Generator } = {}): Tensor {
  checkTensor(t, 'tensor');
  const [o, g] = options<{ gain?: number }>(opts, 'orthogonal', ['gain']);
  const gain = o.gain === undefined ? 1 : finite(o.gain, 'gain');
  if (t.shape.length < 2) throw new RangeError(`orthogonal needs a tensor of at least 2 dimensions, got shape [${t.shape.join(', ')}]`);
  if (t.size === 0) return t;
  const rows = t.shape[0], cols = t.size / rows;
  const x = fillNormal(new Tensor(new Float32Array(t.size), [rows, cols]), 0, 1, g);
  K().orthogonal(x.data, rows, cols, gain, t.data);
  return t;
}
