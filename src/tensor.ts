// Tensor: a Float32Array with a shape. Parameter: a Tensor with a gradient.
import { checkFloat32Array, checkInteger, describe } from './errors';
import { alignedFloat32 } from './alloc';

function shapeSize(shape: readonly number[], name: string): number {
  if (!Array.isArray(shape)) throw new TypeError(`${name} must be an array of non-negative integers, got ${describe(shape)}`);
  let n = 1;
  shape.forEach((d, i) => {
    checkInteger(d, `${name}[${i}]`, 0);
    n *= d;
  });
  return n;
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
      data.forEach((v, i) => {
        if (typeof v !== 'number') throw new TypeError(`data[${i}] must be a number, got ${describe(v)}`);
      });
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
    return new Tensor(alignedFloat32(shapeSize(shape, 'shape')), shape);
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
    this.grad = alignedFloat32(this.data.length);
  }

  /** Fills grad with zeros. */
  zeroGrad(): void {
    this.grad.fill(0);
  }
}

/** Checks that v is a Tensor (a TypeError otherwise). */
export function checkTensor(v: unknown, name: string): Tensor {
  if (!(v instanceof Tensor)) throw new TypeError(`${name} must be a Tensor, got ${describe(v)}`);
  checkFloat32Array(v.data, `${name}.data`);
  return v;
}
