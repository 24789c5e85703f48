// The base of every learning-rate scheduler but ReduceLROnPlateau, following
// torch.optim.lr_scheduler._LRScheduler (PyTorch 1.13): creating a scheduler
// records each group's `initialLr` (if absent) and performs the first step
// (lastEpoch 0); step() advances lastEpoch and writes the new lr into every
// group. Schedulers are chainable: most compute the next lr from the current
// one (the recursive form), so other code may change lr between steps.
//
// Each scheduler lists its fields' rules once (a Rules table): the
// constructor checks its options with them and loadStateDict checks a loaded
// state with the same ones, before anything is written.
import { checkBoolean, checkInteger, checkKnownKeys, checkNumber, checkObject, checkOneOf, checkRange, describe } from '../errors';

/** The part of a parameter group a scheduler reads and writes. */
export interface SchedulableGroup {
  lr: number;
  /** The lr the schedule starts from; set on creation when absent (PyTorch's `initial_lr`). */
  initialLr?: number;
  /** SGD / RMSprop momentum (cycled by OneCycleLR). */
  momentum?: number;
  /** Adam / AdamW betas (OneCycleLR cycles betas[0]). */
  betas?: readonly number[];
}

/** Anything with parameter groups: every optimizer of deepfit. */
export interface SchedulableOptimizer {
  paramGroups: SchedulableGroup[];
}

/** A scheduler's state: plain numbers, arrays and nested states, JSON-friendly. */
export type SchedulerState = { [key: string]: SchedulerStateValue };
export type SchedulerStateValue = number | boolean | string | null | SchedulerStateValue[] | SchedulerState;

export function checkOptimizer(v: unknown, name = 'optimizer'): SchedulableOptimizer {
  const o = checkObject(v, name);
  const groups = o.paramGroups;
  if (!Array.isArray(groups) || groups.length === 0) throw new TypeError(`${name}.paramGroups must be a non-empty array of parameter groups, got ${describe(groups)}`);
  groups.forEach((g, i) => {
    if (g === null || typeof g !== 'object' || typeof g.lr !== 'number') {
      throw new TypeError(`${name}.paramGroups[${i}].lr must be a number, got ${describe(g?.lr)}`);
    }
  });
  return o as unknown as SchedulableOptimizer;
}

/** Checks one option or state field; `name` is the full name for messages. Returns the value to store. */
export type Rule = (v: unknown, name: string) => SchedulerStateValue;
export type Rules = Record<string, Rule>;

