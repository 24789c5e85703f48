// OneCycleLR and SequentialLR: schedulers that drive momentum or other
// schedulers as well as lr (PyTorch 1.13 semantics).
import { checkBoolean, checkInteger, checkKnownKeys, checkObject, checkOneOf, checkRange, describe } from '../errors';
import { checkNoStepArguments, LRScheduler, SchedulableOptimizer, SchedulerState } from './base';

function perGroup(v: unknown, name: string, groups: number, lo: number, hi = Infinity): number[] {
  const list = Array.isArray(v) ? v : Array.from({ length: groups }, () => v);
  if (list.length !== groups) throw new RangeError(`${name} must be a number or an array of ${groups} numbers (one per group), got ${list.length}`);
  return list.map((x, i) => checkRange(x, Array.isArray(v) ? `${name}[${i}]` : name, lo, hi));
}

interface Phase {
  endStep: number;
  startLr: 'initialLrs' | 'maxLrs' | 'minLrs';
  endLr: 'initialLrs' | 'maxLrs' | 'minLrs';
  startMomentum: 'maxMomentums' | 'baseMomentums';
  endMomentum: 'maxMomentums' | 'baseMomentums';
}

export interface OneCycleOptions {
  maxLr: number | number[];
  totalSteps?: number;
  epochs?: number;
  stepsPerEpoch?: number;
  pctStart?: number;
  annealStrategy?: 'cos' | 'linear';
  cycleMomentum?: boolean;
  baseMomentum?: number | number[];
  maxMomentum?: number | number[];
  divFactor?: number;
  finalDivFactor?: number;
  threePhase?: boolean;
}

const ONE_CYCLE_KEYS = ['maxLr', 'totalSteps', 'epochs', 'stepsPerEpoch', 'pctStart', 'annealStrategy', 'cycleMomentum', 'baseMomentum', 'maxMomentum', 'divFactor', 'finalDivFactor', 'threePhase'];

/**
 * The 1cycle policy: lr rises from maxLr/divFactor to maxLr over pctStart of
 * totalSteps, then anneals to initialLr/finalDivFactor, while momentum (SGD,
 * RMSprop) or beta1 (Adam, AdamW) moves the opposite way. Stepping past
 * totalSteps is a RangeError. Per-group maxLr/minLr/momentum bounds live in
 * the scheduler (PyTorch stores them on the groups); only initialLr goes there.
 */
export class OneCycleLR extends LRScheduler {
  totalSteps: number;
  annealStrategy: 'cos' | 'linear';
  cycleMomentum: boolean;
  useBeta1: boolean;
  initialLrs: number[];
  maxLrs: number[];
  minLrs: number[];
  maxMomentums: number[];
  baseMomentums: number[];
  private readonly phases: Phase[];

