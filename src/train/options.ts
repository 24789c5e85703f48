// fit()'s options: their types, defaults and validation, in one place.
import * as path from 'path';
import { checkDataset, Dataset } from '../data/dataset';
import { checkBoolean, checkDirPath, checkFilePath, checkInteger, checkKnownKeys, checkNonNegative, checkObject, checkOneOf, checkRange, describe } from '../errors';
import type { ProgressMode } from './progress';
import type { EpochResult, LossLike, OptimizerLike, SchedulerLike } from './types';

export type Monitor = 'valLoss' | 'valAccuracy' | 'trainLoss' | 'trainAccuracy';
const MONITORS: readonly Monitor[] = ['valLoss', 'valAccuracy', 'trainLoss', 'trainAccuracy'];

export interface EarlyStoppingOptions {
  /** Default 'valLoss' ('trainLoss' without valData). */
  monitor?: Monitor;
  /** 'min' for losses, 'max' for accuracies by default. */
  mode?: 'min' | 'max';
  /** Epochs without improvement before stopping (default 5). */
  patience?: number;
  /** Smallest change that counts as an improvement (default 0). */
  minDelta?: number;
  /** At the end, load the best epoch's weights, whether or not training stopped early (default false). */
  restoreBestWeights?: boolean;
}

export interface CheckpointOptions {
  /** Directory for checkpoint.safetensors (the best epoch) and last.safetensors (the latest). */
  dir: string;
  /** Write checkpoint.safetensors whenever the monitored metric improves (default true). */
  saveBest?: boolean;
  /** Write last.safetensors every this many epochs, and at the end (default 1). */
  every?: number;
  /** Extra metadata (JSON values) stored in every checkpoint, e.g. the standardizer and the model config. */
  meta?: Record<string, unknown>;
}

export interface FitOptions {
  optimizer: OptimizerLike;
  valData?: Dataset;
  epochs?: number;
  batchSize?: number;
  scheduler?: SchedulerLike;
  /** Step the scheduler after every 'epoch' (default) or every 'batch' (OneCycleLR). */
  schedulerInterval?: 'epoch' | 'batch';
  /** Default: a new nn.CrossEntropyLoss(). */
  lossFn?: LossLike;
  /** Clip the global gradient L2 norm to this value before each step. */
  clipGradNorm?: number;
  earlyStopping?: EarlyStoppingOptions | boolean;
  checkpoint?: CheckpointOptions;
  /** A path: one JSON line of metrics per epoch. */
  log?: string;
  /** Called after each epoch; returning false stops training. */
  onEpochEnd?: (result: EpochResult, history: EpochResult[]) => void | boolean;
  /** Detect and report the warning signs (default true). */
  diagnostics?: boolean;
  /** Seed of the batch shuffles (default 0). */
  seed?: number;
  /** 'auto' (default): a bar and a line per epoch on a TTY, lines otherwise; 'bar': the bar alone (for callers that print their own rows); 'lines'; 'none'. */
  progress?: ProgressMode;
  /** A checkpoint written by fit (last.safetensors) to continue from. */
  resume?: string;
}

export interface ResolvedEarlyStopping {
  monitor: Monitor;
  mode: 'min' | 'max';
  patience: number;
  minDelta: number;
  restoreBestWeights: boolean;
  enabled: boolean;
}

const KNOWN = ['optimizer', 'valData', 'epochs', 'batchSize', 'scheduler', 'schedulerInterval', 'lossFn', 'clipGradNorm', 'earlyStopping', 'checkpoint', 'log', 'onEpochEnd', 'diagnostics', 'seed', 'progress', 'resume'];

function hasMethods(v: unknown, name: string, methods: string[]): void {
  checkObject(v, name);
  for (const m of methods) {
    if (typeof (v as Record<string, unknown>)[m] !== 'function') throw new TypeError(`${name} must have a ${m}() method, got ${describe(v)}`);
  }
}

