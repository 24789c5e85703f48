// The epoch-driven schedulers, each the recursive form of PyTorch 1.13's
// torch.optim.lr_scheduler (same operation order, so the lrs agree with
// PyTorch's to the last bit or two), plus the closed form SequentialLR uses
// when it restarts a scheduler at a milestone.
import { checkInteger, checkKnownKeys, checkNumber, checkObject, checkRange, describe } from '../errors';
import { checkNoStepArguments, LRScheduler, SchedulableOptimizer } from './base';

type Opts = Record<string, unknown>;

function options(v: unknown, name: string, known: readonly string[]): Opts {
  const o = v === undefined ? {} : checkObject(v, `${name} options`);
  checkKnownKeys(o, name, known);
  return o;
}

function required(o: Opts, key: string, name: string): unknown {
  if (o[key] === undefined) throw new TypeError(`${name}: option ${key} is required`);
  return o[key];
}

/** A finite number option (any sign) with a default. */
function finite(o: Opts, key: string, name: string, dflt?: number): number {
  const v = o[key] === undefined ? dflt : o[key];
  if (v === undefined) required(o, key, name);
  checkNumber(v, `${name}: ${key}`);
  if (!Number.isFinite(v)) throw new RangeError(`${name}: ${key} must be a finite number, got ${describe(v)}`);
  return v as number;
}

function inRange(o: Opts, key: string, name: string, dflt: number | undefined, lo: number, hi: number, what?: string): number {
  return checkRange(o[key] === undefined ? (dflt ?? required(o, key, name)) : o[key], `${name}: ${key}`, lo, hi, what);
}

function integer(o: Opts, key: string, name: string, dflt: number | undefined, min: number): number {
  return checkInteger(o[key] === undefined ? (dflt ?? required(o, key, name)) : o[key], `${name}: ${key}`, min);
}

/** Decays lr by gamma every stepSize steps. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const o = options(opts, 'StepLR', ['stepSize', 'gamma']);
    this.stepSize = integer(o, 'stepSize', 'StepLR', undefined, 1);
    this.gamma = inRange(o, 'gamma', 'StepLR', 0.1, 0, Infinity);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
  protected stateKeys(): string[] {
    return ['stepSize', 'gamma'];
  }
}

/** Decays lr by gamma at each milestone (a milestone listed twice decays twice). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { milestones: number[]; gamma?: number }) {
    super(optimizer);
    const o = options(opts, 'MultiStepLR', ['milestones', 'gamma']);
    const m = required(o, 'milestones', 'MultiStepLR');
    if (!Array.isArray(m)) throw new TypeError(`MultiStepLR: milestones must be an array of integers, got ${describe(m)}`);
    m.forEach((x, i) => checkInteger(x, `MultiStepLR: milestones[${i}]`, 0));
    this.milestones = [...m].sort((a, b) => a - b);
    this.gamma = inRange(o, 'gamma', 'MultiStepLR', 0.1, 0, Infinity);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const hits = this.milestones.filter((x) => x === this.lastEpoch).length;
    if (hits === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma ** hits);
  }
  protected closedFormLr(): number[] {
    const passed = this.milestones.filter((x) => x <= this.lastEpoch).length;
    return this.baseLrs.map((b) => b * this.gamma ** passed);
  }
  protected stateKeys(): string[] {
    return ['milestones', 'gamma'];
  }
}

/** Multiplies lr by factor for the first totalIters steps. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const o = options(opts, 'ConstantLR', ['factor', 'totalIters']);
    // factor 0 would divide by zero when the schedule ends (PyTorch raises there too).
    this.factor = inRange(o, 'factor', 'ConstantLR', 1 / 3, Number.MIN_VALUE, 1, 'a number in (0, 1]');
    this.totalIters = integer(o, 'totalIters', 'ConstantLR', 5, 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.factor);
    if (this.lastEpoch !== this.totalIters) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * (1.0 / this.factor));
  }
  protected closedFormLr(): number[] {
    const done = this.lastEpoch >= this.totalIters ? 1 : 0;
    return this.baseLrs.map((b) => b * (this.factor + done * (1 - this.factor)));
  }
  protected stateKeys(): string[] {
    return ['factor', 'totalIters'];
  }
}

/** Moves the lr factor linearly from startFactor to endFactor over totalIters steps. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const o = options(opts, 'LinearLR', ['startFactor', 'endFactor', 'totalIters']);
    // startFactor 0 divides by zero on the second step (PyTorch 2 rejects it too).
    this.startFactor = inRange(o, 'startFactor', 'LinearLR', 1 / 3, Number.MIN_VALUE, 1, 'a number in (0, 1]');
    this.endFactor = inRange(o, 'endFactor', 'LinearLR', 1, 0, 1);
    this.totalIters = integer(o, 'totalIters', 'LinearLR', 5, 1);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs().map((lr) => lr * this.startFactor);
    if (this.lastEpoch > this.totalIters) return this.groupLrs();
    const d = this.endFactor - this.startFactor;
    return this.groupLrs().map((lr) => lr * (1 + d / (this.totalIters * this.startFactor + (this.lastEpoch - 1) * d)));
  }
  protected closedFormLr(): number[] {
    const d = this.endFactor - this.startFactor;
    return this.baseLrs.map((b) => b * (this.startFactor + (d * Math.min(this.totalIters, this.lastEpoch)) / this.totalIters));
  }
  protected stateKeys(): string[] {
    return ['startFactor', 'endFactor', 'totalIters'];
  }
}

/** Multiplies lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { gamma: number }) {
    super(optimizer);
    const o = options(opts, 'ExponentialLR', ['gamma']);
    this.gamma = inRange(o, 'gamma', 'ExponentialLR', undefined, 0, Infinity);
    this.initialStep();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
  protected stateKeys(): string[] {
    return ['gamma'];
  }
}

/**
 * Cosine annealing from initialLr down to etaMin over tMax steps, in PyTorch's
 * recursive form: past tMax it climbs back up and keeps cycling with period
 * 2·tMax instead of staying at etaMin.
 */