  constructor(optimizer: SchedulableOptimizer, opts: OneCycleOptions) {
    const o = checkObject(opts, 'OneCycleLR options');
    checkKnownKeys(o, 'OneCycleLR', ONE_CYCLE_KEYS);
    const groups = (checkObject(optimizer, 'optimizer').paramGroups as unknown[] | undefined)?.length ?? 0;
    const totalSteps = OneCycleLR.totalStepsOf(o);
    const pctStart = checkRange(o.pctStart ?? 0.3, 'OneCycleLR: pctStart', 0, 1);
    const divFactor = checkRange(o.divFactor ?? 25, 'OneCycleLR: divFactor', Number.MIN_VALUE, Infinity, 'a finite number > 0');
    const finalDivFactor = checkRange(o.finalDivFactor ?? 1e4, 'OneCycleLR: finalDivFactor', Number.MIN_VALUE, Infinity, 'a finite number > 0');
    if (o.maxLr === undefined) throw new TypeError('OneCycleLR: option maxLr is required');
    const maxLrs = perGroup(o.maxLr, 'OneCycleLR: maxLr', groups, 0);
    // The schedule starts from maxLr/divFactor whatever lr the groups had.
    (optimizer.paramGroups ?? []).forEach((g, i) => (g.initialLr = maxLrs[i] / divFactor));
    super(optimizer);
    this.totalSteps = totalSteps;
    this.annealStrategy = checkOneOf(o.annealStrategy ?? 'cos', 'OneCycleLR: annealStrategy', ['cos', 'linear'] as const);
    this.cycleMomentum = checkBoolean(o.cycleMomentum ?? true, 'OneCycleLR: cycleMomentum');
    this.maxLrs = maxLrs;
    this.initialLrs = [...this.baseLrs];
    this.minLrs = this.initialLrs.map((lr) => lr / finalDivFactor);
    this.phases = OneCycleLR.phasesOf(pctStart, totalSteps, checkBoolean(o.threePhase ?? false, 'OneCycleLR: threePhase'));
    const g0 = this.optimizer.paramGroups[0];
    this.useBeta1 = Array.isArray(g0.betas);
    this.maxMomentums = perGroup(o.maxMomentum ?? 0.95, 'OneCycleLR: maxMomentum', groups, 0, 1);
    this.baseMomentums = perGroup(o.baseMomentum ?? 0.85, 'OneCycleLR: baseMomentum', groups, 0, 1);
    if (this.cycleMomentum) {
      if (!this.useBeta1 && typeof g0.momentum !== 'number') {
        throw new RangeError('OneCycleLR: cycleMomentum needs an optimizer with momentum (SGD, RMSprop) or betas (Adam, AdamW); pass cycleMomentum: false');
      }
      this.setMomentum(this.maxMomentums);
    }
    this.initialStep();
  }

  private static totalStepsOf(o: Record<string, unknown>): number {
    if (o.totalSteps !== undefined) return checkInteger(o.totalSteps, 'OneCycleLR: totalSteps', 1);
    if (o.epochs === undefined || o.stepsPerEpoch === undefined) {
      throw new TypeError('OneCycleLR: give either totalSteps or both epochs and stepsPerEpoch');
    }
    return checkInteger(o.epochs, 'OneCycleLR: epochs', 1) * checkInteger(o.stepsPerEpoch, 'OneCycleLR: stepsPerEpoch', 1);
  }

  private static phasesOf(pct: number, total: number, threePhase: boolean): Phase[] {
    const up: Phase = { endStep: pct * total - 1, startLr: 'initialLrs', endLr: 'maxLrs', startMomentum: 'maxMomentums', endMomentum: 'baseMomentums' };
    if (!threePhase) return [up, { endStep: total - 1, startLr: 'maxLrs', endLr: 'minLrs', startMomentum: 'baseMomentums', endMomentum: 'maxMomentums' }];
    return [
      up,
      { endStep: 2 * pct * total - 2, startLr: 'maxLrs', endLr: 'initialLrs', startMomentum: 'baseMomentums', endMomentum: 'maxMomentums' },
      { endStep: total - 1, startLr: 'initialLrs', endLr: 'minLrs', startMomentum: 'maxMomentums', endMomentum: 'maxMomentums' },
    ];
  }

  private anneal(start: number, end: number, pct: number): number {
    if (this.annealStrategy === 'linear') return (end - start) * pct + start;
    const cosOut = Math.cos(Math.PI * pct) + 1;
    return end + ((start - end) / 2.0) * cosOut;
  }

  private setMomentum(values: number[]): void {
    this.optimizer.paramGroups.forEach((g, i) => {
      if (this.useBeta1) g.betas = [values[i], ...(g.betas as number[]).slice(1)];
      else g.momentum = values[i];
    });
  }

  step(): void {
    checkNoStepArguments(this, arguments.length);
    if (this.lastEpoch + 1 > this.totalSteps) {
      throw new RangeError(`OneCycleLR: tried to step ${this.lastEpoch + 2} times; totalSteps is ${this.totalSteps}`);
    }
    super.step();
  }

