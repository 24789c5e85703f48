// Losses: forward(input, target) returns the mean loss and caches the gradient;
// backward() returns d loss / d input (a fresh Tensor each call).
import { K } from '../backend';
import { checkKnownKeys, checkObject, checkRange, checkShapeEquals, describe } from '../errors';
import { checkTensor, Tensor } from '../tensor';

export interface Loss {
  forward(input: Tensor, target: Int32Array | Tensor): number;
  backward(): Tensor;
}

abstract class CachedLoss implements Loss {
  private grad: Tensor | null = null;

  abstract forward(input: Tensor, target: Int32Array | Tensor): number;

  protected cache(grad: Float32Array, shape: number[]): void {
    this.grad = new Tensor(grad, shape);
  }

  backward(): Tensor {
    if (!this.grad) throw new Error(`${this.constructor.name}.backward called before forward`);
    return this.grad.clone();
  }
}

/**
 * Cross-entropy of logits [N, C] against class indices (Int32Array of N values
 * in [0, C)), mean over the batch, log-softmax fused. With labelSmoothing ε the
 * target is (1-ε)·onehot + ε/C, as in PyTorch 1.13.
 */
export class CrossEntropyLoss extends CachedLoss {
  readonly labelSmoothing: number;

  constructor(options: { labelSmoothing?: number } = {}) {
    super();
    checkKnownKeys(checkObject(options, 'options'), 'CrossEntropyLoss', ['labelSmoothing']);
    this.labelSmoothing = checkRange(options.labelSmoothing ?? 0, 'labelSmoothing', 0, 1);
  }

  forward(input: Tensor, target: Int32Array | Tensor): number {
    checkTensor(input, 'input');
    if (input.shape.length !== 2) throw new RangeError(`input must have shape [N, C], got [${input.shape.join(', ')}]`);
    const [n, c] = input.shape;
    if (c === 0) throw new RangeError(`input must have at least one class (shape [N, C] with C >= 1), got [${input.shape.join(', ')}]`);
    if (!(target instanceof Int32Array)) throw new TypeError(`target must be an Int32Array of class indices, got ${describe(target)}`);
    if (target.length !== n) throw new RangeError(`target must hold N = ${n} class indices, got ${target.length}`);
    for (let i = 0; i < n; i++) {
      if (target[i] < 0 || target[i] >= c) throw new RangeError(`target[${i}] must be a class index in [0, ${c - 1}], got ${target[i]}`);
    }
    const grad = new Float32Array(n * c);
    const loss = K().crossEntropy(input.data, target, n, c, this.labelSmoothing, grad);
    this.cache(grad, input.shape);
    return Math.fround(loss);
  }
}

/** Mean squared error between input and a target of the same shape. */
export class MSELoss extends CachedLoss {
  /** Mean reduction only: there are no options (PyTorch's reduction: 'sum' | 'none' are not provided). */
  constructor(options: Record<string, never> = {}) {
    super();
    checkKnownKeys(checkObject(options, 'options'), 'MSELoss', []);
  }

  forward(input: Tensor, target: Int32Array | Tensor): number {
    checkTensor(input, 'input');
    if (!(target instanceof Tensor)) throw new TypeError(`target must be a Tensor, got ${describe(target)}`);
    checkTensor(target, 'target');
    checkShapeEquals(target.shape, input.shape, 'target');
    const n = input.size;
    const grad = new Float32Array(n);
    const loss = K().mse(input.data, target.data, n, 2 / n, grad);
    this.cache(grad, input.shape);
    return Math.fround(loss);
  }
}
