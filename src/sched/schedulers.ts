// The epoch-driven schedulers, each the recursive form of PyTorch 1.13's
// torch.optim.lr_scheduler (same operation order, so the lrs agree with
// PyTorch's to the last bit or two), plus the closed form SequentialLR uses
// when it restarts a scheduler at a milestone.
import { checkInteger, checkRange, describe } from '../errors';
import { checkNoStepArguments, checkOptions, LRScheduler, rule, type Rule, type Rules, type SchedulableOptimizer, type SchedulerState, type SchedulerStateValue } from './base';

/** Integers >= 0, returned sorted (a milestone listed twice counts twice). */
const milestones: Rule = (v, name) => {
  if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of integers, got ${describe(v)}`);
  return v.map((x, i) => checkInteger(x, `${name}[${i}]`, 0)).sort((a, b) => a - b);
};

// Each scheduler's fields: the constructor's options and loadStateDict's state go through these.
const STEP: Rules = { stepSize: rule.integer(1), gamma: rule.range(0) };
const MULTI_STEP: Rules = { milestones, gamma: rule.range(0) };
// factor 0 would divide by zero when the schedule ends (PyTorch raises there too).
const CONSTANT: Rules = { factor: rule.range(Number.MIN_VALUE, 1, 'a number in (0, 1]'), totalIters: rule.integer(0) };
// startFactor 0 divides by zero on the second step (PyTorch 2 rejects it too).
const LINEAR: Rules = { startFactor: rule.range(Number.MIN_VALUE, 1, 'a number in (0, 1]'), endFactor: rule.range(0, 1), totalIters: rule.integer(1) };
const EXPONENTIAL: Rules = { gamma: rule.range(0) };
const COSINE: Rules = { tMax: rule.integer(1), etaMin: rule.finite };
const WARM_RESTARTS: Rules = { t0: rule.integer(1), tMult: rule.integer(1), etaMin: rule.finite };
/** Plus the position in the current cycle, saved in the state. */
const WARM_RESTARTS_STATE: Rules = { ...WARM_RESTARTS, tI: rule.range(1), tCur: rule.range(0) };
const POLYNOMIAL: Rules = { totalIters: rule.integer(1), power: rule.range(0) };

/** Decays lr by gamma every stepSize steps. */
export class StepLR extends LRScheduler {
  stepSize: number;
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { stepSize: number; gamma?: number }) {
    super(optimizer);
    const v = checkOptions(opts, 'StepLR', STEP, { gamma: 0.1 });
    this.stepSize = v.stepSize as number;
    this.gamma = v.gamma as number;
    this.start();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** Math.floor(this.lastEpoch / this.stepSize));
  }
  protected stateRules(): Rules {
    return STEP;
  }
}

/** Decays lr by gamma at each milestone (a milestone listed twice decays twice). */
export class MultiStepLR extends LRScheduler {
  milestones: number[];
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { milestones: number[]; gamma?: number }) {
    super(optimizer);
    const v = checkOptions(opts, 'MultiStepLR', MULTI_STEP, { gamma: 0.1 });
    this.milestones = v.milestones as number[];
    this.gamma = v.gamma as number;
    this.start();
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
  protected stateRules(): Rules {
    return MULTI_STEP;
  }
}

/** Multiplies lr by factor for the first totalIters steps. */
export class ConstantLR extends LRScheduler {
  factor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: { factor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const v = checkOptions(opts, 'ConstantLR', CONSTANT, { factor: 1 / 3, totalIters: 5 });
    this.factor = v.factor as number;
    this.totalIters = v.totalIters as number;
    this.start();
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
  protected stateRules(): Rules {
    return CONSTANT;
  }
}

/** Moves the lr factor linearly from startFactor to endFactor over totalIters steps. */
export class LinearLR extends LRScheduler {
  startFactor: number;
  endFactor: number;
  totalIters: number;
  constructor(optimizer: SchedulableOptimizer, opts: { startFactor?: number; endFactor?: number; totalIters?: number } = {}) {
    super(optimizer);
    const v = checkOptions(opts, 'LinearLR', LINEAR, { startFactor: 1 / 3, endFactor: 1, totalIters: 5 });
    this.startFactor = v.startFactor as number;
    this.endFactor = v.endFactor as number;
    this.totalIters = v.totalIters as number;
    this.start();
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
  protected stateRules(): Rules {
    return LINEAR;
  }
}

/** Multiplies lr by gamma every step. */
export class ExponentialLR extends LRScheduler {
  gamma: number;
  constructor(optimizer: SchedulableOptimizer, opts: { gamma: number }) {
    super(optimizer);
    this.gamma = checkOptions(opts, 'ExponentialLR', EXPONENTIAL).gamma as number;
    this.start();
  }
  protected computeLr(): number[] {
    if (this.lastEpoch === 0) return this.groupLrs();
    return this.groupLrs().map((lr) => lr * this.gamma);
  }
  protected closedFormLr(): number[] {
    return this.baseLrs.map((b) => b * this.gamma ** this.lastEpoch);
  }
  protected stateRules(): Rules {
    return EXPONENTIAL;
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
    const v = checkOptions(opts, 'CosineAnnealingLR', COSINE, { etaMin: 0 });
    this.tMax = v.tMax as number;
    this.etaMin = v.etaMin as number;
    this.start();
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
  protected stateRules(): Rules {
    return COSINE;
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
    const v = checkOptions(opts, 'CosineAnnealingWarmRestarts', WARM_RESTARTS, { tMult: 1, etaMin: 0 });
    this.t0 = v.t0 as number;
    this.tMult = v.tMult as number;
    this.etaMin = v.etaMin as number;
    this.tI = this.t0;
    this.tCur = -1;
    this.start();
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
  protected stateRules(): Rules {
    return WARM_RESTARTS_STATE;
  }
  protected checkLoadedState(sd: SchedulerState, name: string): void {
    // The cycle length only grows from t0, and a step wraps tCur around before it reaches tI.
    if ((sd.tI as number) < (sd.t0 as number)) throw new RangeError(`${name}.tI must be >= t0 (${sd.t0}), got ${sd.tI}`);
    if ((sd.tCur as number) >= (sd.tI as number)) throw new RangeError(`${name}.tCur must be less than tI (${sd.tI}), got ${sd.tCur}`);
  }
}

/** Decays lr as (1 − t/totalIters)^power, reaching 0 at totalIters. */
export class PolynomialLR extends LRScheduler {
  totalIters: number;
  power: number;
  constructor(optimizer: SchedulableOptimizer, opts: { totalIters?: number; power?: number } = {}) {
    super(optimizer);
    const v = checkOptions(opts, 'PolynomialLR', POLYNOMIAL, { totalIters: 5, power: 1 });
    this.totalIters = v.totalIters as number;
    this.power = v.power as number;
    this.start();
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
  protected stateRules(): Rules {
    return POLYNOMIAL;
  }
}

/** lr = initialLr · lrLambda(epoch), one function for all groups or one per group. Functions are not saved in stateDict(). */
export class LambdaLR extends LRScheduler {
  private readonly lambdas: ((epoch: number) => number)[];
  constructor(optimizer: SchedulableOptimizer, opts: { lrLambda: ((epoch: number) => number) | ((epoch: number) => number)[] }) {
    super(optimizer);
    const o = checkOptions(opts, 'LambdaLR', { lrLambda: (v) => v as SchedulerStateValue });
    const f = o.lrLambda as unknown;
    const n = this.optimizer.paramGroups.length;
    const list = Array.isArray(f) ? f : Array.from({ length: n }, () => f);
    if (list.length !== n) throw new RangeError(`LambdaLR: lrLambda must be a function or an array of ${n} functions (one per group), got ${list.length}`);
    list.forEach((fn, i) => {
      if (typeof fn !== 'function') throw new TypeError(`LambdaLR: lrLambda${Array.isArray(f) ? `[${i}]` : ''} must be a function, got ${describe(fn)}`);
    });
    this.lambdas = list as ((epoch: number) => number)[];
    this.start();
  }
  protected computeLr(): number[] {
    return this.baseLrs.map((b, i) => {
      const factor: unknown = this.lambdas[i](this.lastEpoch);
      const name = `LambdaLR: lrLambda${this.lambdas.length > 1 ? `[${i}]` : ''}(${this.lastEpoch})`;
      return b * checkRange(factor, `${name} (the lr factor)`, 0, Infinity, 'a finite number >= 0');
    });
  }
}
