// OneCycleLR and SequentialLR: schedulers that drive momentum or other
// schedulers as well as lr (PyTorch 1.13 semantics).
import { checkInteger, checkKnownKeys, checkObject, checkRange, describe } from '../errors';
import { checkNoStepArguments, checkRules, LRScheduler, rule, type Rule, type Rules, type SchedulableOptimizer, type SchedulerState } from './base';

/** A number for every group, or an array of one per group, each passing `each`. */
function perGroup(v: unknown, name: string, groups: number, each: Rule): number[] {
  const list = Array.isArray(v) ? v : Array.from({ length: groups }, () => v);
  if (list.length !== groups) throw new RangeError(`${name} must be a number or an array of ${groups} numbers (one per group), got ${list.length}`);
  return list.map((x, i) => each(x, Array.isArray(v) ? `${name}[${i}]` : name) as number);
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

const LR_NAMES = ['initialLrs', 'maxLrs', 'minLrs'] as const;
const MOMENTUM_NAMES = ['maxMomentums', 'baseMomentums'] as const;
const LR: Rule = rule.range(0);
const MOMENTUM: Rule = rule.range(0, 1);
const TOTAL_STEPS: Rule = rule.integer(1);
const ANNEAL: Rule = rule.oneOf(['cos', 'linear'] as const);

/** One phase of a saved state: its fields' kinds and names. */
const PHASE: Rules = {
  endStep: rule.finite,
  startLr: rule.oneOf(LR_NAMES),
  endLr: rule.oneOf(LR_NAMES),
  startMomentum: rule.oneOf(MOMENTUM_NAMES),
  endMomentum: rule.oneOf(MOMENTUM_NAMES),
};

/** OneCycleLR's saved fields: the options' rules, per group where the scheduler keeps one value per group. */
const ONE_CYCLE_STATE: Rules = {
  totalSteps: TOTAL_STEPS,
  annealStrategy: ANNEAL,
  cycleMomentum: rule.flag,
  useBeta1: rule.flag,
  initialLrs: rule.list(LR),
  maxLrs: rule.list(LR),
  minLrs: rule.list(LR),
  maxMomentums: rule.list(MOMENTUM),
  baseMomentums: rule.list(MOMENTUM),
  phases: (v, name) => {
    if (!Array.isArray(v)) throw new TypeError(`${name} must be an array of phases, got ${describe(v)}`);
    return v.map((ph, i) => checkRules(checkObject(ph, `${name}[${i}]`), PHASE, (k) => `${name}[${i}].${k}`));
  },
};

/** Whether a OneCycleLR on this optimizer cycles beta1 (Adam, AdamW) rather than momentum. */
function usesBeta1(optimizer: SchedulableOptimizer): boolean {
  return Array.isArray(optimizer.paramGroups[0].betas);
}

/** cycleMomentum needs a momentum or betas to cycle; `name` names the flag. */
function checkMomentumSource(optimizer: SchedulableOptimizer, cycleMomentum: boolean, name: string): void {
  if (cycleMomentum && !usesBeta1(optimizer) && typeof optimizer.paramGroups[0].momentum !== 'number') {
    throw new RangeError(`${name} needs an optimizer with momentum (SGD, RMSprop) or betas (Adam, AdamW); pass cycleMomentum: false`);
  }
}

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
    super(optimizer);
    // Every option is checked before any group is touched.
    const o = checkObject(opts, 'OneCycleLR options');
    checkKnownKeys(o, 'OneCycleLR', ONE_CYCLE_KEYS);
    const groups = this.optimizer.paramGroups.length;
    const totalSteps = OneCycleLR.totalStepsOf(o);
    const pctStart = checkRange(o.pctStart ?? 0.3, 'OneCycleLR: pctStart', 0, 1);
    const divFactor = checkRange(o.divFactor ?? 25, 'OneCycleLR: divFactor', Number.MIN_VALUE, Infinity, 'a finite number > 0');
    const finalDivFactor = checkRange(o.finalDivFactor ?? 1e4, 'OneCycleLR: finalDivFactor', Number.MIN_VALUE, Infinity, 'a finite number > 0');
    if (o.maxLr === undefined) throw new TypeError('OneCycleLR: option maxLr is required');
    const maxLrs = perGroup(o.maxLr, 'OneCycleLR: maxLr', groups, LR);
    const annealStrategy = ANNEAL(o.annealStrategy ?? 'cos', 'OneCycleLR: annealStrategy') as 'cos' | 'linear';
    const cycleMomentum = rule.flag(o.cycleMomentum ?? true, 'OneCycleLR: cycleMomentum') as boolean;
    const threePhase = rule.flag(o.threePhase ?? false, 'OneCycleLR: threePhase') as boolean;
    const maxMomentums = perGroup(o.maxMomentum ?? 0.95, 'OneCycleLR: maxMomentum', groups, MOMENTUM);
    const baseMomentums = perGroup(o.baseMomentum ?? 0.85, 'OneCycleLR: baseMomentum', groups, MOMENTUM);
    checkMomentumSource(this.optimizer, cycleMomentum, 'OneCycleLR: cycleMomentum');

    this.totalSteps = totalSteps;
    this.annealStrategy = annealStrategy;
    this.cycleMomentum = cycleMomentum;
    this.maxLrs = maxLrs;
    this.phases = OneCycleLR.phasesOf(pctStart, totalSteps, threePhase);
    this.useBeta1 = usesBeta1(this.optimizer);
    this.maxMomentums = maxMomentums;
    this.baseMomentums = baseMomentums;
    // The schedule starts from maxLr/divFactor whatever lr the groups had.
    this.optimizer.paramGroups.forEach((g, i) => (g.initialLr = maxLrs[i] / divFactor));
    this.recordInitialLrs();
    this.initialLrs = [...this.baseLrs];
    this.minLrs = this.initialLrs.map((lr) => lr / finalDivFactor);
    if (this.cycleMomentum) this.setMomentum(this.maxMomentums);
    this.initialStep();
  }

  private static totalStepsOf(o: Record<string, unknown>): number {
    if (o.totalSteps !== undefined) return TOTAL_STEPS(o.totalSteps, 'OneCycleLR: totalSteps') as number;
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

  protected stateRules(): Rules {
    return ONE_CYCLE_STATE;
  }

  protected checkLoadedState(sd: SchedulerState, name: string): void {
    const beta1 = usesBeta1(this.optimizer);
    if (sd.useBeta1 !== beta1) {
      throw new RangeError(`${name}.useBeta1 is ${sd.useBeta1}, but this optimizer has ${beta1 ? 'betas (it cycles beta1)' : 'no betas (it cycles momentum)'}`);
    }
    checkMomentumSource(this.optimizer, sd.cycleMomentum as boolean, `${name}.cycleMomentum`);
    // The phases are those phasesOf builds: the same lr and momentum ends in
    // the same order, the first ending within the schedule, the last at totalSteps - 1.
    const phases = sd.phases as unknown as Phase[];
    const total = sd.totalSteps as number;
    const layout = OneCycleLR.phasesOf(0, total, phases.length === 3);
    if (phases.length !== 2 && phases.length !== 3) throw new RangeError(`${name}.phases must have 2 or 3 entries, got ${phases.length}`);
    phases.forEach((ph, i) => {
      for (const k of ['startLr', 'endLr', 'startMomentum', 'endMomentum'] as const) {
        if (ph[k] !== layout[i][k]) throw new RangeError(`${name}.phases[${i}].${k} must be '${layout[i][k]}', got ${describe(ph[k])}`);
      }
    });
    const first = phases[0].endStep, last = phases[phases.length - 1].endStep;
    if (first < -1 || first > total - 1) throw new RangeError(`${name}.phases[0].endStep must be in [-1, ${total - 1}] (pctStart · totalSteps − 1), got ${first}`);
    if (phases.length === 3 && phases[1].endStep !== 2 * first) throw new RangeError(`${name}.phases[1].endStep must be ${2 * first} (twice phases[0].endStep), got ${phases[1].endStep}`);
    if (last !== total - 1) throw new RangeError(`${name}.phases[${phases.length - 1}].endStep must be ${total - 1} (totalSteps − 1), got ${last}`);
  }
}

