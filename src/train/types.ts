// What the trainer needs from its collaborators, as structural types: any
// optimizer, scheduler or loss with these members works with fit().
import type { Tensor } from '../tensor';

export interface OptimizerLike {
  paramGroups: { lr: number }[];
  step(): unknown;
  zeroGrad(): void;
  stateDict(): unknown;
  loadStateDict(sd: never): void;
}

export interface SchedulerLike {
  /** step() per epoch (or per batch); ReduceLROnPlateau takes step(metric). */
  step(metric?: number): void;
  getLastLr(): number[];
  stateDict(): unknown;
  loadStateDict(sd: never): void;
}

export interface LossLike {
  /** The mean loss over the batch. */
  forward(input: Tensor, target: Int32Array): number;
  /** The gradient with respect to the last forward's input. */
  backward(): Tensor;
}

/** One epoch's results, as logged to metrics.jsonl and returned by fit(). */
export interface EpochResult {
  /** 1-based. */
  epoch: number;
  trainLoss: number;
  /** Accuracy of the training forward passes (training mode, as Keras reports it). */
  trainAccuracy: number;
  valLoss: number | null;
  valAccuracy: number | null;
  /** The learning rate of parameter group 0 during the epoch. */
  lr: number;
  /** Mean over the epoch's batches of the global L2 gradient norm, before clipping. */
  gradNorm: number;
  /** Largest batch gradient norm of the epoch, before clipping. */
  maxGradNorm: number;
  seconds: number;
  samplesPerSec: number;
  /** Fraction of dead ReLU units per ReLU layer (by module path), when diagnostics are on. */
  deadRelu?: Record<string, number>;
}

export type Severity = 'error' | 'warning' | 'info';

/** A warning sign in plain words: what was seen, its likely causes, and what to try. */
export interface Diagnostic {
  kind: 'non-finite-loss' | 'loss-not-falling' | 'exploding-gradients' | 'dead-relu' | 'overfitting' | 'underfitting';
  severity: Severity;
  epoch: number;
  message: string;
  causes: string[];
  fixes: string[];
}
