// Learning-rate schedulers: full lr (and momentum) sequences against PyTorch,
// state round trips, option validation, and the deliberate ReduceLROnPlateau
// difference for negative metrics.
import { describe, it, expect } from 'vitest';
import { lrScheduler } from '../src';
import { loadGolden } from './golden';

type Group = { params: unknown[]; lr: number; momentum?: number; betas?: number[]; initialLr?: number };
type Opt = { paramGroups: Group[] };
type Sched = lrScheduler.LRScheduler | lrScheduler.ReduceLROnPlateau;

// A stand-in with the optimizers' paramGroups shape (schedulers touch nothing else).
function optimizer(kind: 'sgd' | 'adam', lrs: number[]): Opt {
  return { paramGroups: lrs.map((lr) => (kind === 'sgd' ? { params: [], lr, momentum: 0.9 } : { params: [], lr, betas: [0.9, 0.999] })) };
}

const LAMBDAS: Record<string, (e: number) => number> = {
  pow095: (e) => 0.95 ** e,
  inv: (e) => 1.0 / (e + 1),
  warm4: (e) => Math.min(1.0, (e + 1) / 4),
};

function build(opt: Opt, type: string, options: any): Sched {
  const S = lrScheduler as any;
  if (type === 'LambdaLR') return new S.LambdaLR(opt, { lrLambda: LAMBDAS[options.lrLambda] });
  if (type === 'SequentialLR') {
    const schedulers = options.schedulers.map((s: any) => build(opt, s.type, s.options));
    return new S.SequentialLR(opt, { schedulers, milestones: options.milestones });
  }
  return new S[type](opt, options);
}

// 1e-12 relative: the lrs are double-precision recurrences with the same
// operation order as PyTorch's; the only differences come from Math.cos and
// ** versus the C library's cos and pow, which may differ in the last bit.
function expectClose(actual: number[], expected: number[], what: string): void {
  expect(actual.length, what).toBe(expected.length);
  actual.forEach((a, i) => {
    const e = expected[i];
    const ok = a === e || Math.abs(a - e) <= 1e-12 * Math.abs(e);
    if (!ok) expect.fail(`${what}[${i}]: ${a} vs PyTorch ${e}`);
  });
}

const fixtures = loadGolden('sched').cases as any[];

describe('lrScheduler matches PyTorch 1.13', () => {
  for (const c of fixtures) {
    it(`${c.name}: ${c.lrs.length - 1} steps`, () => {
      const opt = optimizer(c.optimizer, c.groups.map((g: any) => g.lr));
      const s = build(opt, c.type, c.options);
      const momentum = () => opt.paramGroups.map((g) => (c.optimizer === 'adam' ? g.betas![0] : g.momentum!));
      expectClose(opt.paramGroups.map((g) => g.lr), c.lrs[0], 'lr at creation');
      if (c.momenta) expectClose(momentum(), c.momenta[0], 'momentum at creation');
      for (let t = 1; t < c.lrs.length; t++) {
        if (s instanceof lrScheduler.ReduceLROnPlateau) s.step(c.metrics[t - 1]);
        else s.step();
        expectClose(opt.paramGroups.map((g) => g.lr), c.lrs[t], `lr after step ${t}`);
        expectClose(s.getLastLr(), c.lrs[t], `getLastLr() after step ${t}`);
        if (c.momenta) expectClose(momentum(), c.momenta[t], `momentum after step ${t}`);
      }
      if (c.stepPastEndRaises) {
        const before = s.stateDict();
        expect(() => s.step()).toThrow(RangeError);
        expect(s.stateDict(), 'a refused step changes nothing').toEqual(before);
      }
    });
  }

  it('the fixtures run every scheduler past its period', () => {
    const types = new Set(fixtures.map((c) => c.type));
    for (const t of ['StepLR', 'MultiStepLR', 'ExponentialLR', 'CosineAnnealingLR', 'CosineAnnealingWarmRestarts', 'LinearLR', 'ConstantLR', 'PolynomialLR', 'OneCycleLR', 'LambdaLR', 'SequentialLR', 'ReduceLROnPlateau']) {
      expect(types.has(t), t).toBe(true);
    }
    const cos = fixtures.find((c) => c.type === 'CosineAnnealingLR');
    expect(cos.lrs.length - 1).toBeGreaterThan(2 * cos.options.tMax);
  });
});