export function resolveEarlyStopping(es: FitOptions['earlyStopping'], hasVal: boolean): ResolvedEarlyStopping {
  const o: EarlyStoppingOptions = es === undefined || es === false || es === true ? {} : es;
  if (es !== undefined && typeof es !== 'boolean') checkKnownKeys(checkObject(es, 'earlyStopping'), 'earlyStopping', ['monitor', 'mode', 'patience', 'minDelta', 'restoreBestWeights']);
  const monitor = checkOneOf(o.monitor ?? (hasVal ? 'valLoss' : 'trainLoss'), 'earlyStopping.monitor', MONITORS);
  if (monitor.startsWith('val') && !hasVal) throw new RangeError(`earlyStopping.monitor '${monitor}' needs valData`);
  return {
    monitor,
    mode: checkOneOf(o.mode ?? (monitor.endsWith('Loss') ? 'min' : 'max'), 'earlyStopping.mode', ['min', 'max'] as const),
    patience: checkInteger(o.patience ?? 5, 'earlyStopping.patience', 0),
    minDelta: checkNonNegative(o.minDelta ?? 0, 'earlyStopping.minDelta'),
    restoreBestWeights: checkBoolean(o.restoreBestWeights ?? false, 'earlyStopping.restoreBestWeights'),
    enabled: es !== undefined && es !== false,
  };
}

export function resolveCheckpoint(c: CheckpointOptions | undefined): Required<CheckpointOptions> | undefined {
  if (c === undefined) return undefined;
  checkKnownKeys(checkObject(c, 'checkpoint'), 'checkpoint', ['dir', 'saveBest', 'every', 'meta']);
  checkDirPath(c.dir, 'checkpoint.dir');
  const meta = c.meta === undefined ? {} : checkObject(c.meta, 'checkpoint.meta');
  return {
    dir: path.resolve(c.dir),
    saveBest: checkBoolean(c.saveBest ?? true, 'checkpoint.saveBest'),
    every: checkInteger(c.every ?? 1, 'checkpoint.every', 1),
    meta,
  };
}

export function validateFitOptions(train: unknown, o: FitOptions): void {
  const trainData = checkDataset(train, 'trainData');
  if (trainData.n === 0) throw new RangeError('trainData must hold at least one sample, got an empty Dataset');
  checkKnownKeys(checkObject(o, 'options'), 'fit', KNOWN);
  hasMethods(o.optimizer, 'optimizer', ['step', 'zeroGrad', 'stateDict', 'loadStateDict']);
  if (!Array.isArray(o.optimizer.paramGroups) || !o.optimizer.paramGroups.length) throw new TypeError('optimizer must have paramGroups');
  if (o.valData !== undefined) checkDataset(o.valData, 'valData');
  if (o.valData && o.valData.n === 0) throw new RangeError('valData must hold at least one sample, got an empty Dataset');
  if (o.valData && o.valData.d !== trainData.d) throw new RangeError(`valData has ${o.valData.d} features, trainData ${trainData.d}`);
  if (o.scheduler !== undefined) hasMethods(o.scheduler, 'scheduler', ['step', 'getLastLr', 'stateDict', 'loadStateDict']);
  if (o.lossFn !== undefined) hasMethods(o.lossFn, 'lossFn', ['forward', 'backward']);
  if (o.clipGradNorm !== undefined) checkRange(o.clipGradNorm, 'clipGradNorm', Number.MIN_VALUE, Infinity, 'a finite number > 0');
  if (o.log !== undefined) checkFilePath(o.log, 'log');
  if (o.resume !== undefined && typeof o.resume !== 'string') throw new TypeError(`resume must be a checkpoint path, got ${describe(o.resume)}`);
  if (o.onEpochEnd !== undefined && typeof o.onEpochEnd !== 'function') throw new TypeError(`onEpochEnd must be a function, got ${describe(o.onEpochEnd)}`);
}

export function resolveScalars(o: FitOptions) {
  return {
    epochs: checkInteger(o.epochs ?? 10, 'epochs', 1),
    batchSize: checkInteger(o.batchSize ?? 32, 'batchSize', 1),
    schedulerInterval: checkOneOf(o.schedulerInterval ?? 'epoch', 'schedulerInterval', ['epoch', 'batch'] as const),
    diagnostics: checkBoolean(o.diagnostics ?? true, 'diagnostics'),
    seed: checkInteger(o.seed ?? 0, 'seed', 0, 0xffffffff),
    progress: checkOneOf(o.progress ?? 'auto', 'progress', ['auto', 'bar', 'lines', 'none'] as const),
  };
}
