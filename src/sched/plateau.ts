// ReduceLROnPlateau: cuts lr by `factor` once a metric has stopped improving
// for more than `patience` steps, with PyTorch 1.13's counting of patience and
// cooldown. One deliberate difference: in 'rel' mode the improvement margin
// is threshold·|best|, so negative metrics behave like positive ones.
import { checkInteger, checkKnownKeys, checkObject, checkOneOf, checkRange, describe } from '../errors';
import { checkOptimizer, checkStateLike, cloneState, SchedulableOptimizer, SchedulerState } from './base';

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
    this.mode = checkOneOf(o.mode ?? 'min', 'ReduceLROnPlateau: mode', ['min', 'max'] as const);
    this.factor = checkRange(o.factor ?? 0.1, 'ReduceLROnPlateau: factor', 0, 1, 'a number in [0, 1)');
    if (this.factor >= 1) throw new RangeError(`ReduceLROnPlateau: factor must be a number in [0, 1), got ${this.factor}`);
    this.patience = checkInteger(o.patience ?? 10, 'ReduceLROnPlateau: patience', 0);
    this.threshold = checkRange(o.threshold ?? 1e-4, 'ReduceLROnPlateau: threshold', 0);
    this.thresholdMode = checkOneOf(o.thresholdMode ?? 'rel', 'ReduceLROnPlateau: thresholdMode', ['rel', 'abs'] as const);
    this.cooldown = checkInteger(o.cooldown ?? 0, 'ReduceLROnPlateau: cooldown', 0);
    const minLr = o.minLr ?? 0;
    const list = Array.isArray(minLr) ? minLr : Array.from({ length: n }, () => minLr);
    if (list.length !== n) throw new RangeError(`ReduceLROnPlateau: minLr must be a number or an array of ${n} numbers (one per group), got ${list.length}`);
    this.minLrs = list.map((x, i) => checkRange(x, Array.isArray(minLr) ? `ReduceLROnPlateau: minLr[${i}]` : 'ReduceLROnPlateau: minLr', 0));
    this.eps = checkRange(o.eps ?? 1e-8, 'ReduceLROnPlateau: eps', 0);
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

  loadStateDict(sd: SchedulerState): void {
    const s = cloneState(checkStateLike(sd, this.stateDict(), 'stateDict'));
    checkOneOf(s.mode, 'stateDict.mode', ['min', 'max'] as const);
    checkOneOf(s.thresholdMode, 'stateDict.thresholdMode', ['rel', 'abs'] as const);
    if (typeof s.best !== 'number') throw new TypeError(`stateDict.best must be a number, got ${describe(s.best)}`);
    Object.assign(this, s);
  }
}
