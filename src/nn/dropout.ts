// Dropout with inverted scaling: in training each element is zeroed with
// probability p and kept ones are multiplied by 1/(1-p); eval is the identity.
// A dropped element is 0 by selection (never 0 * x, which is NaN for ±Inf and
// NaN). The mask is kept as one bit per element for backward.
import { K } from '../backend';
import { checkBoolean, checkKnownKeys, checkObject, checkShapeEquals, describe } from '../errors';
import { uninitializedFloat32 } from '../alloc';
import { Generator, resolveGenerator } from '../random';
import { checkTensor, Tensor } from '../tensor';
import { Module } from './module';

export interface DropoutOptions {
  /** Apply dropout (default true); false is the identity. */
  training?: boolean;
  /** Generator to draw the mask from (default: the global one). */
  generator?: Generator;
  /** Write the result into x's data (default false). */
  inplace?: boolean;
}

/** What backward needs: 'identity' (eval or p = 0), 'zero' (p = 1) or a mask. */
interface DropoutRecord {
  out: Tensor;
  kind: 'identity' | 'zero' | 'mask';
  mask: Uint8Array | null;
  scale: number;
}

function checkP(p: unknown): number {
  if (typeof p !== 'number') throw new TypeError(`p must be a probability in [0, 1], got ${describe(p)}`);
  if (!(p >= 0 && p <= 1)) throw new RangeError(`p must be a probability in [0, 1], got ${describe(p)}`);
  return p;
}

function parseOptions(opts: unknown, name: string): DropoutOptions {
  const o = checkObject(opts, name);
  checkKnownKeys(o, name, ['training', 'generator', 'inplace']);
  if (o.training !== undefined) checkBoolean(o.training, `${name}.training`);
  if (o.inplace !== undefined) checkBoolean(o.inplace, `${name}.inplace`);
  resolveGenerator(o.generator, `${name}.generator`);
  return o as DropoutOptions;
}

/** Forward; reuse: a mask buffer to write into when its size fits (the module's own). */
function dropoutRecord(
  x: Tensor, p: number, training: boolean, generator: Generator, inplace: boolean, reuse: Uint8Array | null = null,
): DropoutRecord {
  const n = x.size;
  const out = inplace ? x : new Tensor(uninitializedFloat32(n), x.shape); // every path below writes every element
  if (!training || p === 0) {
    if (!inplace) out.data.set(x.data);
    return { out, kind: 'identity', mask: null, scale: 1 };
  }
  if (p === 1) {
    out.data.fill(0);
    return { out, kind: 'zero', mask: null, scale: 0 };
  }
  const bytes = (n + 7) >>> 3;
  const mask = reuse && reuse.length === bytes ? reuse : new Uint8Array(bytes);
  // keep when the 24-bit uniform k * 2^-24 < 1 - p, i.e. k < ceil((1 - p) 2^24).
  const keepBelow = Math.ceil((1 - p) * 16777216);
  // PyTorch scales by the float noise value 1 / float(1 - p), rounded to float.
  const scale = Math.fround(1 / Math.fround(1 - p));
  const s = generator.take(n);
  K().dropoutForward(x.data, out.data, mask, n, s.seedLo, s.seedHi, s.offset, keepBelow, scale);
  return { out, kind: 'mask', mask, scale };
}

/**
 * Dropout as a function: y = x * mask / (1 - p) in training, x otherwise.
 * Returns a new Tensor (or x itself with inplace).
 */
export function dropout(x: Tensor, p = 0.5, options: DropoutOptions = {}): Tensor {
  checkTensor(x, 'x');
  checkP(p);
  const o = parseOptions(options, 'options');
  return dropoutRecord(x, p, o.training ?? true, resolveGenerator(o.generator), o.inplace ?? false).out;
}

/**
 * nn.Dropout(p): zeroes elements with probability p in training mode; identity
 * in eval mode. With inplace, forward overwrites its input and backward its
 * gradOutput (no new buffers).
 */
export class Dropout extends Module {
  readonly p: number;
  readonly inplace: boolean;
  private readonly generator: Generator | undefined;
  private record: DropoutRecord | null = null;

  constructor(p = 0.5, options: { inplace?: boolean; generator?: Generator } = {}) {
    super();
    this.p = checkP(p);
    const o = checkObject(options, 'options');
    checkKnownKeys(o, 'options', ['inplace', 'generator']);
    this.inplace = o.inplace === undefined ? false : checkBoolean(o.inplace, 'options.inplace');
    this.generator = o.generator === undefined ? undefined : resolveGenerator(o.generator, 'options.generator');
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'x');
    const mask = this.record?.mask ?? null; // private to the module, so it can be reused
    this.record = dropoutRecord(x, this.p, this.training, resolveGenerator(this.generator), this.inplace, mask);
    return this.record.out;
  }

  /** The input gradient: gradOutput through the same mask and scale as the last forward. */
  backward(gradOutput: Tensor): Tensor {
    checkTensor(gradOutput, 'gradOutput');
    const r = this.record;
    if (!r) throw new Error('Dropout.backward called before forward');
    checkShapeEquals(gradOutput.shape, r.out.shape, 'gradOutput');
    const n = gradOutput.size;
    const gx = this.inplace ? gradOutput : new Tensor(uninitializedFloat32(n), r.out.shape);
    if (r.kind === 'identity') {
      if (gx !== gradOutput) gx.data.set(gradOutput.data);
    } else if (r.kind === 'zero') gx.data.fill(0);
    else K().dropoutBackward(gradOutput.data, r.mask!, gx.data, n, r.scale);
    return gx;
  }
}