describe('lrScheduler behaviour', () => {
  it('CosineAnnealingLR keeps cycling past tMax (recursive form, no clamping)', () => {
    const opt = optimizer('sgd', [1]);
    const s = new lrScheduler.CosineAnnealingLR(opt, { tMax: 4 });
    const lrs = [opt.paramGroups[0].lr];
    for (let i = 0; i < 8; i++) {
      s.step();
      lrs.push(opt.paramGroups[0].lr);
    }
    expect(lrs[4]).toBe(0);
    expect(lrs[6]).toBeCloseTo(0.5, 12);
    expect(lrs[8]).toBeCloseTo(1, 12);
  });

  it('creation records initialLr on each group once', () => {
    const opt = optimizer('sgd', [0.5, 0.2]);
    new lrScheduler.StepLR(opt, { stepSize: 2 });
    expect(opt.paramGroups.map((g) => g.initialLr)).toEqual([0.5, 0.2]);
    opt.paramGroups[0].lr = 9;
    new lrScheduler.ExponentialLR(opt, { gamma: 0.5 });
    expect(opt.paramGroups[0].initialLr).toBe(0.5);
  });

  it('OneCycleLR cycles Adam beta1 and keeps beta2', () => {
    const opt = optimizer('adam', [0.001]);
    const s = new lrScheduler.OneCycleLR(opt, { maxLr: 0.01, totalSteps: 10 });
    expect(opt.paramGroups[0].betas).toEqual([0.95, 0.999]);
    for (let i = 0; i < 3; i++) s.step();
    expect(opt.paramGroups[0].betas![0]).toBeLessThan(0.95);
    expect(opt.paramGroups[0].betas![1]).toBe(0.999);
  });

  it('OneCycleLR refuses an optimizer without momentum unless cycleMomentum is false', () => {
    const opt = { paramGroups: [{ params: [], lr: 0.1 }] };
    expect(() => new lrScheduler.OneCycleLR(opt, { maxLr: 1, totalSteps: 5 })).toThrow(/cycleMomentum/);
    expect(() => new lrScheduler.OneCycleLR(opt, { maxLr: 1, totalSteps: 5, cycleMomentum: false })).not.toThrow();
  });

  it('ReduceLROnPlateau rel mode: a worse negative metric is not an improvement (unlike PyTorch)', () => {
    const opt = optimizer('sgd', [1]);
    const s = new lrScheduler.ReduceLROnPlateau(opt, { patience: 0, threshold: 0.1 });
    s.step(-10);
    expect(s.best).toBe(-10);
    // PyTorch's best·(1 − threshold) = −9 would count −9.5 as better; our margin is 0.1·|best| = 1.
    s.step(-9.5);
    expect(s.best).toBe(-10);
    expect(opt.paramGroups[0].lr).toBeCloseTo(0.1, 15);
    s.step(-11.5);
    expect(s.best).toBe(-11.5);
    // max mode mirrors it: improving on −10 needs more than −9.
    const m = new lrScheduler.ReduceLROnPlateau(optimizer('sgd', [1]), { mode: 'max', threshold: 0.1 });
    m.step(-10);
    expect(m.isBetter(-9.5, -10)).toBe(false);
    expect(m.isBetter(-8.9, -10)).toBe(true);
  });
});