export class CosineAnnealingLR extends LRScheduler {
  tMax: number;
  etaMin: number;
  constructor(optimizer: SchedulableOptimizer, opts: { tMax: number; etaMin?: number }) {
    super(optimizer);
    const o = options(opts, 'CosineAnnealingLR', ['tMax', 'etaMin']);
    this.tMax = integer(o, 'tMax', 'CosineAnnealingLR', undefined, 1);
    this.etaMin = finite(o, 'etaMin', 'CosineAnnealingLR', 0);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin: m } = this;
    if (e === 0) return this.groupLrs();
    if (this.stepCount === 1 && e > 0) return this.baseLrs.map((b) => m + ((b - m) * (1 + Math.cos((e * Math.PI) / T))) / 2);
    if ((e - 1 - T) % (2 * T) === 0) {
      return this.groupLrs().map((lr, i) => lr + ((this.baseLrs[i] - m) * (1 - Math.cos(Math.PI / T))) / 2);
    }
    return this.groupLrs().map((lr) => ((1 + Math.cos((Math.PI * e) / T)) / (1 + Math.cos((Math.PI * (e - 1)) / T))) * (lr - m) + m);
  }
  protected closedFormLr(): number[] {
    const { lastEpoch: e, tMax: T, etaMin: m } = this;
    return this.baseLrs.map((b) => m + ((b - m) * (1 + Math.cos((Math.PI * e) / T))) / 2);
  }
  protected stateKeys(): string[] {
    return ['tMax', 'etaMin'];
  }
}

