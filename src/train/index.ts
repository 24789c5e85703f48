// The trainer and its helpers.
export { fit } from './fit';
export type { FitResult, StopReason } from './fit';
export type { FitOptions, EarlyStoppingOptions, CheckpointOptions, Monitor } from './options';
export { evaluate, predict, confusionMatrix, argmaxRows, deadReluFractions } from './evaluate';
export type { Evaluation } from './evaluate';
export { formatDiagnostic } from './diagnostics';
export type { EpochResult, Diagnostic, OptimizerLike, SchedulerLike, LossLike } from './types';
