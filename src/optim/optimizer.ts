// The optimizer base: parameter groups, option checks, per-parameter state,
// cached tensor lists, skipNonFinite, and the state dict. Subclasses only say
// which state buffers a step needs and compute the per-step scalars (in double).
//
// One kernel call updates a whole group. The TensorList handle it needs is
// cached and rebuilt only when a parameter's data/grad array or a state buffer
// is replaced, or the backend changes; checking that is a few identity
// comparisons per parameter.
import { K } from '../backend';
import type { Kernels, TensorListHandle } from '../backend/kernels';
import { checkInteger, checkKnownKeys, checkObject, describe, isIndexKey } from '../errors';
import { alignedFloat32, checkNoOverlap } from '../alloc';
import { checkParameter, DETACHED_GRAD, Parameter, Tensor } from '../tensor';
import { checkOption, copyOption, type OptionSpecs } from './options';

/** One parameter's state, under PyTorch's names (step, exp_avg, momentum_buffer...). */
export type ParamState = Record<string, Float32Array | number>;

export type ParamGroup<O> = O & { params: Parameter[] };
export type ParamGroupInput<O> = Partial<O> & { params: Parameter[] };

export interface StepResult {
  /** True when a group with skipNonFinite saw a NaN or ±Inf gradient and was left unchanged. */
  skipped: boolean;
}

/** PyTorch's layout: state by parameter index (numbered across groups in order), and each group's options. */
export interface OptimizerStateDict {
  state: Record<number, ParamState>;
  paramGroups: Array<Record<string, unknown> & { params: number[] }>;
}

export interface OptimizerSpec {
  name: string;
  options: OptionSpecs;
  /** Every state key this optimizer may keep. */
  stateKeys: readonly string[];
  /** Keys a non-empty loaded state entry must have. */
  requiredStateKeys: readonly string[];
}

export type StepKernel = 'adamStep' | 'sgdStep' | 'rmspropStep' | 'adagradStep';

/** What a subclass's prepare() asks the base to run for one group. */
export interface KernelCall {
  kernel: StepKernel;
  scalars: Float64Array;
  perTensor: Float64Array;
  flags: number;
}

interface GroupCache {
  kernels: Kernels;
  params: Parameter[];
  states: ParamState[];
  lists: Float32Array[][] | null;
  /** The state buffer names the list was built with. */
  buffers: readonly string[];
  handle: TensorListHandle;
  grads: Float32Array[] | null;
  gradHandle: TensorListHandle;
  /** Each tensor's length when the list was built: a detached buffer reads as length 0 afterwards. */
  lengths: number[];
}

const EMPTY = new Float64Array(0);

export abstract class Optimizer<O extends object> {
  /** The groups: `params` and every option, camelCase. Options are read fresh at each step. */
  readonly paramGroups: ParamGroup<O>[];
  private state = new Map<Parameter, ParamState>();
  private caches: (GroupCache | undefined)[] = [];

  protected constructor(
    private readonly spec: OptimizerSpec,
    params: Parameter[] | ParamGroupInput<O>[],
    options: Partial<O> | undefined,
  ) {
    const given = options === undefined ? {} : checkObject(options, 'options');
    checkKnownKeys(given, spec.name, Object.keys(spec.options));
    for (const name of Object.keys(given)) checkOption(spec.options[name], given[name], name);
    const defaults: Record<string, unknown> = {};
    for (const [name, o] of Object.entries(spec.options)) defaults[name] = o.default;
    this.paramGroups = this.buildGroups(params, this.merge(defaults, given));
  }

  /** The state buffers a step reads after params and grads, in the kernel's list order. */
  protected abstract buffers(group: O): readonly string[];

  /**
   * Per-step work of one group once its buffers exist: advance step counts and
   * compute the scalars (in double). created[t] is 1 where tensor t's buffers
   * were created for this step (null: none were).
   */
  protected abstract prepare(group: ParamGroup<O>, states: ParamState[], created: Uint8Array | null): KernelCall;

  /** The value a new state buffer starts at. */
  protected bufferFill(_name: string, _group: O): number {
    return 0;
  }

  /** Rules that involve several options (e.g. Nesterov); `where` prefixes the names. */
  protected checkGroupRules(_group: O, _where: string): void {}

  /** State of a parameter before its first step (Adagrad fills it at construction). */
  protected initialState(_p: Parameter, _group: O): ParamState {
    return {};
  }

  /** Gives every parameter its initial state now (Adagrad keeps state from construction). */
  protected initAllStates(): void {
    for (const g of this.paramGroups) for (const p of g.params) if (!this.state.has(p)) this.state.set(p, this.initialState(p, g));
  }

