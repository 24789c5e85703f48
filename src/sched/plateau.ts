// ReduceLROnPlateau: cuts lr by `factor` once a metric has stopped improving
// for more than `patience` steps, with PyTorch 1.13's counting of patience and
// cooldown. One deliberate difference: in 'rel' mode the improvement margin
// is threshold·|best|, so negative metrics behave like positive ones.
import { checkKnownKeys, checkObject, checkRange, describe } from '../errors';
import { checkOptimizer, checkRules, checkStateLike, cloneState, rule, type Rule, type Rules, type SchedulableOptimizer, type SchedulerState } from './base';

export interface ReduceLROnPlateauOptions {
  mode?: 'min' | 'max';
  factor?: number;
  patience?: number;
  threshold?: number;
  thresholdMode?: 'rel' | 'abs';
  cooldown?: number;
  minLr?: number | number[];
  eps?: number;
}

const KEYS = ['mode', 'factor', 'patience', 'threshold', 'thresholdMode', 'cooldown', 'minLr', 'eps'];

const MIN_LR: Rule = rule.range(0);

/** The options kept as they are given (minLr becomes minLrs, one per group); a loaded state goes through the same rules. */
const RULES: Rules = {
  mode: rule.oneOf(['min', 'max'] as const),
  factor: (v, name) => {
    const f = checkRange(v, name, 0, 1, 'a number in [0, 1)');
    if (f >= 1) throw new RangeError(`${name} must be a number in [0, 1), got ${f}`);
    return f;
  },
  patience: rule.integer(0),
  threshold: rule.range(0),
  thresholdMode: rule.oneOf(['rel', 'abs'] as const),
  cooldown: rule.integer(0),
  eps: rule.range(0),
};

const DEFAULTS = { mode: 'min', factor: 0.1, patience: 10, threshold: 1e-4, thresholdMode: 'rel', cooldown: 0, eps: 1e-8 };

/** The rest of a saved state. best is ±Infinity before the first metric. */
const STATE_RULES: Rules = {
  ...RULES,
  minLrs: rule.list(MIN_LR),
  best: rule.number,
  numBadEpochs: rule.integer(0),
  cooldownCounter: rule.integer(0),
  lastEpoch: rule.integer(0),
  lastLr: rule.list(rule.finite),
};

export class ReduceLROnPlateau {
  readonly optimizer: SchedulableOptimizer;
  mode: 'min' | 'max';
  factor: number;
  patience: number;
  threshold: number;
  thresholdMode: 'rel' | 'abs';
  cooldown: number;
  minLrs: number[];
  eps: number;
  /** The best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number[];

  constructor(optimizer: SchedulableOptimizer, opts: ReduceLROnPlateauOptions = {}) {
    this.optimizer = checkOptimizer(optimizer);
    const o = checkObject(opts, 'ReduceLROnPlateau options');
    checkKnownKeys(o, 'ReduceLROnPlateau', KEYS);
    const n = this.optimizer.paramGroups.length;
    const given: Record<string, unknown> = { ...DEFAULTS };
    for (const k of Object.keys(RULES)) if (o[k] !== undefined) given[k] = o[k];
    const v = checkRules(given, RULES, (k) => `ReduceLROnPlateau: ${k}`);
    const minLr = o.minLr ?? 0;
    const list = Array.isArray(minLr) ? minLr : Array.from({ length: n }, () => minLr);
    if (list.length !== n) throw new RangeError(`ReduceLROnPlateau: minLr must be a number or an array of ${n} numbers (one per group), got ${list.length}`);
    this.minLrs = list.map((x, i) => MIN_LR(x, Array.isArray(minLr) ? `ReduceLROnPlateau: minLr[${i}]` : 'ReduceLROnPlateau: minLr') as number);
    this.mode = v.mode as 'min' | 'max';
    this.factor = v.factor as number;
    this.patience = v.patience as number;
    this.threshold = v.threshold as number;
    this.thresholdMode = v.thresholdMode as 'rel' | 'abs';
    this.cooldown = v.cooldown as number;
    this.eps = v.eps as number;
    this.best = this.worst();
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Whether `a` improves on `best` by more than the threshold. */
  isBetter(a: number, best: number): boolean {
    // Before the first metric best is ±Infinity and any number improves on it.
    const margin = this.thresholdMode === 'abs' ? this.threshold : Number.isFinite(best) ? this.threshold * Math.abs(best) : 0;
    return this.mode === 'min' ? a < best - margin : a > best + margin;
  }

  /** Records one epoch's metric (a NaN counts as no improvement) and cuts lr when it has plateaued. */
  step(metric: number): void {
    if (typeof metric !== 'number') throw new TypeError(`metric must be a number, got ${describe(metric)}`);
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.cooldownCounter > 0) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs in cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  private reduceLr(): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      const newLr = Math.max(g.lr * this.factor, this.minLrs[i]);
      if (g.lr - newLr > this.eps) g.lr = newLr;
    });
  }

  /** The lr of each group after the last step (the current lrs before any). */
  getLastLr(): number[] {
    return [...this.lastLr];
  }

  stateDict(): SchedulerState {
    const { mode, factor, patience, threshold, thresholdMode, cooldown, minLrs, eps, best, numBadEpochs, cooldownCounter, lastEpoch, lastLr } = this;
    return cloneState({ mode, factor, patience, threshold, thresholdMode, cooldown, minLrs, eps, best, numBadEpochs, cooldownCounter, lastEpoch, lastLr });
  }

  /** Restores a state from stateDict(), checked by the constructor's rules first: on error nothing changes. */
  loadStateDict(sd: SchedulerState): void {
    const s = cloneState(checkStateLike(sd, this.stateDict(), 'stateDict'));
    Object.assign(this, checkRules(s, STATE_RULES, (k) => `stateDict.${k}`));
  }
}
