// Evaluation helpers: loss and accuracy over a dataset in eval mode,
// predictions, the confusion matrix, and the dead-ReLU probe.
import { checkDataset, Dataset } from '../data/dataset';
import { DataLoader } from '../data/loader';
import { ReLU } from '../nn/activation';
import { checkFloat32Array, checkInteger, checkKnownKeys, checkObject, describe } from '../errors';
import { Module } from '../nn/module';
import { Tensor } from '../tensor';
import type { LossLike } from './types';

function checkModule(model: unknown): void {
  if (!(model instanceof Module)) throw new TypeError(`model must be an nn.Module, got ${describe(model)}`);
}

/** Index of the largest value of each row of a [b, c] tensor (first on ties; NaN never wins). */
export function argmaxRows(t: Tensor): Int32Array {
  const c = t.shape[t.shape.length - 1];
  const b = c === 0 ? 0 : t.data.length / c;
  const out = new Int32Array(b);
  for (let i = 0; i < b; i++) {
    let best = 0;
    for (let j = 1; j < c; j++) if (t.data[i * c + j] > t.data[i * c + best]) best = j;
    out[i] = best;
  }
  return out;
}

export interface Evaluation {
  /** Mean loss per sample (NaN without a loss function or samples). */
  loss: number;
  accuracy: number;
  predictions: Int32Array;
}

/** Runs the model in eval mode over a dataset (restoring its mode after). */
export function evaluate(model: Module, ds: Dataset, options: { lossFn?: LossLike; batchSize?: number } = {}): Evaluation {
  checkModule(model);
  checkDataset(ds, 'ds');
  checkKnownKeys(checkObject(options, 'options'), 'evaluate', ['lossFn', 'batchSize']);
  const { lossFn, batchSize = 256 } = options;
  if (lossFn !== undefined && typeof (lossFn as { forward?: unknown }).forward !== 'function') throw new TypeError(`lossFn must have a forward() method, got ${describe(lossFn)}`);
  const wasTraining = model.training;
  model.eval();
  try {
    const predictions = new Int32Array(ds.n);
    let lossSum = 0;
    let correct = 0;
    let k = 0;
    for (const { x, y } of new DataLoader(ds, { batchSize })) {
      const out = model.forward(x);
      if (lossFn) lossSum += lossFn.forward(out, y) * y.length;
      const p = argmaxRows(out);
      predictions.set(p, k);
      for (let i = 0; i < p.length; i++) if (p[i] === y[i]) correct++;
      k += p.length;
    }
    return { loss: lossFn && ds.n ? lossSum / ds.n : NaN, accuracy: ds.n ? correct / ds.n : NaN, predictions };
  } finally {
    model.train(wasTraining);
  }
}

/** Class predictions for rows of features [n, d]. */
export function predict(model: Module, features: Float32Array, d: number, batchSize = 256): Int32Array {
  checkModule(model);
  checkFloat32Array(features, 'features');
  checkInteger(d, 'd', 1);
  checkInteger(batchSize, 'batchSize', 1);
  if (features.length % d !== 0) throw new RangeError(`features must hold rows of d = ${d} values, got ${features.length} values`);
  const n = features.length / d;
  const out = new Int32Array(n);
  const wasTraining = model.training;
  model.eval();
  try {
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      out.set(argmaxRows(model.forward(new Tensor(features.slice(s * d, e * d), [e - s, d]))), s);
    }
  } finally {
    model.train(wasTraining);
  }
  return out;
}

/** counts[true][predicted]. */
/** The most classes confusionMatrix tabulates (its result has numClasses² cells). */
export const MAX_CONFUSION_CLASSES = 4096;

export function confusionMatrix(labels: Int32Array, predictions: Int32Array, numClasses: number): number[][] {
  if (!(labels instanceof Int32Array)) throw new TypeError(`labels must be an Int32Array, got ${describe(labels)}`);
  if (!(predictions instanceof Int32Array)) throw new TypeError(`predictions must be an Int32Array, got ${describe(predictions)}`);
  if (predictions.length !== labels.length) throw new RangeError(`predictions must hold one class per label (${labels.length}), got ${predictions.length}`);
  checkInteger(numClasses, 'numClasses', 0, MAX_CONFUSION_CLASSES);
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const [l, p] = [labels[i], predictions[i]];
    if (!(l >= 0 && l < numClasses)) throw new RangeError(`labels[${i}] must be a class index in [0, ${numClasses}), got ${l}`);
    if (!(p >= 0 && p < numClasses)) throw new RangeError(`predictions[${i}] must be a class index in [0, ${numClasses}), got ${p}`);
    m[l][p]++;
  }
  return m;
}

/** Every module of the tree with its PyTorch-style path ('' for the root, '0', '1.2', ...). */
export function namedModules(m: Module, prefix = ''): [string, Module][] {
  const out: [string, Module][] = [[prefix, m]];
  for (const [n, c] of m.namedChildren()) out.push(...namedModules(c, prefix ? `${prefix}.${n}` : n));
  return out;
}

/**
 * Fraction of units of each ReLU layer that output zero for every one of the
 * probe samples (up to `limit` of them, in eval mode). A dead unit passes no
 * gradient, so it never recovers on its own.
 */
export function deadReluFractions(model: Module, ds: Dataset, limit = 512): Record<string, number> {
  const relus = namedModules(model).filter(([, m]) => m instanceof ReLU);
  if (!relus.length || ds.n === 0) return {};
  const alive = new Map<string, Uint8Array>();
  const restore: (() => void)[] = [];
  for (const [name, m] of relus) {
    const original = m.forward;
    restore.push(() => {
      delete (m as { forward?: unknown }).forward;
      if (m.forward !== original) m.forward = original;
    });
    m.forward = (x: Tensor): Tensor => {
      const y = original.call(m, x);
      const units = y.shape[y.shape.length - 1];
      const seen = alive.get(name) ?? new Uint8Array(units);
      for (let i = 0; i < y.data.length; i++) if (y.data[i] !== 0) seen[i % units] = 1;
      alive.set(name, seen);
      return y;
    };
  }
  try {
    evaluate(model, ds.subset(Array.from({ length: Math.min(limit, ds.n) }, (_, i) => i)), { batchSize: limit });
  } finally {
    for (const r of restore) r();
  }
  const out: Record<string, number> = {};
  for (const [name] of relus) {
    const seen = alive.get(name);
    if (seen) out[name] = seen.reduce((a, v) => a + (1 - v), 0) / seen.length;
  }
  return out;
}