  /**
   * Updates every parameter from its .grad. Each group's options are read once
   * per step (a getter runs once) and those values are checked and used. The
   * options of every group and every parameter's data, grad and state arrays
   * are checked, and every missing state buffer is allocated, before any
   * parameter changes: an error leaves every parameter and all state as they were.
   */
  step(): StepResult {
    // PyTorch's step(closure) re-evaluates the loss; silently ignoring a closure would skip that.
    if (arguments.length > 0) throw new TypeError(`${this.spec.name}.step() takes no arguments, got ${arguments.length} (step(closure) is not supported)`);
    const groups = this.paramGroups.map((g) => ({ ...g }) as ParamGroup<O>);
    groups.forEach((group, gi) => this.checkGroup(group, `paramGroups[${gi}].`));
    const kernels = K();
    // Nothing below this check writes to a parameter, a state or a cache before all groups pass it.
    const current = groups.map((group, gi) => {
      const buffers = this.buffers(group);
      const c = this.caches[gi];
      // A current cache holds exactly the group's arrays, each checked when the cache was built.
      if (c && c.kernels === kernels && Array.isArray(group.params) && sameItems(c.params, group.params) && this.isCurrent(c, buffers)) return true;
      this.checkArrays(group.params, gi, buffers);
      return false;
    });
    // The native lists are made with callerChecks: this is that check, for the
    // lists kept from an earlier step (a rebuilt one takes the arrays as just
    // checked). No user code runs from here to the kernels (the options were
    // read above), so no array can be detached or shrunk in between.
    current.forEach((cur, gi) => {
      if (cur && !listIntact(this.caches[gi]!)) {
        this.checkArrays(groups[gi].params, gi, this.buffers(groups[gi])); // names the array
        throw new RangeError(`paramGroups[${gi}]: an array was detached or resized since the last step`);
      }
    });
    // Groups may have been edited since construction: a parameter in two groups would step twice.
    if (current.some((c) => !c)) {
      const seen = new Set<Parameter>();
      groups.forEach((g, gi) => checkParams(g.params, `paramGroups[${gi}].params`, seen));
    }
    let skipped = false;
    const ready = groups.map((group, gi) => {
      if (group.params.length === 0) return null;
      const cache = this.cacheFor(gi, kernels, group);
      if ((group as { skipNonFinite?: boolean }).skipNonFinite && !this.gradsFinite(cache)) {
        skipped = true;
        return null;
      }
      return cache;
    });
    // Every group's missing state and list first: running out of memory or
    // overlapping arrays then stops the step before any group has moved.
    const made: [ParamState, string][] = [];
    let created: (Uint8Array | null)[];
    try {
      created = ready.map((cache, gi) => (cache && !current[gi] ? this.rebuild(cache, this.buffers(groups[gi]), groups[gi], gi, made) : null));
    } catch (e) {
      for (const [st, b] of made) delete st[b];
      ready.forEach((cache, gi) => {
        if (cache && !current[gi]) this.caches[gi] = undefined;
      });
      throw e;
    }
    ready.forEach((cache, gi) => {
      if (!cache) return;
      const call = this.prepare(groups[gi], cache.states, created[gi]);
      cache.kernels[call.kernel](cache.handle, call.scalars, call.perTensor, call.flags);
    });
    return { skipped };
  }

  /** Zeroes every parameter's gradient; every parameter is checked first, so an error changes none. */
  zeroGrad(): void {
    this.paramGroups.forEach((g, gi) => g.params.forEach((p, t) => checkParameter(p, `paramGroups[${gi}].params[${t}]`)));
    for (const g of this.paramGroups) for (const p of g.params) p.grad.fill(0);
  }

  /** A copy of the state and options, in PyTorch's layout. */
  stateDict(): OptimizerStateDict {
    const state: Record<number, ParamState> = {};
    let index = 0;
    const paramGroups = this.paramGroups.map((group) => {
      const ids = group.params.map((p) => {
        const st = this.state.get(p);
        if (st && Object.keys(st).length > 0) state[index] = copyState(st, this.spec.stateKeys);
        return index++;
      });
      return { ...this.optionsOf(group), params: ids };
    });
    return { state, paramGroups };
  }