describe('lrScheduler state', () => {
  const makers: [string, (o: Opt) => Sched][] = [
    ['StepLR', (o) => new lrScheduler.StepLR(o, { stepSize: 3, gamma: 0.5 })],
    ['MultiStepLR', (o) => new lrScheduler.MultiStepLR(o, { milestones: [2, 6] })],
    ['CosineAnnealingLR', (o) => new lrScheduler.CosineAnnealingLR(o, { tMax: 5, etaMin: 0.01 })],
    ['CosineAnnealingWarmRestarts', (o) => new lrScheduler.CosineAnnealingWarmRestarts(o, { t0: 3, tMult: 2 })],
    ['OneCycleLR', (o) => new lrScheduler.OneCycleLR(o, { maxLr: 1, totalSteps: 30, threePhase: true })],
    ['SequentialLR', (o) => new lrScheduler.SequentialLR(o, {
      schedulers: [new lrScheduler.LinearLR(o, { startFactor: 0.2, totalIters: 3 }), new lrScheduler.ExponentialLR(o, { gamma: 0.9 })],
      milestones: [3],
    })],
    ['ReduceLROnPlateau', (o) => new lrScheduler.ReduceLROnPlateau(o, { patience: 1 })],
  ];
  const metric = (t: number) => [3, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1][t];
  const advance = (s: Sched, from: number, to: number) => {
    for (let t = from; t < to; t++) (s instanceof lrScheduler.ReduceLROnPlateau ? s.step(metric(t)) : s.step());
  };

  for (const [name, make] of makers) {
    it(`${name}: 6 steps + stateDict + loadStateDict into a fresh one + 8 steps = 14 steps straight`, () => {
      const straightOpt = optimizer('sgd', [0.1, 0.05]);
      const straight = make(straightOpt);
      advance(straight, 0, 14);

      const firstOpt = optimizer('sgd', [0.1, 0.05]);
      const first = make(firstOpt);
      advance(first, 0, 6);
      const sd = JSON.parse(JSON.stringify(first.stateDict()));
      const groups = JSON.parse(JSON.stringify(firstOpt.paramGroups));

      const resumedOpt = optimizer('sgd', [0.1, 0.05]);
      const resumed = make(resumedOpt);
      // What the optimizer's loadStateDict does to the groups (lr, momentum, initialLr).
      resumedOpt.paramGroups.forEach((g, i) => Object.assign(g, groups[i]));
      resumed.loadStateDict(sd);
      advance(resumed, 6, 14);
      expect(resumed.getLastLr()).toEqual(straight.getLastLr());
      expect(resumed.stateDict()).toEqual(straight.stateDict());
    });
  }

  it('loadStateDict rejects a state of another scheduler and changes nothing', () => {
    const a = new lrScheduler.StepLR(optimizer('sgd', [0.1]), { stepSize: 2 });
    const b = new lrScheduler.CosineAnnealingLR(optimizer('sgd', [0.1]), { tMax: 3 });
    const before = a.stateDict();
    expect(() => a.loadStateDict(b.stateDict())).toThrow(/stateDict does not match this scheduler: missing gamma, stepSize; unexpected etaMin, tMax/);
    expect(() => a.loadStateDict({ ...before, lastEpoch: 'x' })).toThrow(TypeError);
    expect(() => a.loadStateDict({ ...before, baseLrs: [0.1, 0.2] })).toThrow(/baseLrs must have 1 entries/);
    expect(a.stateDict()).toEqual(before);
  });

  it('LambdaLR does not save its functions', () => {
    const s = new lrScheduler.LambdaLR(optimizer('sgd', [0.1]), { lrLambda: (e) => 1 / (e + 1) });
    expect(JSON.stringify(s.stateDict())).not.toMatch(/lambda|=>/);
  });
});