/** Cosine annealing with warm restarts (SGDR): the period starts at t0 and grows by tMult after each restart. */
export class CosineAnnealingWarmRestarts extends LRScheduler {
  t0: number;
  tMult: number;
  etaMin: number;
  tI: number;
  tCur: number;
  constructor(optimizer: SchedulableOptimizer, opts: { t0: number; tMult?: number; etaMin?: number }) {
    super(optimizer);
    const o = options(opts, 'CosineAnnealingWarmRestarts', ['t0', 'tMult', 'etaMin']);
    this.t0 = integer(o, 't0', 'CosineAnnealingWarmRestarts', undefined, 1);
    this.tMult = integer(o, 'tMult', 'CosineAnnealingWarmRestarts', 1, 1);
    this.etaMin = finite(o, 'etaMin', 'CosineAnnealingWarmRestarts', 0);
    this.tI = this.t0;
    this.tCur = -1;
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b) => this.etaMin + ((b - this.etaMin) * (1 + Math.cos((Math.PI * this.tCur) / this.tI))) / 2);
  }
  step(): void {
    checkNoStepArguments(this, arguments.length);
    if (this.lastEpoch < 0) return this._stepAt(0);
    this.stepCount++;
    this.lastEpoch++;
    this.tCur++;
    if (this.tCur >= this.tI) {
      this.tCur -= this.tI;
      this.tI *= this.tMult;
    }
    this.apply(this.computeLr());
  }
  _stepAt(epoch: number): void {
    // Only SequentialLR restarts use this (epoch 0), which resets the cycle.
    this.stepCount++;
    if (epoch >= this.t0) {
      if (this.tMult === 1) this.tCur = epoch % this.t0;
      else {
        const n = Math.floor(Math.log((epoch / this.t0) * (this.tMult - 1) + 1) / Math.log(this.tMult));
        this.tCur = epoch - (this.t0 * (this.tMult ** n - 1)) / (this.tMult - 1);
        this.tI = this.t0 * this.tMult ** n;
      }
    } else {
      this.tI = this.t0;
      this.tCur = epoch;
    }
    this.lastEpoch = Math.floor(epoch);
    this.apply(this.computeLr());
  }
  protected stateKeys(): string[] {
    return ['t0', 'tMult', 'etaMin', 'tI', 'tCur'];
  }
}

/** Decays lr as (1 − t/totalIters)^power, reaching 0 at totalIters. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: SchedulableOptimizer, opts: { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    const o = options(opts, 'PolynomialLR', ['totalIters', 'power']);
    this.totalIters = integer(o, 'totalIters', 'PolynomialLR', 5, 1);
    this.power = inRange(o, 'power', 'PolynomialLR', 1, 0, Infinity);
    this.initialStep();
  }
  protected computeLr(): number[] {
    const { lastEpoch: e, totalIters: T } = this;
    if (e === 0 || e > T) return this.groupLrs();
    const decay = ((1.0 - e / T) / (1.0 - (e - 1) / T)) ** this.power;
    return this.groupLrs().map((lr) => lr * decay);
  }
  protected closedFormLr(): number[] {
    const { lastEpoch: e, totalIters: T } = this;
    return this.baseLrs.map((b) => b * (1.0 - Math.min(T, e) / T) ** this.power);
  }
  protected stateKeys(): string[] {
    return ['totalIters', 'power'];
  }
}

/** lr = initialLr · lrLambda(epoch), one function for all groups or one per group. Functions are not saved in stateDict(). */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(optimizer: SchedulableOptimizer, opts: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] }) {
    super(optimizer);
    const o = options(opts, 'LambdaLR', ['lrLambda']);
    const f = required(o, 'lrLambda', 'LambdaLR');
    const n = this.optimizer.paramGroups.length;
    const list = Array.isArray(f) ? f : Array.from({ length: n }, () => f);
    if (list.length !== n) throw new RangeError(`LambdaLR: lrLambda must be a function or an array of ${n} functions (one per group), got ${list.length}`);
    list.forEach((fn, i) => {
      if (typeof fn !== 'function') throw new TypeError(`LambdaLR: lrLambda${Array.isArray(f) ? `[${i}]` : ''} must be a function, got ${describe(fn)}`);
    });
    this.lambdas = list as ((epoch: number) => number)[];
    this.initialStep();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const factor: unknown = this.lambdas[i](this.lastEpoch);
      const name = `LambdaLR: lrLambda${this.lambdas.length > 1 ? `[${i}]` : ''}(${this.lastEpoch})`;
      return b * checkRange(factor, `${name} (the lr factor)`, 0, Infinity, 'a finite number >= 0');
    });
  }
}