  /**
   * Loads a state dict from stateDict() (or a PyTorch checkpoint in the same
   * layout). Everything is checked first: on any error nothing changes.
   * Options absent from a saved group keep their current values.
   */
  loadStateDict(sd: OptimizerStateDict): void {
    const root = checkObject(sd, 'stateDict');
    const saved = root.paramGroups;
    if (!Array.isArray(saved)) throw new TypeError(`stateDict.paramGroups must be an array, got ${describe(saved)}`);
    if (saved.length !== this.paramGroups.length) {
      throw new RangeError(`stateDict.paramGroups has ${saved.length} groups, expected ${this.paramGroups.length}`);
    }
    const byId = new Map<number, [Parameter, O]>();
    const options = saved.map((g, gi) => this.checkSavedGroup(g, gi, byId));
    const states = this.checkSavedState(root.state, byId);
    this.paramGroups.forEach((group, gi) => Object.assign(group, options[gi]));
    this.state = new Map();
    for (const [id, [p, group]] of byId) this.state.set(p, states.get(id) ?? this.initialState(p, group));
    this.caches = [];
  }

  // ---- construction and option checks ----

  /** Every option of the spec: from `overrides` where given, else from `base`. */
  private merge(base: Record<string, unknown>, overrides: Record<string, unknown>): O {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.spec.options)) out[name] = copyOption(name in overrides ? overrides[name] : base[name]);
    return out as O;
  }

  private buildGroups(params: unknown, defaults: O): ParamGroup<O>[] {
    if (!Array.isArray(params)) throw new TypeError(`params must be an array of Parameters or of parameter groups, got ${describe(params)}`);
    if (params.length === 0) throw new RangeError('params must not be empty (an optimizer needs parameters)');
    const seen = new Set<Parameter>();
    // A Tensor first is a list of parameters with a Tensor among them (checkParams says it must be a Parameter).
    if (params[0] instanceof Tensor) {
      const group = this.merge(defaults as Record<string, unknown>, {}) as ParamGroup<O>;
      group.params = checkParams(params, 'params', seen);
      this.checkGroup(group, '');
      return [group];
    }
    return params.map((input, gi) => {
      const where = `paramGroups[${gi}]`;
      if (input instanceof Tensor) {
        throw new TypeError(`${where} must be a parameter group { params: [...] } like paramGroups[0] (params mixes groups and tensors), got ${describe(input)}`);
      }
      const raw = checkObject(input, where);
      checkKnownKeys(raw, where, [...Object.keys(this.spec.options), 'params']);
      const group = this.merge(defaults as Record<string, unknown>, raw) as ParamGroup<O>;
      group.params = checkParams(raw.params, `${where}.params`, seen);
      this.checkGroup(group, `${where}.`);
      return group;
    });
  }

  private checkGroup(group: O, where: string): void {
    const g = group as Record<string, unknown>;
    for (const [name, spec] of Object.entries(this.spec.options)) checkOption(spec, g[name], where + name);
    this.checkGroupRules(group, where);
  }

  private optionsOf(group: O): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const name of Object.keys(this.spec.options)) out[name] = copyOption((group as Record<string, unknown>)[name]);
    return out;
  }

  // ---- stepping ----

  /**
   * Every parameter of group gi is a Parameter (once in the group) whose data
   * and grad are Float32Arrays of its shape's size, and each of its existing
   * state buffers that a step uses has that size too.
   */
  private checkArrays(params: unknown, gi: number, buffers: readonly string[]): void {
    const where = `paramGroups[${gi}].params`;
    checkParams(params, where, new Set()).forEach((p, t) => {
      const st = this.state.get(p);
      for (const b of buffers) {
        const a = st?.[b];
        if (a !== undefined && (!(a instanceof Float32Array) || a.length !== p.data.length)) {
          throw new RangeError(`${where}[${t}]: state ${b} has ${a instanceof Float32Array ? a.length : describe(a)} elements, expected ${p.data.length}`);
        }
      }
    });
  }

  /** The group's cache, rebuilt from the (already checked) params when they changed. */
  private cacheFor(gi: number, kernels: Kernels, group: O & { params: Parameter[] }): GroupCache {
    const params = group.params;
    const c = this.caches[gi];
    if (c && c.kernels === kernels && sameItems(c.params, params)) return c;
    const checked = [...params];
    const states = checked.map((p) => {
      let st = this.state.get(p);
      if (!st) this.state.set(p, (st = this.initialState(p, group)));
      return st;
    });
    const fresh: GroupCache = { kernels, params: checked, states, lists: null, buffers: [], handle: null, grads: null, gradHandle: null, lengths: [] };
    this.caches[gi] = fresh;
    return fresh;
  }

  private gradsFinite(cache: GroupCache): boolean {
    const { params } = cache;
    if (!cache.grads || params.some((p, t) => p.grad !== cache.grads![t])) {
      cache.grads = params.map((p) => p.grad);
      cache.gradHandle = cache.kernels.makeTensorList([cache.grads]);
    }
    return cache.kernels.allFinite(cache.gradHandle, 0);
  }

  /**
   * Whether the cached list still holds the group's arrays. State buffers are
   * only ever replaced here or by loadStateDict (which drops the caches), so
   * checking the buffer names and each parameter's data and grad is enough.
   * Their lengths (detached buffers) are checked right before the kernels.
   */
  private isCurrent(cache: GroupCache, buffers: readonly string[]): boolean {
    const { lists, params } = cache;
    if (lists === null || !sameItems(cache.buffers, buffers)) return false;
    const [datas, grads] = lists;
    for (let t = 0; t < params.length; t++) {
      const p = params[t];
      if (datas[t] !== p.data || grads[t] !== p.grad) return false;
    }
    return true;
  }

  /**
   * Creates missing state buffers and rebuilds the cached list (lengths
   * already checked), after checking that no array the step writes overlaps
   * another of its arrays. Returns which tensors got new buffers, or null;
   * each new buffer is also logged in `made`, so a failed step can drop them.
   */
  private rebuild(cache: GroupCache, buffers: readonly string[], group: O, gi: number, made: [ParamState, string][]): Uint8Array | null {
    const { params, states } = cache;
    let created: Uint8Array | null = null;
    for (const b of buffers) {
      const missing = states.flatMap((st, t) => (st[b] === undefined ? [t] : []));
      if (missing.length === 0) continue;
      created ??= new Uint8Array(params.length);
      // One allocation per buffer name: the kernel then streams through the new
      // buffers of consecutive tensors as through one array, which the
      // hardware prefetchers follow far better than many small allocations.
      // Each tensor's buffer starts on a 64-byte boundary (the slab is aligned).
      const total = missing.reduce((n, t) => n + padded(params[t].data.length), 0);
      let slab: Float32Array;
      try {
        slab = alignedFloat32(total);
      } catch (e) {
        throw new RangeError(`paramGroups[${gi}]: could not allocate the optimizer state ${b} (${total} floats): ${(e as Error).message}`);
      }
      const fill = this.bufferFill(b, group);
      if (fill !== 0) slab.fill(fill);
      let at = 0;
      for (const t of missing) {
        const n = params[t].data.length;
        states[t][b] = slab.subarray(at, at + n);
        made.push([states[t], b]);
        at += padded(n);
        created[t] = 1;
      }
    }
    const next: Float32Array[][] = [params.map((p) => p.data), params.map((p) => p.grad)];
    for (const b of buffers) next.push(states.map((st) => st[b] as Float32Array));
    const where = (t: number) => `paramGroups[${gi}].params[${t}]`;
    checkNoOverlap([
      ...params.map((p, t) => ({ a: p.data, name: `${where(t)}.data`, writes: true })),
      ...params.map((p, t) => ({ a: p.grad, name: `${where(t)}.grad`, writes: false })),
    ]);
    cache.lists = next;
    cache.lengths = params.map((p) => p.data.length);
    cache.buffers = buffers;
    cache.handle = cache.kernels.makeTensorList(next, true);
    return created;
  }

  // ---- loading ----

  private checkSavedGroup(g: unknown, gi: number, byId: Map<number, [Parameter, O]>): O {
    const where = `stateDict.paramGroups[${gi}]`;
    const raw = checkObject(g, where);
    const ids = raw.params;
    const mine = this.paramGroups[gi];
    if (!Array.isArray(ids)) throw new TypeError(`${where}.params must be an array of parameter indices, got ${describe(ids)}`);
    if (ids.length !== mine.params.length) {
      throw new RangeError(`${where}.params has ${ids.length} parameters, expected ${mine.params.length}`);
    }
    checkKnownKeys(raw, where, [...Object.keys(this.spec.options), 'params']);
    const opts = this.merge(this.optionsOf(mine), raw);
    this.checkGroup(opts, `${where}.`);
    ids.forEach((id, t) => {
      checkInteger(id, `${where}.params[${t}]`);
      if (byId.has(id)) throw new RangeError(`${where}.params[${t}]: parameter index ${id} appears twice`);
      byId.set(id, [mine.params[t], opts]);
    });
    return opts;
  }

  private checkSavedState(state: unknown, byId: Map<number, [Parameter, O]>): Map<number, ParamState> {
    const entries = checkObject(state, 'stateDict.state');
    const out = new Map<number, ParamState>();
    for (const [key, value] of Object.entries(entries)) {
      // Only the canonical form of an index: not '', '00', ' 1 ', '0x1' or '1e0', which Number() also reads.
      if (!isIndexKey(key)) {
        throw new RangeError(`stateDict.state: key ${JSON.stringify(key)} is not a parameter index (a non-negative integer in decimal, without leading zeros)`);
      }
      const where = `stateDict.state[${key}]`;
      const id = Number(key);
      const target = byId.get(id);
      if (!target) throw new RangeError(`${where}: no parameter group lists parameter index ${key}`);
      out.set(id, this.checkSavedEntry(value, where, target[0].data.length));
    }
    return out;
  }

  private checkSavedEntry(value: unknown, where: string, length: number): ParamState {
    const entry = checkObject(value, where);
    const keys = Object.keys(entry);
    const unknown = keys.find((k) => !this.spec.stateKeys.includes(k));
    if (unknown !== undefined) throw new RangeError(`${where}: unknown state key '${unknown}' (known: ${this.spec.stateKeys.join(', ')})`);
    if (keys.length > 0) {
      const missing = this.spec.requiredStateKeys.filter((k) => !(k in entry));
      if (missing.length) throw new RangeError(`${where} lacks ${missing.join(', ')}`);
    }
    const out: ParamState = {};
    for (const k of keys) {
      const v = entry[k];
      if (k === 'step') {
        out.step = checkInteger(v, `${where}.step`);
        continue;
      }
      if (!(v instanceof Float32Array)) throw new TypeError(`${where}.${k} must be a Float32Array, got ${describe(v)}`);
      if (v.length !== length) throw new RangeError(`${where}.${k} has ${v.length} elements, expected ${length}`);
      const copy = alignedFloat32(v.length);
      copy.set(v);
      out[k] = copy;
    }
    return out;
  }
}