describe('lrScheduler option validation', () => {
  const o = () => optimizer('sgd', [0.1]);
  const S = lrScheduler;
  const cases: [string, () => unknown, RegExp, ErrorConstructor][] = [
    ['stepSize 0', () => new S.StepLR(o(), { stepSize: 0 }), /StepLR: stepSize must be an integer >= 1/, RangeError],
    ['stepSize missing', () => new S.StepLR(o(), {} as any), /StepLR: option stepSize is required/, TypeError],
    ['gamma negative', () => new S.ExponentialLR(o(), { gamma: -1 }), /ExponentialLR: gamma/, RangeError],
    ['unknown option', () => new S.StepLR(o(), { stepSize: 1, step_size: 2 } as any), /unknown option 'step_size'/, RangeError],
    ['milestones not an array', () => new S.MultiStepLR(o(), { milestones: 3 as any }), /milestones must be an array/, TypeError],
    ['milestone not integer', () => new S.MultiStepLR(o(), { milestones: [1.5] }), /milestones\[0\]/, RangeError],
    ['ConstantLR factor > 1', () => new S.ConstantLR(o(), { factor: 2 }), /ConstantLR: factor must be a number in \(0, 1\]/, RangeError],
    ['LinearLR startFactor 0', () => new S.LinearLR(o(), { startFactor: 0 }), /LinearLR: startFactor/, RangeError],
    ['LinearLR endFactor 1.5', () => new S.LinearLR(o(), { endFactor: 1.5 }), /LinearLR: endFactor/, RangeError],
    ['tMax 0', () => new S.CosineAnnealingLR(o(), { tMax: 0 }), /CosineAnnealingLR: tMax/, RangeError],
    ['etaMin NaN', () => new S.CosineAnnealingLR(o(), { tMax: 3, etaMin: NaN }), /CosineAnnealingLR: etaMin must be a number/, TypeError],
    ['t0 1.5', () => new S.CosineAnnealingWarmRestarts(o(), { t0: 1.5 }), /CosineAnnealingWarmRestarts: t0/, RangeError],
    ['tMult 0', () => new S.CosineAnnealingWarmRestarts(o(), { t0: 2, tMult: 0 }), /CosineAnnealingWarmRestarts: tMult/, RangeError],
    ['PolynomialLR totalIters 0', () => new S.PolynomialLR(o(), { totalIters: 0 }), /PolynomialLR: totalIters/, RangeError],
    ['LambdaLR not a function', () => new S.LambdaLR(o(), { lrLambda: 3 as any }), /LambdaLR: lrLambda must be a function/, TypeError],
    ['LambdaLR wrong count', () => new S.LambdaLR(o(), { lrLambda: [(e) => e, (e) => e] }), /array of 1 functions/, RangeError],
    ['OneCycleLR no steps', () => new S.OneCycleLR(o(), { maxLr: 1 }), /totalSteps or both epochs and stepsPerEpoch/, TypeError],
    ['OneCycleLR totalSteps 0', () => new S.OneCycleLR(o(), { maxLr: 1, totalSteps: 0 }), /OneCycleLR: totalSteps/, RangeError],
    ['OneCycleLR pctStart 2', () => new S.OneCycleLR(o(), { maxLr: 1, totalSteps: 5, pctStart: 2 }), /OneCycleLR: pctStart/, RangeError],
    ['OneCycleLR annealStrategy', () => new S.OneCycleLR(o(), { maxLr: 1, totalSteps: 5, annealStrategy: 'exp' as any }), /annealStrategy must be one of 'cos', 'linear'/, RangeError],
    ['OneCycleLR maxLr count', () => new S.OneCycleLR(o(), { maxLr: [1, 2], totalSteps: 5 }), /maxLr must be a number or an array of 1 numbers/, RangeError],
    ['SequentialLR milestones count', () => {
      const opt = o();
      return new S.SequentialLR(opt, { schedulers: [new S.StepLR(opt, { stepSize: 1 })], milestones: [2] });
    }, /milestones must have 0 entries/, RangeError],
    ['SequentialLR other optimizer', () => new S.SequentialLR(o(), { schedulers: [new S.StepLR(o(), { stepSize: 1 })], milestones: [] }), /drives another optimizer/, RangeError],
    ['Plateau factor 1', () => new S.ReduceLROnPlateau(o(), { factor: 1 }), /ReduceLROnPlateau: factor must be a number in \[0, 1\)/, RangeError],
    ['Plateau mode', () => new S.ReduceLROnPlateau(o(), { mode: 'avg' as any }), /ReduceLROnPlateau: mode must be one of 'min', 'max'/, RangeError],
    ['Plateau thresholdMode', () => new S.ReduceLROnPlateau(o(), { thresholdMode: 'x' as any }), /thresholdMode/, RangeError],
    ['Plateau patience', () => new S.ReduceLROnPlateau(o(), { patience: -1 }), /ReduceLROnPlateau: patience/, RangeError],
    ['Plateau minLr count', () => new S.ReduceLROnPlateau(o(), { minLr: [0, 0] }), /minLr must be a number or an array of 1 numbers/, RangeError],
    ['Plateau metric', () => new S.ReduceLROnPlateau(o()).step('1' as any), /metric must be a number/, TypeError],
    ['no optimizer', () => new S.StepLR(null as any, { stepSize: 1 }), /optimizer must be an object/, TypeError],
    ['no paramGroups', () => new S.StepLR({} as any, { stepSize: 1 }), /optimizer.paramGroups must be a non-empty array/, TypeError],
  ];
  for (const [name, fn, msg, kind] of cases) {
    it(name, () => {
      expect(fn).toThrow(kind);
      expect(fn).toThrow(msg);
    });
  }
});