export const rule = {
  /** An integer >= min (and < 2^53). */
  integer: (min: number): Rule => (v, name) => checkInteger(v, name, min),
  /** A finite number in [lo, hi]; `what` overrides the expected form in messages. */
  range: (lo: number, hi = Infinity, what?: string): Rule => (v, name) => checkRange(v, name, lo, hi, what),
  /** A finite number of any sign. */
  finite: ((v, name) => {
    checkNumber(v, name);
    if (!Number.isFinite(v)) throw new RangeError(`${name} must be a finite number, got ${describe(v)}`);
    return v as number;
  }) as Rule,
  /** A number, ±Infinity included (not NaN). */
  number: ((v, name) => checkNumber(v, name)) as Rule,
  flag: ((v, name) => checkBoolean(v, name)) as Rule,
  oneOf: <T extends string>(allowed: readonly T[]): Rule => (v, name) => checkOneOf(v, name, allowed),
  /** An array whose every entry passes `each` (a copy). */
  list: (each: Rule, what = 'numbers'): Rule => (v, name) => {
    if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of ${what}, got ${describe(v)}`);
    return v.map((x, i) => each(x, `${name}[${i}]`));
  },
};

/** Applies `rules` to the fields of `values`; `where(key)` names a field in messages. */
export function checkRules(values: Record<string, unknown>, rules: Rules, where: (key: string) => string): Record<string, SchedulerStateValue> {
  const out: Record<string, SchedulerStateValue> = {};
  for (const [k, r] of Object.entries(rules)) out[k] = r(values[k], where(k));
  return out;
}

/**
 * A constructor's options: known keys only, defaults filled in, every one
 * checked by its rule (`${name}: ${key}` in messages). A key without a default
 * is required.
 */
export function checkOptions(opts: unknown, name: string, rules: Rules, defaults: Record<string, SchedulerStateValue> = {}): Record<string, SchedulerStateValue> {
  const o = opts === undefined ? {} : checkObject(opts, `${name} options`);
  checkKnownKeys(o, name, Object.keys(rules));
  const filled: Record<string, unknown> = {};
  for (const k of Object.keys(rules)) {
    filled[k] = o[k] === undefined ? defaults[k] : o[k];
    if (filled[k] === undefined) throw new TypeError(`${name}: option ${k} is required`);
  }
  return checkRules(filled, rules, (k) => `${name}: ${k}`);
}

/** The fields every LRScheduler saves. lastEpoch is -1 for a scheduler SequentialLR has not started yet. */
const COMMON_RULES: Rules = {
  baseLrs: rule.list(rule.finite),
  lastEpoch: rule.integer(-1),
  stepCount: rule.integer(0),
  lastLr: rule.list(rule.finite),
};

function cloneState<T extends SchedulerStateValue>(v: T): T {
  return structuredClone(v);
}

// Arrays with one entry per parameter group: their length must match the optimizer's.
const PER_GROUP_KEYS = new Set(['baseLrs', 'lastLr', 'minLrs', 'maxLrs', 'initialLrs', 'finalLrs', 'maxMomentums', 'baseMomentums']);

function kindOf(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v;
}

/**
 * Checks that `sd` has exactly the keys of `like` (a scheduler's own state),
 * with values of the same kinds and array lengths, recursively. A state from
 * another scheduler type or another optimizer layout fails here, before any
 * field is written.
 */
export function checkStateLike(sd: unknown, like: SchedulerState, name: string): SchedulerState {
  const o = checkObject(sd, name);
  const want = Object.keys(like).sort();
  const got = Object.keys(o).sort();
  const missing = want.filter((k) => !(k in o));
  const extra = got.filter((k) => !(k in like));
  if (missing.length || extra.length) {
    throw new RangeError(`${name} does not match this scheduler: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`);
  }
  for (const k of want) {
    const a = like[k], b = o[k];
    // null marks an absent value (e.g. ReduceLROnPlateau's best before the first step): either kind is fine.
    if (a !== null && b !== null && kindOf(a) !== kindOf(b)) throw new TypeError(`${name}.${k} must be ${kindOf(a) === 'array' ? 'an array' : `a ${kindOf(a)}`}, got ${describe(b)}`);
    const sized = PER_GROUP_KEYS.has(k) || (Array.isArray(a) && a.some((x) => x !== null && typeof x === 'object'));
    if (Array.isArray(a) && sized && (b as unknown[]).length !== a.length) throw new RangeError(`${name}.${k} must have ${a.length} entries, got ${(b as unknown[]).length}`);
    if (!Array.isArray(a)) continue;
    (b as unknown[]).forEach((y, i) => {
      const x = a[i] ?? a[0];
      if (x !== null && typeof x === 'object' && !Array.isArray(x)) checkStateLike(y, x as SchedulerState, `${name}.${k}[${i}]`);
      else if (x !== undefined && kindOf(x) !== kindOf(y)) throw new TypeError(`${name}.${k}[${i}] must be a ${kindOf(x)}, got ${describe(y)}`);
    });
  }
  return o as SchedulerState;
}

/**
 * step() takes no arguments. PyTorch's deprecated step(epoch) jumps to an
 * epoch; ignoring that argument silently would run a different schedule.
 */
export function checkNoStepArguments(s: object, count: number): void {
  if (count > 0) {
    throw new TypeError(`${s.constructor.name}.step() takes no arguments, got ${count} (PyTorch's deprecated step(epoch) is not supported; resume with loadStateDict)`);
  }
}

export abstract class LRScheduler {
  readonly optimizer: SchedulableOptimizer;
  /** Each group's initialLr: the lr the schedule is relative to. */
  baseLrs: number[] = [];
  /** Steps taken; 0 after creation. */
  lastEpoch = -1;
  protected stepCount = 0;
  protected lastLr: number[] = [];

  /** Checks the optimizer only: nothing is written to it until start(). */
  constructor(optimizer: SchedulableOptimizer) {
    this.optimizer = checkOptimizer(optimizer);
  }

  /** Records each group's initialLr where absent and sets baseLrs from them. */
  protected recordInitialLrs(): void {
    for (const g of this.optimizer.paramGroups) if (g.initialLr === undefined) g.initialLr = g.lr;
    this.baseLrs = this.optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  /**
   * Records initialLr and runs the first step. Every subclass calls it at the
   * end of its constructor, once all options are checked; if the first step
   * fails (a LambdaLR function), the initialLrs it added are removed again.
   */
  protected start(): void {
    const added = this.optimizer.paramGroups.filter((g) => g.initialLr === undefined);
    this.recordInitialLrs();
    try {
      this.initialStep();
    } catch (e) {
      for (const g of added) delete g.initialLr;
      throw e;
    }
  }

  /** Runs the first step (SequentialLR restarts its first scheduler with it). */
  protected initialStep(): void {
    this.stepCount = 0;
    this.step();
  }

  /** The lrs for lastEpoch, from the current ones (the recursive, chainable form). */
  protected abstract computeLr(): number[];

  /** The lrs for lastEpoch straight from baseLrs, when the schedule has such a form. */
  protected closedFormLr(): number[] | undefined {
    return undefined;
  }

  /** Advances the schedule one step and writes the new lr into every group. */
  step(): void {
    checkNoStepArguments(this, arguments.length);
    this.stepCount++;
    this.lastEpoch++;
    let lrs: number[];
    try {
      lrs = this.computeLr();
    } catch (e) {
      // A failing schedule (a LambdaLR function that throws or returns nonsense) leaves the scheduler as it was.
      this.stepCount--;
      this.lastEpoch--;
      throw e;
    }
    this.apply(lrs);
  }

  /**
   * Jumps to `epoch` as PyTorch's deprecated step(epoch) does (closed form where
   * there is one). SequentialLR restarts schedulers with it at its milestones.
   * @internal
   */
  _stepAt(epoch: number): void {
    this.stepCount++;
    this.lastEpoch = epoch;
    this.apply(this.closedFormLr() ?? this.computeLr());
  }

  protected apply(lrs: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => (g.lr = lrs[i]));
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  protected groupLrs(): number[] {
    return this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The lr of each group after the last step. */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  /** The names of the fields (beyond the common ones) that make up the state. */
  protected stateKeys(): string[] {
    return Object.keys(this.stateRules());
  }

  /** The rules for the fields of stateKeys(): the same ones the constructor checks its options with. */
  protected stateRules(): Rules {
    return {};
  }

  /** Rules across fields of a loaded (already field-checked) state, or against the optimizer. */
  protected checkLoadedState(_sd: SchedulerState, _name: string): void {}

  /** The scheduler's state (copies), for loadStateDict and checkpoints. Functions are not saved. */
  stateDict(): SchedulerState {
    const out: SchedulerState = { baseLrs: this.baseLrs, lastEpoch: this.lastEpoch, stepCount: this.stepCount, lastLr: this.lastLr };
    const self = this as unknown as Record<string, SchedulerStateValue>;
    for (const k of this.stateKeys()) out[k] = self[k];
    return cloneState(out);
  }

  /**
   * Restores a state from stateDict(). Every field is checked, by the rules
   * the constructor applies, before any is written: on error nothing changes.
   */
  loadStateDict(sd: SchedulerState): void {
    this._assignState(this._checkState(sd, 'stateDict'));
  }

  /**
   * A checked copy of `sd`, ready for _assignState (SequentialLR checks the
   * states of all its schedulers with it before loading any).
   * @internal
   */
  _checkState(sd: unknown, name: string): SchedulerState {
    const s = cloneState(checkStateLike(sd, this.stateDict(), name));
    Object.assign(s, checkRules(s, { ...COMMON_RULES, ...this.stateRules() }, (k) => `${name}.${k}`));
    this.checkLoadedState(s, name);
    return s;
  }

  /** @internal */
  _assignState(sd: SchedulerState): void {
    this.assignState(sd);
  }

  /** Writes a checked state into the fields. */
  protected assignState(sd: SchedulerState): void {
    Object.assign(this, sd);
  }
}

export { cloneState };
