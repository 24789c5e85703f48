// Elementwise activations on the native activation kernels. forward caches
// its input and output; backward returns gradOutput * f'(x).
import { K } from '../backend';
import type { ActivationName } from '../backend/kernels';
import { checkKnownKeys, checkNumber, checkObject, checkOneOf, checkShapeEquals, describe } from '../errors';
import { checkTensor, Tensor } from '../tensor';
import { Module } from './module';

abstract class Activation extends Module {
  private x: Tensor | null = null;
  private y: Float32Array | null = null;

  protected constructor(private readonly kind: ActivationName, private readonly slope = 0) {
    super();
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'input');
    const y = new Float32Array(x.size);
    K().activationForward(this.kind, x.data, y, x.size, this.slope);
    this.x = x;
    this.y = y;
    return new Tensor(y, x.shape);
  }

  backward(gradOutput: Tensor): Tensor {
    if (!this.x || !this.y) throw new Error(`${this.constructor.name}.backward called before forward`);
    checkTensor(this.x, 'the input kept from forward');
    if (this.y.length !== this.x.size) throw new RangeError(`the output kept from forward holds ${this.y.length} elements, expected ${this.x.size} (was its buffer detached?)`);
    checkTensor(gradOutput, 'gradOutput');
    checkShapeEquals(gradOutput.shape, this.x.shape, 'gradOutput');
    const gx = new Float32Array(this.x.size);
    K().activationBackward(this.kind, this.x.data, this.y, gradOutput.data, gx, gx.length, this.slope);
    return new Tensor(gx, this.x.shape);
  }
}

/** max(0, x); NaN and -0 pass through as in torch.relu. */
export class ReLU extends Activation {
  constructor(options: Record<string, never> = {}) {
    checkKnownKeys(checkObject(options, 'options'), 'ReLU', []);
    super('relu');
  }
}

/** x for x > 0, negativeSlope·x otherwise. */
export class LeakyReLU extends Activation {
  readonly negativeSlope: number;
  constructor(negativeSlope = 0.01, options: Record<string, never> = {}) {
    checkKnownKeys(checkObject(options, 'options'), 'LeakyReLU', []);
    checkNumber(negativeSlope, 'negativeSlope');
    if (!Number.isFinite(negativeSlope)) throw new RangeError(`negativeSlope must be a finite number, got ${describe(negativeSlope)}`);
    super('leakyRelu', negativeSlope);
    this.negativeSlope = negativeSlope;
  }
}

export class Tanh extends Activation {
  constructor(options: Record<string, never> = {}) {
    checkKnownKeys(checkObject(options, 'options'), 'Tanh', []);
    super('tanh');
  }
}

export class Sigmoid extends Activation {
  constructor(options: Record<string, never> = {}) {
    checkKnownKeys(checkObject(options, 'options'), 'Sigmoid', []);
    super('sigmoid');
  }
}

/** x·Φ(x) with the exact erf form (PyTorch's default, approximate: 'none'). */
export class GELU extends Activation {
  readonly approximate = 'none';
  constructor(options: { approximate?: 'none' } = {}) {
    checkKnownKeys(checkObject(options, 'options'), 'GELU', ['approximate']);
    checkOneOf(options.approximate ?? 'none', 'approximate', ['none'] as const);
    super('gelu');
  }
}