describe('lrScheduler loadStateDict checks values by the constructor rules', () => {
  const S = lrScheduler;
  type Corrupt = (sd: any) => void;
  const cases: [string, (o: Opt) => Sched, Corrupt, RegExp, ErrorConstructor][] = [
    ['StepLR stepSize 0', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.stepSize = 0), /^stateDict\.stepSize must be an integer >= 1/, RangeError],
    ['StepLR stepSize -1', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.stepSize = -1), /^stateDict\.stepSize/, RangeError],
    ['StepLR gamma NaN', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.gamma = NaN), /^stateDict\.gamma/, TypeError],
    ['StepLR gamma -3', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.gamma = -3), /^stateDict\.gamma must be a finite number >= 0/, RangeError],
    ['StepLR lastEpoch 1.5', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.lastEpoch = 1.5), /^stateDict\.lastEpoch must be an integer/, RangeError],
    ['StepLR baseLrs NaN', (o) => new S.StepLR(o, { stepSize: 2 }), (sd) => (sd.baseLrs = [NaN]), /^stateDict\.baseLrs\[0\]/, TypeError],
    ['MultiStepLR milestone -1', (o) => new S.MultiStepLR(o, { milestones: [2] }), (sd) => (sd.milestones = [-1]), /^stateDict\.milestones\[0\]/, RangeError],
    ['ConstantLR factor 0', (o) => new S.ConstantLR(o), (sd) => (sd.factor = 0), /^stateDict\.factor must be a number in \(0, 1\]/, RangeError],
    ['LinearLR totalIters 0', (o) => new S.LinearLR(o), (sd) => (sd.totalIters = 0), /^stateDict\.totalIters/, RangeError],
    ['CosineAnnealingLR tMax 0', (o) => new S.CosineAnnealingLR(o, { tMax: 5 }), (sd) => (sd.tMax = 0), /^stateDict\.tMax must be an integer >= 1/, RangeError],
    ['CosineAnnealingLR etaMin Infinity', (o) => new S.CosineAnnealingLR(o, { tMax: 5 }), (sd) => (sd.etaMin = Infinity), /^stateDict\.etaMin must be a finite number/, RangeError],
    ['WarmRestarts tMult 0', (o) => new S.CosineAnnealingWarmRestarts(o, { t0: 3 }), (sd) => (sd.tMult = 0), /^stateDict\.tMult/, RangeError],
    ['WarmRestarts tCur past tI', (o) => new S.CosineAnnealingWarmRestarts(o, { t0: 3 }), (sd) => (sd.tCur = 3), /^stateDict\.tCur must be less than tI/, RangeError],
    ['PolynomialLR power -1', (o) => new S.PolynomialLR(o), (sd) => (sd.power = -1), /^stateDict\.power/, RangeError],
    ['Plateau factor 5', (o) => new S.ReduceLROnPlateau(o), (sd) => (sd.factor = 5), /^stateDict\.factor must be a number in \[0, 1\)/, RangeError],
    ['Plateau patience -1', (o) => new S.ReduceLROnPlateau(o), (sd) => (sd.patience = -1), /^stateDict\.patience/, RangeError],
    ['Plateau minLrs negative', (o) => new S.ReduceLROnPlateau(o), (sd) => (sd.minLrs = [-1]), /^stateDict\.minLrs\[0\]/, RangeError],
    ['Plateau best NaN', (o) => new S.ReduceLROnPlateau(o), (sd) => (sd.best = NaN), /^stateDict\.best must be a number/, TypeError],
    ['OneCycleLR annealStrategy', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.annealStrategy = 'bogus'), /^stateDict\.annealStrategy must be one of 'cos', 'linear'/, RangeError],
    ['OneCycleLR phases[0].startLr', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.phases[0].startLr = 'constructor'), /^stateDict\.phases\[0\]\.startLr must be one of/, RangeError],
    ['OneCycleLR phases swapped', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.phases[0].startLr = 'minLrs'), /^stateDict\.phases\[0\]\.startLr must be 'initialLrs'/, RangeError],
    ['OneCycleLR last phase end', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.phases[1].endStep = 20), /^stateDict\.phases\[1\]\.endStep must be 9/, RangeError],
    ['OneCycleLR useBeta1 on SGD', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.useBeta1 = true), /^stateDict\.useBeta1 is true, but this optimizer has no betas/, RangeError],
    ['OneCycleLR maxMomentums 2', (o) => new S.OneCycleLR(o, { maxLr: 1, totalSteps: 10 }), (sd) => (sd.maxMomentums = [2]), /^stateDict\.maxMomentums\[0\] must be a number in \[0, 1\]/, RangeError],
    ['SequentialLR milestones count', (o) => new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [3] }),
      (sd) => (sd.milestones = [3, 5]), /^stateDict\.milestones must have 1 entries/, RangeError],
    ['SequentialLR a later scheduler', (o) => new S.SequentialLR(o, { schedulers: [new S.ConstantLR(o), new S.ExponentialLR(o, { gamma: 0.9 })], milestones: [3] }),
      (sd) => { sd.schedulers[0].factor = 0.5; sd.schedulers[1].gamma = -1; }, /^stateDict\.schedulers\[1\]\.gamma/, RangeError],
  ];
  for (const [name, make, corrupt, msg, kind] of cases) {
    it(`${name} is refused and changes nothing`, () => {
      const opt = optimizer('sgd', [0.1]);
      const s = make(opt);
      s instanceof S.ReduceLROnPlateau ? s.step(1) : s.step();
      const before = s.stateDict();
      const groups = structuredClone(opt.paramGroups);
      const inner = s instanceof S.SequentialLR ? (s.stateDict().schedulers as any[]) : [];
      const sd: any = s.stateDict();
      corrupt(sd);
      expect(() => s.loadStateDict(sd)).toThrow(kind);
      expect(() => s.loadStateDict(sd)).toThrow(msg);
      expect(s.stateDict()).toEqual(before);
      expect(opt.paramGroups).toEqual(groups);
      if (inner.length) expect((s.stateDict().schedulers as any[])).toEqual(inner);
    });
  }

  it('a loaded state that passes is used as is', () => {
    const opt = optimizer('sgd', [0.1]);
    const s = new S.StepLR(opt, { stepSize: 2 });
    s.loadStateDict({ ...s.stateDict(), stepSize: 1, gamma: 0.5 });
    s.step();
    expect(s.getLastLr()[0]).toBeCloseTo(0.05, 15);
  });
});

