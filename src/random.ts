// Seeded, counter-based random numbers (Philox4x32-10). A Generator is a seed
// and an offset; each call reserves the blocks it reads and advances the
// offset past them, so calls never reuse numbers, and the value drawn for
// element i depends only on (seed, offset, i): native code on any ISA and
// thread count and the reference give the same bits.
import { checkInteger, checkKnownKeys, checkObject, describe } from './errors';

/** PyTorch's default seed (torch.initial_seed() before any manual_seed). */
const DEFAULT_SEED = 67280421310721;
const TWO_32 = 4294967296;

/** The stream of one kernel call: the seed's 32-bit halves and the first block. */
export interface Stream {
  seedLo: number;
  seedHi: number;
  offset: number;
}

export class Generator {
  private _seed = DEFAULT_SEED;
  private _offset = 0;

  /** @param seed a non-negative safe integer (default: PyTorch's default seed). */
  constructor(seed: number = DEFAULT_SEED) {
    this.manualSeed(seed);
  }

  /** Reseeds and rewinds the generator. Returns it. */
  manualSeed(seed: number): this {
    this._seed = checkInteger(seed, 'seed', 0);
    this._offset = 0;
    return this;
  }

  /** The seed set last. */
  initialSeed(): number {
    return this._seed;
  }

  /** Philox blocks (4 words each) consumed since the last seeding. */
  get offset(): number {
    return this._offset;
  }

  /** { seed, offset }: restoring it with setState replays the same numbers. */
  getState(): { seed: number; offset: number } {
    return { seed: this._seed, offset: this._offset };
  }

  setState(state: { seed: number; offset: number }): this {
    checkKnownKeys(checkObject(state, 'state'), 'setState', ['seed', 'offset']);
    const seed = checkInteger(state.seed, 'state.seed', 0);
    const offset = checkInteger(state.offset, 'state.offset', 0);
    this._seed = seed;
    this._offset = offset;
    return this;
  }

  /** Reserves the words of n elements (ceil(n / 4) blocks) for one kernel call. */
  take(n: number): Stream {
    const s = { seedLo: this._seed % TWO_32, seedHi: Math.floor(this._seed / TWO_32), offset: this._offset };
    const next = this._offset + Math.ceil(n / 4);
    if (next > Number.MAX_SAFE_INTEGER) throw new RangeError('generator offset exhausted; reseed it with manualSeed');
    this._offset = next;
    return s;
  }
}

/** The global generator used when no { generator } is given. */
export const defaultGenerator = new Generator();

/** Seeds the global generator (and rewinds it). Returns it, like torch.manual_seed. */
export function manualSeed(seed: number): Generator {
  return defaultGenerator.manualSeed(seed);
}

/** The generator option of every random function: absent means the global one. */
export function resolveGenerator(g: unknown, name = 'generator'): Generator {
  if (g === undefined) return defaultGenerator;
  if (!(g instanceof Generator)) throw new TypeError(`${name} must be a Generator, got ${describe(g)}`);
  return g;
}