// ---- helpers ----

/**
 * Whether every array of the cached list still has its tensor's length when
 * the list was built: a detached buffer's arrays read as length 0, a shrunk
 * resizable buffer's as shorter or 0.
 */
function listIntact(cache: GroupCache): boolean {
  const { lists, lengths } = cache;
  for (const list of lists!) for (let t = 0; t < list.length; t++) if (list[t].length !== lengths[t]) return false;
  return true;
}

/** n rounded up to whole 64-byte lines of floats. */
function padded(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/** Advances a parameter's step count and returns the new one (1 on the first step). */
export function nextStep(st: ParamState): number {
  const step = ((st.step as number | undefined) ?? 0) + 1;
  st.step = step;
  return step;
}

export function noPerTensor(): Float64Array {
  return EMPTY;
}

/** A copy, keys in PyTorch's order (the spec's). */
function copyState(st: ParamState, keys: readonly string[]): ParamState {
  const out: ParamState = {};
  for (const k of keys) {
    const v = st[k];
    if (v !== undefined) out[k] = typeof v === 'number' ? v : v.slice();
  }
  return out;
}

/**
 * Each entry is a Parameter, not seen before, whose data is a Float32Array of
 * its shape's size and whose grad is a Float32Array of the same length.
 */
function checkParams(v: unknown, name: string, seen: Set<Parameter>): Parameter[] {
  if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of Parameters, got ${describe(v)}`);
  // Array.from visits holes too ([p, , q]): a hole is undefined, not skipped.
  return Array.from(v, (p: unknown, i) => {
    const where = `${name}[${i}]`;
    if (!(p instanceof Parameter)) {
      const hint = p instanceof Tensor ? ' (a Tensor has no gradient: make it a Parameter)' : '';
      throw new TypeError(`${where} must be a Parameter, got ${describe(p)}${hint}`);
    }
    checkParamArrays(p, where);
    if (seen.has(p)) throw new RangeError(`${where} appears more than once among the parameter groups`);
    seen.add(p);
    return p;
  });
}

function checkParamArrays(p: Parameter, where: string): void {
  const shape = Array.isArray(p.shape) ? p.shape : [];
  const size = shape.reduce((a, d) => a * d, 1);
  const { data, grad } = p as { data: unknown; grad: unknown };
  if (!(data instanceof Float32Array)) {
    throw new TypeError(`${where}.data must be a Float32Array of length ${size} (shape [${shape.join(', ')}]), got ${describe(data)}`);
  }
  if (data.length !== size) {
    throw new RangeError(`${where}: data has ${data.length} elements, expected ${size} for shape [${shape.join(', ')}] (was its buffer detached?)`);
  }
  if (!(grad instanceof Float32Array)) throw new TypeError(`${where}.grad must be a Float32Array of length ${size}, got ${describe(grad)}`);
  if (grad.length !== size) throw new RangeError(`${where}: grad has ${grad.length} elements, expected ${size}${grad.length === 0 ? DETACHED_GRAD : ''}`);
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