describe('a failed scheduler constructor leaves the optimizer as it was', () => {
  const S = lrScheduler;
  const cases: [string, (o: Opt) => unknown][] = [
    ['OneCycleLR annealStrategy', (o) => new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10, annealStrategy: 'bogus' as any })],
    ['OneCycleLR cycleMomentum', (o) => new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10, cycleMomentum: 'yes' as any })],
    ['OneCycleLR threePhase', (o) => new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10, threePhase: 1 as any })],
    ['OneCycleLR maxMomentum', (o) => new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10, maxMomentum: 2 })],
    ['OneCycleLR baseMomentum', (o) => new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10, baseMomentum: -1 })],
    ['OneCycleLR without momentum', (o) => { delete o.paramGroups[0].momentum; return new S.OneCycleLR(o as any, { maxLr: 1, totalSteps: 10 }); }],
    ['StepLR stepSize 0', (o) => new S.StepLR(o, { stepSize: 0 })],
    ['MultiStepLR gamma -1', (o) => new S.MultiStepLR(o, { milestones: [1], gamma: -1 })],
    ['ConstantLR factor 2', (o) => new S.ConstantLR(o, { factor: 2 })],
    ['LinearLR endFactor 2', (o) => new S.LinearLR(o, { endFactor: 2 })],
    ['ExponentialLR gamma missing', (o) => new S.ExponentialLR(o, {} as any)],
    ['CosineAnnealingLR tMax 0', (o) => new S.CosineAnnealingLR(o, { tMax: 0 })],
    ['CosineAnnealingWarmRestarts tMult 0', (o) => new S.CosineAnnealingWarmRestarts(o, { t0: 2, tMult: 0 })],
    ['PolynomialLR power -1', (o) => new S.PolynomialLR(o, { power: -1 })],
    ['LambdaLR not a function', (o) => new S.LambdaLR(o, { lrLambda: 3 as any })],
    ['LambdaLR a NaN first factor', (o) => new S.LambdaLR(o, { lrLambda: () => NaN })],
    ['SequentialLR milestones', (o) => new S.SequentialLR(o, { schedulers: [], milestones: [] })],
    ['ReduceLROnPlateau factor 1', (o) => new S.ReduceLROnPlateau(o, { factor: 1 })],
  ];
  for (const [name, make] of cases) {
    it(name, () => {
      const opt = optimizer('sgd', [0.1, 0.05]);
      const before = structuredClone(opt.paramGroups);
      expect(() => make(opt)).toThrow();
      if (name !== 'OneCycleLR without momentum') expect(opt.paramGroups).toEqual(before);
      else expect(opt.paramGroups.map((g) => [g.lr, g.initialLr])).toEqual([[0.1, undefined], [0.05, undefined]]);
      expect(opt.paramGroups.every((g) => !('initialLr' in g))).toBe(true);
    });
  }

  it('a later scheduler starts from the lrs the groups had', () => {
    const opt = optimizer('sgd', [0.1]);
    expect(() => new S.OneCycleLR(opt as any, { maxLr: 1, totalSteps: 10, annealStrategy: 'bogus' as any })).toThrow(/annealStrategy/);
    expect(new S.CosineAnnealingLR(opt, { tMax: 10 }).baseLrs).toEqual([0.1]);
    expect(opt.paramGroups[0].momentum).toBe(0.9);
  });
});
