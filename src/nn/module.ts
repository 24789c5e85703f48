// Module: the base of every layer. There is no autograd graph: forward(x)
// caches what backward needs, and backward(gradOutput) returns the input
// gradient and *accumulates* into each parameter's .grad.
//
// Parameters and buffers are registered by name, so parameters(), stateDict()
// and loadStateDict() follow PyTorch's naming (`weight`, `running_mean`, and
// `0.weight` inside a Sequential).
import { checkBoolean, checkKnownKeys, checkObject, describe as describeValue } from '../errors';
import { checkParameter, checkTensor, Parameter, Tensor } from '../tensor';

export type StateDict = Record<string, Tensor>;

export abstract class Module {
  /** True in training mode (the default), false after eval(). */
  training = true;
  private readonly _params = new Map<string, Parameter | null>();
  private readonly _buffers = new Map<string, Tensor | null>();
  private readonly _children = new Map<string, Module>();

  abstract forward(x: Tensor): Tensor;
  abstract backward(gradOutput: Tensor): Tensor;

  /** Registers a parameter under `name` (null: declared but absent, e.g. bias=false). */
  protected registerParameter(name: string, p: Parameter | null): void {
    this._params.set(name, p);
  }
  /** Registers a buffer (state that is saved but not trained, e.g. running_mean). */
  protected registerBuffer(name: string, t: Tensor | null): void {
    this._buffers.set(name, t);
  }
  protected registerModule(name: string, m: Module): void {
    this._children.set(name, m);
  }

  /** Child modules, in registration order. */
  namedChildren(): [string, Module][] {
    return [...this._children];
  }

  /** Every parameter of this module and its children, PyTorch-named ("0.weight"). */
  namedParameters(prefix = ''): [string, Parameter][] {
    const out: [string, Parameter][] = [];
    for (const [n, p] of this._params) if (p) out.push([prefix + n, p]);
    for (const [n, m] of this._children) out.push(...m.namedParameters(`${prefix}${n}.`));
    return out;
  }

  parameters(): Parameter[] {
    return this.namedParameters().map(([, p]) => p);
  }

  namedBuffers(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [n, b] of this._buffers) if (b) out.push([prefix + n, b]);
    for (const [n, m] of this._children) out.push(...m.namedBuffers(`${prefix}${n}.`));
    return out;
  }

  /** Sets training mode on this module and every child. */
  train(mode = true): this {
    checkBoolean(mode, 'mode');
    this.training = mode;
    for (const [, m] of this._children) m.train(mode);
    return this;
  }

  /** Evaluation mode: train(false). */
  eval(): this {
    return this.train(false);
  }

  /** Zeroes every parameter's gradient; every parameter is checked first, so an error changes none. */
  zeroGrad(): void {
    const named = this.namedParameters();
    for (const [name, p] of named) checkParameter(p, name);
    for (const [, p] of named) p.grad.fill(0);
  }

  /**
   * Parameters and buffers by PyTorch name, in PyTorch's order (each module's
   * parameters, then its buffers, then its children). The tensors are copies.
   */
  stateDict(prefix = ''): StateDict {
    const out: StateDict = {};
    const copy = (n: string, t: Tensor) => new Tensor(checkTensor(t, `the module's tensor '${prefix + n}'`).data.slice(), t.shape);
    for (const [n, p] of this._params) if (p) out[prefix + n] = copy(n, p);
    for (const [n, b] of this._buffers) if (b) out[prefix + n] = copy(n, b);
    for (const [n, m] of this._children) Object.assign(out, m.stateDict(`${prefix}${n}.`));
    return out;
  }

  /**
   * Copies values from a state dict, all or nothing: every name and shape,
   * every source tensor and every target tensor of this module (its data must
   * still hold product(shape) floats) is checked before anything is written,
   * so a mismatch leaves the module untouched.
   * With strict (the default) missing and unexpected keys are errors too.
   */
  loadStateDict(sd: StateDict, options: { strict?: boolean } = {}): void {
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TypeError(`stateDict must be an object of Tensors, got ${describeValue(sd)}`);
    checkKnownKeys(checkObject(options, 'options'), 'loadStateDict', ['strict']);
    const strict = options.strict === undefined ? true : checkBoolean(options.strict, 'options.strict');
    const targets: [string, Tensor][] = [...this.namedParameters(), ...this.namedBuffers()];
    const known = new Set(targets.map(([n]) => n));
    if (strict) {
      const missing = targets.map(([n]) => n).filter((n) => !(n in sd));
      const unexpected = Object.keys(sd).filter((n) => !known.has(n));
      if (missing.length || unexpected.length) {
        throw new RangeError(
          `loadStateDict: ${missing.length ? `missing keys: ${missing.join(', ')}` : ''}` +
            `${missing.length && unexpected.length ? '; ' : ''}${unexpected.length ? `unexpected keys: ${unexpected.join(', ')}` : ''}`,
        );
      }
    }
    const plan: [Tensor, Float32Array][] = [];
    for (const [n, t] of targets) {
      if (!(n in sd)) continue;
      const src = sd[n];
      checkTensor(src, `stateDict['${n}']`);
      // The module's own tensor: its data is a public field, and one replaced
      // by an array of another length would fail halfway through the copies.
      checkTensor(t, `loadStateDict: the module's tensor '${n}'`);
      if (src.shape.length !== t.shape.length || src.shape.some((d, i) => d !== t.shape[i])) {
        throw new RangeError(`stateDict['${n}'] has shape [${src.shape.join(', ')}], expected [${t.shape.join(', ')}]`);
      }
      plan.push([t, src.data]);
    }
    for (const [t, data] of plan) t.data.set(data);
  }
}
