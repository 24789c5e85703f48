// fit(): the training loop. Per epoch: shuffled mini-batches (forward, loss,
// backward, gradient norm and clipping, optimizer step), validation in eval
// mode, metrics (returned, logged as JSON lines, shown as progress), the
// scheduler, early stopping, checkpoints and the diagnostics.
import * as fs from 'fs';
import * as path from 'path';
import { load } from '../checkpoint';
import type { Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { CrossEntropyLoss } from '../nn/loss';
import type { Module, StateDict } from '../nn/module';
import { ReduceLROnPlateau } from '../sched';
import { defaultGenerator } from '../random';
import { gradNorm, loadCheckpoint, saveCheckpoint } from './deps';
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
  validateFitOptions(trainData, options);
  const o = resolveScalars(options);
  const es = resolveEarlyStopping(options.earlyStopping, options.valData !== undefined);
  const ck = resolveCheckpoint(options.checkpoint);
  const { optimizer, scheduler, valData } = options;
  const lossFn: LossLike = options.lossFn ?? new CrossEntropyLoss();
  const params = model.parameters();
  const loader = new DataLoader(trainData, { batchSize: o.batchSize, shuffle: true, seed: o.seed });
  const stopper = new EarlyStopper(es);
  const monitor = new DiagnosticsMonitor(Math.max(trainData.numClasses, valData?.numClasses ?? 0), options.clipGradNorm !== undefined);
  const progress = makeProgress(o.progress);
  let history: EpochResult[] = [];
  let bestState: StateDict | undefined;

  if (options.resume) {
    const state = resumeFrom(options.resume, model, options);
    history = state.history;
    Object.assign(stopper, { bestValue: state.bestValue, bestEpoch: state.bestEpoch, wait: state.wait });
    const bestPath = path.join(path.dirname(options.resume), 'checkpoint.safetensors');
    if (fs.existsSync(bestPath)) bestState = loadCheckpoint(bestPath).model;
  }
  if (ck) fs.mkdirSync(ck.dir, { recursive: true });
  if (options.log) {
    fs.mkdirSync(path.dirname(path.resolve(options.log)), { recursive: true });
    fs.writeFileSync(options.log, history.map((r) => JSON.stringify(r) + '\n').join(''));
  }

  const saveTo = (file: string, epoch: number) => {
    if (!ck) return;
    const trainer: TrainerState = { epoch, history, bestValue: stopper.bestValue, bestEpoch: stopper.bestEpoch, wait: stopper.wait, rng: defaultGenerator.getState() };
    saveCheckpoint(path.join(ck.dir, file), { model, optimizer, scheduler, meta: { ...ck.meta, [STATE_KEY]: trainer } });
  };

  let lastGood = model.stateDict();
  let stopReason: StopReason = 'completed';
  try {
    for (let epoch = history.length + 1; epoch <= o.epochs; epoch++) {
      loader.setEpoch(epoch - 1);
      const r = runEpoch(model, loader, lossFn, options, o.schedulerInterval, progress, epoch, o.epochs, params);
      if ('nonFinite' in r) {
        const d = nonFiniteLoss(epoch, r.nonFinite.batch, r.nonFinite.loss);
        monitor.add(d);
        progress.message(formatDiagnostic(d));
        model.loadStateDict(lastGood);
        stopReason = 'non-finite-loss';
        break;
      }
      const result = finishEpoch(model, r, valData, lossFn, optimizer.paramGroups[0].lr, epoch, trainData, o.diagnostics);
      history.push(result);
      lastGood = model.stateDict();
      if (scheduler && o.schedulerInterval === 'epoch') stepScheduler(scheduler, result);
      if (o.diagnostics) for (const d of monitor.afterEpoch(history)) progress.message(formatDiagnostic(d));
      if (stopper.update(result)) {
        if (es.restoreBestWeights) bestState = lastGood;
        if (ck?.saveBest) saveTo('checkpoint.safetensors', epoch);
      }
      if (ck && (epoch % ck.every === 0 || epoch === o.epochs)) saveTo('last.safetensors', epoch);
      if (options.log) fs.appendFileSync(options.log, JSON.stringify(result) + '\n');
      progress.endEpoch(result, o.epochs);
      if (options.onEpochEnd?.(result, history) === false) {
        stopReason = 'callback';
        break;
      }
      if (stopper.shouldStop) {
        stopReason = 'early-stopping';
        progress.message(`early stopping at epoch ${epoch}: ${es.monitor} has not improved for ${stopper.wait} epochs (best ${stopper.bestValue.toFixed(4)} at epoch ${stopper.bestEpoch})`);
        break;
      }
    }
  } finally {
    progress.stop();
  }
  if (ck && history.length && stopReason !== 'completed') saveTo('last.safetensors', history.length);
  if (o.diagnostics) for (const d of monitor.finish(history)) progress.message(formatDiagnostic(d));
  const restore = es.restoreBestWeights && bestState !== undefined && stopper.bestEpoch !== history.length;
  if (restore) model.loadStateDict(bestState!);
  return {
    history,
    bestEpoch: stopper.bestEpoch,
    monitor: es.monitor,
    bestValue: stopper.bestValue,
    stopReason,
    restoredBestWeights: es.restoreBestWeights && bestState !== undefined,
    diagnostics: monitor.found,
  };
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
  params: ReturnType<Module['parameters']>,
): EpochRun {
  model.train();
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

/** Loads model, optimizer and scheduler state and the trainer's state from a fit() checkpoint. */
function resumeFrom(file: string, model: Module, options: FitOptions): TrainerState {
  if (!fs.existsSync(file)) throw new Error(`resume: no checkpoint at ${file}`);
  const ck = loadCheckpoint(file);
  const state = ck.meta[STATE_KEY] as TrainerState | undefined;
  if (!state || !Array.isArray(state.history)) throw new Error(`resume: ${file} was not written by fit() (no '${STATE_KEY}' metadata)`);
  load(file, { model, optimizer: options.optimizer as never, ...(options.scheduler ? { scheduler: options.scheduler as never } : {}) });
  defaultGenerator.setState(state.rng);
  return state;
}
