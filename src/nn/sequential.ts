// Sequential: modules applied in order; backward runs them in reverse. Children
// are registered as "0", "1", ... so state-dict names match PyTorch
// ("0.weight", "2.running_mean").
import { describe } from '../errors';
import type { Tensor } from '../tensor';
import { Module } from './module';

/**
 * Each module keeps the input of its last forward for backward, so one
 * instance at two places in a model would compute the earlier place's
 * gradient from the later input: silently wrong (PyTorch's autograd allows it).
 */
function checkUsedOnce(m: Module, where: string, seen: Map<Module, string>): void {
  const first = seen.get(m);
  if (first !== undefined) {
    throw new RangeError(`${where} is the same ${m.constructor.name} instance as ${first}; a module keeps one forward input for backward, so use a separate instance at each place`);
  }
  seen.set(m, where);
  for (const [name, child] of m.namedChildren()) checkUsedOnce(child, `${where}.${name}`, seen);
}

export class Sequential extends Module {
  private readonly layers: Module[];

  constructor(...modules: Module[]) {
    super();
    const seen = new Map<Module, string>();
    modules.forEach((m, i) => {
      if (!(m instanceof Module)) throw new TypeError(`modules[${i}] must be a Module, got ${describe(m)}`);
      checkUsedOnce(m, `modules[${i}]`, seen);
      this.registerModule(String(i), m);
    });
    this.layers = [...modules];
  }

  /** Number of modules. */
  get length(): number {
    return this.layers.length;
  }

  /** The module at index i (negative counts from the end, like Python). */
  at(i: number): Module | undefined {
    return this.layers.at(i);
  }

  [Symbol.iterator](): Iterator<Module> {
    return this.layers[Symbol.iterator]();
  }

  forward(x: Tensor): Tensor {
    for (const m of this.layers) x = m.forward(x);
    return x;
  }

  backward(gradOutput: Tensor): Tensor {
    for (let i = this.layers.length - 1; i >= 0; i--) gradOutput = this.layers[i].backward(gradOutput);
    return gradOutput;
  }
}
