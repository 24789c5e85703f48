// fit(): the training loop. Per epoch: shuffled mini-batches (forward, loss,
// backward, gradient norm and clipping, optimizer step), validation in eval
// mode, metrics (returned, logged as JSON lines, shown as progress), the
// scheduler, early stopping, checkpoints and the diagnostics.
import * as fs from 'fs';
import * as path from 'path';
import { makeDirs, writeFileAtomic } from '../atomic';
import { CheckpointFormatError, load, modelMismatch } from '../checkpoint';
import type { Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { BatchNorm1d } from '../nn/batchnorm';
import { CrossEntropyLoss } from '../nn/loss';
import { describe } from '../errors';
import { Module, type StateDict } from '../nn/module';
import { ReduceLROnPlateau } from '../sched';
import { defaultGenerator } from '../random';
import { gradNorm, loadCheckpoint, saveCheckpoint } from './persist';
import { DiagnosticsMonitor, formatDiagnostic, nonFiniteLoss } from './diagnostics';
import { argmaxRows, deadReluFractions, evaluate } from './evaluate';
import { FitOptions, ResolvedEarlyStopping, resolveCheckpoint, resolveEarlyStopping, resolveScalars, validateFitOptions } from './options';
import { makeProgress, Progress } from './progress';
import type { Diagnostic, EpochResult, LossLike } from './types';

export type StopReason = 'completed' | 'early-stopping' | 'non-finite-loss' | 'callback';

export interface FitResult {
  history: EpochResult[];
  /** The epoch with the best monitored metric (0 if none finished). */
  bestEpoch: number;
  monitor: string;
  bestValue: number;
  stopReason: StopReason;
  /** Whether the best epoch's weights were loaded back at the end. */
  restoredBestWeights: boolean;
  diagnostics: Diagnostic[];
}

/** The trainer's own state, saved in checkpoint metadata so a run can resume. */
interface TrainerState {
  epoch: number;
  history: EpochResult[];
  bestValue: number;
  bestEpoch: number;
  wait: number;
  /** The global generator (dropout masks), so a resumed run draws what an uninterrupted one would. */
  rng: { seed: number; offset: number };
}
const STATE_KEY = 'trainer';

class EarlyStopper {
  bestValue: number;
  bestEpoch = 0;
  wait = 0;
  constructor(readonly cfg: ResolvedEarlyStopping) {
    this.bestValue = cfg.mode === 'min' ? Infinity : -Infinity;
  }
  /** Records an epoch; true when it is the best so far. */
  update(r: EpochResult): boolean {
    const v = r[this.cfg.monitor] as number;
    const better = this.cfg.mode === 'min' ? v < this.bestValue - this.cfg.minDelta : v > this.bestValue + this.cfg.minDelta;
    if (better || this.bestEpoch === 0) {
      this.bestValue = v;
      this.bestEpoch = r.epoch;
      this.wait = 0;
      return true;
    }
    this.wait++;
    return false;
  }
  get shouldStop(): boolean {
    return this.cfg.enabled && this.wait > 0 && this.wait >= this.cfg.patience;
  }
}

interface EpochTotals {
  lossSum: number;
  correct: number;
  seen: number;
  normSum: number;
  normMax: number;
  batches: number;
}

/** Trains `model` on `trainData`; see FitOptions. Returns the per-epoch results and how training ended. */
export function fit(model: Module, trainData: Dataset, options: FitOptions): FitResult {
  if (!(model instanceof Module)) throw new TypeError(`model must be an nn.Module, got ${describe(model)}`);
  validateFitOptions(trainData, options);
  checkOptimizerTrainsModel(model, options.optimizer);
  return new Trainer(model, trainData, options).run();
}

/** An optimizer built for another model would train nothing: when its groups list parameters, one must be the model's. */
function checkOptimizerTrainsModel(model: Module, optimizer: FitOptions['optimizer']): void {
  const mine = new Set<unknown>(model.parameters());
  if (mine.size === 0) return;
  // Duck-typed optimizers need not list their parameters in paramGroups; those that do are checked.
  const listed = (optimizer.paramGroups as { params?: unknown }[]).map((g) => g?.params).filter((ps): ps is unknown[] => Array.isArray(ps));
  if (!listed.length || listed.some((ps) => ps.some((p) => mine.has(p)))) return;
  throw new RangeError(`optimizer holds none of the model's ${mine.size} parameters; build it from model.parameters()`);
}

function hasBatchNorm1d(m: Module): boolean {
  return m instanceof BatchNorm1d || m.namedChildren().some(([, c]) => hasBatchNorm1d(c));
}

/**
 * BatchNorm1d on [N, C] cannot train on a batch of one sample (PyTorch raises
 * too). Found up front, rather than in the last batch of the first epoch.
 */
function checkLastBatch(model: Module, n: number, batchSize: number): void {
  if ((batchSize !== 1 && n % batchSize !== 1) || !hasBatchNorm1d(model)) return;
  const which = batchSize === 1 ? 'gives batches' : `leaves a last batch (${n} training samples)`;
  throw new RangeError(`batchSize ${batchSize} ${which} of 1 sample, and BatchNorm1d cannot train on one sample; choose another batchSize`);
}

/** One fit() call: its resolved options and the state that changes epoch to epoch. */
class Trainer {
  private readonly o: ReturnType<typeof resolveScalars>;
  private readonly es: ResolvedEarlyStopping;
  private readonly ck: ReturnType<typeof resolveCheckpoint>;
  private readonly lossFn: LossLike;
  private readonly loader: DataLoader;
  private readonly stopper: EarlyStopper;
  private readonly monitor: DiagnosticsMonitor;
  private readonly progress: Progress;
  private history: EpochResult[] = [];
  private bestState: StateDict | undefined;
  /** The weights at the end of the last finished epoch (the initial ones before it), kept on a non-finite loss. */
  private lastGood: StateDict;

  constructor(private readonly model: Module, private readonly trainData: Dataset, private readonly options: FitOptions) {
    this.o = resolveScalars(options);
    checkLastBatch(model, trainData.n, this.o.batchSize);
    this.es = resolveEarlyStopping(options.earlyStopping, options.valData !== undefined);
    this.ck = resolveCheckpoint(options.checkpoint);
    if (this.ck) checkUserMeta(this.ck.meta);
    this.lossFn = options.lossFn ?? new CrossEntropyLoss();
    this.loader = new DataLoader(trainData, { batchSize: this.o.batchSize, shuffle: true, seed: this.o.seed });
    this.stopper = new EarlyStopper(this.es);
    this.monitor = new DiagnosticsMonitor(Math.max(trainData.numClasses, options.valData?.numClasses ?? 0), options.clipGradNorm !== undefined);
    this.progress = makeProgress(this.o.progress);
    if (options.resume) this.resume(options.resume);
    this.lastGood = model.stateDict();
  }

  run(): FitResult {
    if (this.ck) makeDirs(this.ck.dir);
    if (this.options.log) {
      makeDirs(path.dirname(path.resolve(this.options.log)));
      writeFileAtomic(this.options.log, this.history.map((r) => JSON.stringify(r) + '\n'));
    }
    // A resumed run that had already stopped early has nothing left to train.
    let stopReason: StopReason = this.stopper.shouldStop ? 'early-stopping' : 'completed';
    try {
      for (let epoch = this.history.length + 1; epoch <= this.o.epochs && stopReason === 'completed'; epoch++) stopReason = this.epoch(epoch);
    } finally {
      this.progress.stop();
    }
    return this.finish(stopReason);
  }

  /** Trains one epoch and does everything that follows it; returns 'completed' to go on. */
  private epoch(epoch: number): StopReason {
    const { model, options, o, ck } = this;
    this.loader.setEpoch(epoch - 1);
    const r = runEpoch(model, this.loader, this.lossFn, options, o.schedulerInterval, this.progress, epoch, o.epochs);
    if ('nonFinite' in r) {
      if (o.diagnostics) {
        const d = nonFiniteLoss(epoch, r.nonFinite.batch, r.nonFinite.loss);
        this.monitor.add(d);
        this.progress.message(formatDiagnostic(d));
      }
      model.loadStateDict(this.lastGood);
      return 'non-finite-loss';
    }
    const result = finishEpoch(model, r, options.valData, this.lossFn, options.optimizer.paramGroups[0].lr, epoch, this.trainData, o.diagnostics);
    this.history.push(result);
    this.lastGood = model.stateDict();
    if (options.scheduler && o.schedulerInterval === 'epoch') stepScheduler(options.scheduler, result);
    if (o.diagnostics) for (const d of this.monitor.afterEpoch(this.history)) this.progress.message(formatDiagnostic(d));
    if (this.stopper.update(result)) {
      if (this.es.restoreBestWeights) this.bestState = this.lastGood;
      if (ck?.saveBest) this.save('checkpoint.safetensors', epoch);
    }
    if (options.log) fs.appendFileSync(options.log, JSON.stringify(result) + '\n');
    this.progress.endEpoch(result, o.epochs);
    let reason: StopReason = 'completed';
    if (options.onEpochEnd?.(result, this.history) === false) reason = 'callback';
    else if (this.stopper.shouldStop) {
      reason = 'early-stopping';
      const { monitor } = this.es;
      this.progress.message(`early stopping at epoch ${epoch}: ${monitor} has not improved for ${this.stopper.wait} epochs (best ${this.stopper.bestValue.toFixed(4)} at epoch ${this.stopper.bestEpoch})`);
    }
    // The last epoch of the run is always saved, whatever `every` says.
    if (ck && (epoch % ck.every === 0 || epoch === o.epochs || reason !== 'completed')) this.save('last.safetensors', epoch);
    return reason;
  }

  private finish(stopReason: StopReason): FitResult {
    const { history, stopper, es } = this;
    if (this.o.diagnostics) for (const d of this.monitor.finish(history)) this.progress.message(formatDiagnostic(d));
    const restored = es.restoreBestWeights && this.bestState !== undefined;
    if (restored && stopper.bestEpoch !== history.length) this.model.loadStateDict(this.bestState!);
    return { history, bestEpoch: stopper.bestEpoch, monitor: es.monitor, bestValue: stopper.bestValue, stopReason, restoredBestWeights: restored, diagnostics: this.monitor.found };
  }

  private save(file: string, epoch: number): void {
    const { stopper, ck, options } = this;
    if (!ck) return;
    const trainer: TrainerState = { epoch, history: this.history, bestValue: stopper.bestValue, bestEpoch: stopper.bestEpoch, wait: stopper.wait, rng: defaultGenerator.getState() };
    saveCheckpoint(path.join(ck.dir, file), { model: this.model, optimizer: options.optimizer, scheduler: options.scheduler, meta: { ...ck.meta, [STATE_KEY]: trainer } });
  }

  /**
   * Loads model, optimizer, scheduler, generator and trainer state from a
   * fit() checkpoint, all or nothing: the trainer state, and with
   * restoreBestWeights the best checkpoint beside it, are checked before
   * anything is loaded, and load() itself checks the rest first.
   */
  private resume(file: string): void {
    if (!fs.existsSync(file)) throw new Error(`resume: no checkpoint at ${file}`);
    const raw = loadCheckpoint(file).meta[STATE_KEY];
    if (raw === null || typeof raw !== 'object' || !Array.isArray((raw as TrainerState).history)) throw new Error(`resume: ${file} was not written by fit() (no '${STATE_KEY}' metadata)`);
    const state = checkTrainerState(raw as Record<string, unknown>, file);
    let bestState: StateDict | undefined;
    const bestPath = path.join(path.dirname(file), 'checkpoint.safetensors');
    if (this.es.restoreBestWeights && fs.existsSync(bestPath)) {
      bestState = loadCheckpoint(bestPath).model;
      if (bestState === undefined) throw new CheckpointFormatError(bestPath, 'it holds no model weights, which restoreBestWeights needs');
      const why = modelMismatch(this.model.stateDict(), bestState);
      if (why !== undefined) throw new RangeError(`resume: ${bestPath} (the best weights, for restoreBestWeights) does not fit the model: ${why}`);
    }
    const { optimizer, scheduler } = this.options;
    load(file, { model: this.model, optimizer: optimizer as never, ...(scheduler ? { scheduler: scheduler as never } : {}) });
    defaultGenerator.setState(state.rng);
    this.history = state.history;
    Object.assign(this.stopper, { bestValue: state.bestValue, bestEpoch: state.bestEpoch, wait: state.wait });
    if (bestState !== undefined) this.bestState = bestState;
  }
}

/**
 * checkpoint.meta goes into every checkpoint beside the trainer's own state:
 * checked before the first epoch rather than at the first save.
 */
function checkUserMeta(meta: Record<string, unknown>): void {
  if (Object.prototype.hasOwnProperty.call(meta, STATE_KEY)) {
    throw new RangeError(`checkpoint.meta.${STATE_KEY} is reserved: fit() keeps its own state (history, early stopping, generator) there; use another key`);
  }
  try {
    JSON.stringify(meta);
  } catch (e) {
    throw new TypeError(`checkpoint.meta must be JSON-serializable (no cycles, no BigInt): ${(e as Error).message.split('\n')[0]}`);
  }
}

/**
 * The trainer state of a fit() checkpoint, checked whole: a history of
 * objects for epochs 1..n in order, the epoch saved (n), the early stopper's
 * best epoch (in 1..n, 0 with no history), its wait (0..n - bestEpoch) and
 * best value (a number), and the generator's {seed, offset}.
 */
function checkTrainerState(s: Record<string, unknown>, file: string): TrainerState {
  const bad = (what: string, v: unknown) => new CheckpointFormatError(file, `meta.${STATE_KEY}.${what}, got ${describe(v)} (the state fit() needs to resume)`);
  const history = s.history as unknown[];
  const n = history.length;
  history.forEach((r, i) => {
    if (r === null || typeof r !== 'object' || Array.isArray(r)) throw bad(`history[${i}] must be an epoch result (an object)`, r);
    const e = (r as Record<string, unknown>).epoch;
    if (e !== i + 1) throw bad(`history[${i}].epoch must be ${i + 1} (epochs 1..${n} in order)`, e);
  });
  if (s.epoch !== n) throw bad(`epoch must be ${n} (the history's length)`, s.epoch);
  const isInt = (v: unknown, lo: number, hi: number) => typeof v === 'number' && Number.isInteger(v) && v >= lo && v <= hi;
  if (!isInt(s.bestEpoch, n > 0 ? 1 : 0, n)) throw bad(`bestEpoch must be an integer in [${n > 0 ? 1 : 0}, ${n}]`, s.bestEpoch);
  const bestEpoch = s.bestEpoch as number;
  if (!isInt(s.wait, 0, n - bestEpoch)) throw bad(`wait must be an integer in [0, ${n - bestEpoch}] (epochs since the best)`, s.wait);
  if (typeof s.bestValue !== 'number') throw bad('bestValue must be a number', s.bestValue);
  const rng = s.rng as Record<string, unknown> | null;
  if (rng === null || typeof rng !== 'object' || Array.isArray(rng)) throw bad('rng must be the generator state {seed, offset}', rng);
  const extra = Object.keys(rng).filter((k) => k !== 'seed' && k !== 'offset');
  if (extra.length) throw bad(`rng must be the generator state {seed, offset}, not have '${extra[0]}'`, rng);
  for (const k of ['seed', 'offset']) if (!isInt(rng[k], 0, Number.MAX_SAFE_INTEGER)) throw bad(`rng.${k} must be an integer >= 0 and < 2^53`, rng[k]);
  return s as unknown as TrainerState;
}

/** ReduceLROnPlateau steps on the val loss (the train loss without val data); others per epoch. */
function stepScheduler(scheduler: NonNullable<FitOptions['scheduler']>, r: EpochResult): void {
  if (scheduler instanceof ReduceLROnPlateau) scheduler.step(r.valLoss ?? r.trainLoss);
  else scheduler.step();
}

type EpochRun = { totals: EpochTotals; seconds: number } | { nonFinite: { batch: number; loss: number } };

function runEpoch(
  model: Module,
  loader: DataLoader,
  lossFn: LossLike,
  options: FitOptions,
  interval: 'epoch' | 'batch',
  progress: Progress,
  epoch: number,
  epochs: number,
): EpochRun {
  model.train();
  const params = model.parameters();
  const t: EpochTotals = { lossSum: 0, correct: 0, seen: 0, normSum: 0, normMax: 0, batches: 0 };
  const start = process.hrtime.bigint();
  progress.startEpoch(epoch, epochs, loader.length);
  let b = 0;
  for (const { x, y } of loader) {
    b++;
    model.zeroGrad();
    const out = model.forward(x);
    const loss = lossFn.forward(out, y);
    if (!Number.isFinite(loss)) return { nonFinite: { batch: b, loss } };
    model.backward(lossFn.backward());
    const norm = gradNorm(params, options.clipGradNorm);
    options.optimizer.step();
    if (options.scheduler && interval === 'batch') options.scheduler.step();
    t.lossSum += loss * y.length;
    const predicted = argmaxRows(out);
    for (let i = 0; i < y.length; i++) if (predicted[i] === y[i]) t.correct++;
    t.seen += y.length;
    t.normSum += norm;
    t.normMax = Math.max(t.normMax, Number.isNaN(norm) ? Infinity : norm);
    t.batches++;
    const secs = Number(process.hrtime.bigint() - start) / 1e9;
    progress.batch(b, t.lossSum / t.seen, t.seen / Math.max(secs, 1e-9));
  }
  return { totals: t, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

function finishEpoch(
  model: Module,
  r: { totals: EpochTotals; seconds: number },
  valData: Dataset | undefined,
  lossFn: LossLike,
  lr: number,
  epoch: number,
  trainData: Dataset,
  diagnostics: boolean,
): EpochResult {
  const { totals: t, seconds } = r;
  const val = valData ? evaluate(model, valData, { lossFn }) : undefined;
  const result: EpochResult = {
    epoch,
    trainLoss: t.seen ? t.lossSum / t.seen : NaN,
    trainAccuracy: t.seen ? t.correct / t.seen : NaN,
    valLoss: val ? val.loss : null,
    valAccuracy: val ? val.accuracy : null,
    lr,
    gradNorm: t.batches ? t.normSum / t.batches : 0,
    maxGradNorm: t.normMax,
    seconds,
    samplesPerSec: t.seen / Math.max(seconds, 1e-9),
  };
  if (diagnostics) result.deadRelu = deadReluFractions(model, trainData);
  return result;
}