  protected computeLr(): number[] {
    const step = this.lastEpoch;
    const lrs: number[] = [];
    const momenta: number[] = [];
    for (let gi = 0; gi < this.optimizer.paramGroups.length; gi++) {
      let start = 0;
      for (let i = 0; i < this.phases.length; i++) {
        const ph = this.phases[i];
        if (step <= ph.endStep || i === this.phases.length - 1) {
          const pct = (step - start) / (ph.endStep - start);
          lrs.push(this.anneal(this[ph.startLr][gi], this[ph.endLr][gi], pct));
          momenta.push(this.anneal(this[ph.startMomentum][gi], this[ph.endMomentum][gi], pct));
          break;
        }
        start = ph.endStep;
      }
    }
    if (this.cycleMomentum) this.setMomentum(momenta);
    return lrs;
  }

  protected stateKeys(): string[] {
    return ['totalSteps', 'annealStrategy', 'cycleMomentum', 'useBeta1', 'initialLrs', 'maxLrs', 'minLrs', 'maxMomentums', 'baseMomentums', 'phases'];
  }
}

/** Runs schedulers one after another, switching at each milestone (e.g. warmup, then decay). */
export class SequentialLR extends LRScheduler {
  private readonly schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: SchedulableOptimizer, opts: { schedulers: LRScheduler[]; milestones: number[] }) {
    super(optimizer);
    const o = checkObject(opts, 'SequentialLR options');
    checkKnownKeys(o, 'SequentialLR', ['schedulers', 'milestones']);
    const s = o.schedulers, m = o.milestones;
    if (!Array.isArray(s) || s.length === 0) throw new TypeError(`SequentialLR: schedulers must be a non-empty array of schedulers, got ${describe(s)}`);
    s.forEach((x, i) => {
      if (!(x instanceof LRScheduler)) throw new TypeError(`SequentialLR: schedulers[${i}] must be a learning-rate scheduler, got ${describe(x)}`);
      if (x.optimizer !== optimizer) throw new RangeError(`SequentialLR: schedulers[${i}] drives another optimizer; every scheduler must drive this one`);
    });
    if (!Array.isArray(m)) throw new TypeError(`SequentialLR: milestones must be an array of integers, got ${describe(m)}`);
    if (m.length !== s.length - 1) throw new RangeError(`SequentialLR: milestones must have ${s.length - 1} entries (one fewer than schedulers), got ${m.length}`);
    m.forEach((x, i) => {
      checkInteger(x, `SequentialLR: milestones[${i}]`, 1);
      if (i > 0 && x <= m[i - 1]) throw new RangeError(`SequentialLR: milestones must be increasing, got ${m.join(', ')}`);
    });
    this.schedulers = s;
    this.milestones = [...m];
    // As PyTorch: back to the initial lrs, undo each scheduler's first step, and restart the first one.
    for (const g of this.optimizer.paramGroups) g.lr = g.initialLr as number;
    for (const x of s) x.lastEpoch -= 1;
    this.lastEpoch = 0;
    (s[0] as unknown as { initialStep(): void }).initialStep();
    this.lastLr = s[0].getLastLr();
  }

  protected computeLr(): number[] {
    return this.groupLrs();
  }

  step(): void {
    checkNoStepArguments(this, arguments.length);
    this.lastEpoch++;
    const idx = this.milestones.filter((x) => x <= this.lastEpoch).length;
    const s = this.schedulers[idx];
    if (idx > 0 && this.milestones[idx - 1] === this.lastEpoch) s._stepAt(0);
    else s.step();
    this.lastLr = s.getLastLr();
  }

  protected stateKeys(): string[] {
    return ['milestones'];
  }

  stateDict(): SchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  protected assignState(sd: SchedulerState): void {
    const { schedulers, ...own } = sd;
    super.assignState(own);
    (schedulers as SchedulerState[]).forEach((x, i) => this.schedulers[i].loadStateDict(x));
  }
}
