// Tensor: a Float32Array with a shape. Parameter: a Tensor with a gradient.
import { checkFloat32Array, checkInteger, describe } from './errors';
import { alignedFloat32, gradientFloat32 } from './alloc';

// The most elements one Float32Array can hold (V8 on 64-bit hosts).
const MAX_ELEMENTS = 2 ** 32;

function shapeSize(shape: readonly number[], name: string): number {
  if (!Array.isArray(shape)) throw new TypeError(`${name} must be an array of non-negative integers, got ${describe(shape)}`);
  let n = 1;
  for (let i = 0; i < shape.length; i++) {
    checkInteger(shape[i], `${name}[${i}]`, 0);
    n *= shape[i];
  }
  if (n > MAX_ELEMENTS) {
    throw new RangeError(`${name} [${shape.join(', ')}] holds ${n} elements, more than a Float32Array can (${MAX_ELEMENTS})`);
  }
  return n;
}

/** A zero-filled Float32Array for `shape`; a shape too large to allocate is a RangeError naming `name`. */
export function zerosOfShape(shape: readonly number[], name: string): Float32Array {
  const n = shapeSize(shape, name);
  try {
    return alignedFloat32(n);
  } catch (e) {
    throw new RangeError(`${name} [${shape.join(', ')}]: cannot allocate ${n} float32 elements (${(e as Error).message})`);
  }
}

export class Tensor {
  /** The values, row-major. */
  data: Float32Array;
  /** The dimensions; their product equals data.length. */
  readonly shape: number[];

  /**
   * @param data a Float32Array (used as is, not copied) or an array of numbers (copied).
   * @param shape defaults to [data.length].
   */
  constructor(data: Float32Array | number[], shape?: number[]) {
    let d: Float32Array;
    if (data instanceof Float32Array) d = data;
    else if (Array.isArray(data)) {
      for (let i = 0; i < data.length; i++) {
        if (typeof data[i] !== 'number') throw new TypeError(`data[${i}] must be a number, got ${describe(data[i])}`);
      }
      d = Float32Array.from(data);
    } else throw new TypeError(`data must be a Float32Array or an array of numbers, got ${describe(data)}`);
    const s = shape === undefined ? [d.length] : [...shape];
    const n = shapeSize(s, 'shape');
    if (n !== d.length) throw new RangeError(`shape [${s.join(', ')}] holds ${n} elements but data has ${d.length}`);
    this.data = d;
    this.shape = s;
  }

  /** Number of elements. */
  get size(): number {
    return this.data.length;
  }

  /** A zero-filled tensor of the given shape. */
  static zeros(shape: number[]): Tensor {
    return new Tensor(zerosOfShape(shape, 'shape'), shape);
  }

  /** A deep copy. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }
}

export class Parameter extends Tensor {
  /** The gradient, same length as data, zeroed at creation. Backward passes accumulate into it. */
  grad: Float32Array;

  constructor(data: Float32Array | number[], shape?: number[]) {
    super(data, shape);
    this.grad = gradientFloat32(this.data.length);
  }

  /** Fills grad with zeros (a RangeError if grad no longer matches data, e.g. was detached). */
  zeroGrad(): void {
    checkParameter(this, 'parameter').grad.fill(0);
  }
}

/** Appended to a gradient-length error when the gradient reads as empty. */
export const DETACHED_GRAD = " (was its buffer detached? Small parameters' gradients share one block: transferring one of them detaches all)";

/** Checks a Parameter's data (as checkTensor) and that its grad is a Float32Array of the same length. */
export function checkParameter(p: Parameter, name: string): Parameter {
  checkTensor(p, name);
  if (!(p.grad instanceof Float32Array) || p.grad.length !== p.data.length) {
    const hint = p.grad instanceof Float32Array && p.grad.length === 0 && p.data.length > 0 ? DETACHED_GRAD : '';
    throw new RangeError(`${name}.grad must be a Float32Array of ${p.data.length} elements, got ${describe(p.grad)}${hint}`);
  }
  return p;
}

/** Checks that v is a Tensor (a TypeError otherwise). */
export function checkTensor(v: unknown, name: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${name} must be a Tensor, got ${describe(v)}`);
  checkFloat32Array(v.data, `${name}.data`);
  // data and shape are public fields: a replaced array or a detached buffer
  // must not reach a kernel with the wrong element count.
  // A dimension edited to a negative or fractional value could still multiply out to the length.
  const size = shapeSize(v.shape, `${name}.shape`);
  if (v.data.length !== size) {
    throw new RangeError(`${name} has shape [${v.shape.join(', ')}] (${size} elements) but its data holds ${v.data.length}`);
  }
  return v;
}