/** SequentialLR's milestones: increasing integers >= 1, one fewer than the schedulers. */
function sequentialMilestones(schedulers: number): Rule {
  return (m, name) => {
    if (!Array.isArray(m)) throw new TypeError(`${name} must be an array of integers, got ${describe(m)}`);
    if (m.length !== schedulers - 1) throw new RangeError(`${name} must have ${schedulers - 1} entries (one fewer than schedulers), got ${m.length}`);
    m.forEach((x, i) => {
      checkInteger(x, `${name}[${i}]`, 1);
      if (i > 0 && x <= m[i - 1]) throw new RangeError(`${name} must be increasing, got ${m.join(', ')}`);
    });
    return [...m];
  };
}

/** Runs schedulers one after another, switching at each milestone (e.g. warmup, then decay). */
export class SequentialLR extends LRScheduler {
  private readonly schedulers: LRScheduler[];
  milestones: number[];

  constructor(optimizer: SchedulableOptimizer, opts: { schedulers: LRScheduler[]; milestones: number[] }) {
    super(optimizer);
    const o = checkObject(opts, 'SequentialLR options');
    checkKnownKeys(o, 'SequentialLR', ['schedulers', 'milestones']);
    const s = o.schedulers;
    if (!Array.isArray(s) || s.length === 0) throw new TypeError(`SequentialLR: schedulers must be a non-empty array of schedulers, got ${describe(s)}`);
    s.forEach((x, i) => {
      if (!(x instanceof LRScheduler)) throw new TypeError(`SequentialLR: schedulers[${i}] must be a learning-rate scheduler, got ${describe(x)}`);
      if (x.optimizer !== optimizer) throw new RangeError(`SequentialLR: schedulers[${i}] drives another optimizer; every scheduler must drive this one`);
    });
    const m = sequentialMilestones(s.length)(o.milestones, 'SequentialLR: milestones') as number[];
    this.schedulers = s;
    this.milestones = m;
    this.recordInitialLrs();
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

  protected stateRules(): Rules {
    return { milestones: sequentialMilestones(this.schedulers.length) };
  }

  stateDict(): SchedulerState {
    return { ...super.stateDict(), schedulers: this.schedulers.map((s) => s.stateDict()) };
  }

  /** @internal Checks every scheduler's state too, before any is loaded. */
  _checkState(sd: unknown, name: string): SchedulerState {
    const s = super._checkState(sd, name);
    s.schedulers = (s.schedulers as SchedulerState[]).map((x, i) => this.schedulers[i]._checkState(x, `${name}.schedulers[${i}]`));
    return s;
  }

  protected assignState(sd: SchedulerState): void {
    const { schedulers, ...own } = sd;
    super.assignState(own);
    (schedulers as SchedulerState[]).forEach((x, i) => this.schedulers[i]._assignState(x));
  }
}
