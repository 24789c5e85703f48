// Deterministic train/val/test splits, optionally stratified by label.
import { checkBoolean, checkInteger, checkKnownKeys, checkObject, checkRange } from '../errors';
import { checkDataset, Dataset } from './dataset';
import { deriveSeed, shuffleInPlace } from './random';

export interface SplitOptions {
  /** Fractions of the samples; each in [0, 1], summing to 1. Default 0.6 / 0.2 / 0.2. */
  train?: number;
  val?: number;
  test?: number;
  /** Keep each class's proportions in every part (default false). */
  stratify?: boolean;
  /** Seed of the shuffle (default 0). */
  seed?: number;
}

export interface Splits {
  train: Dataset;
  val: Dataset;
  test: Dataset;
}

/** Sizes of the three parts of m samples: train and val rounded, test the rest. */
function partSizes(m: number, fr: [number, number, number]): [number, number, number] {
  const t = Math.min(m, Math.round(m * fr[0]));
  const v = fr[2] === 0 ? m - t : Math.min(m - t, Math.round(m * fr[1]));
  return [t, v, m - t - v];
}

function readOptions(opts: SplitOptions): { fr: [number, number, number]; stratify: boolean; seed: number } {
  checkKnownKeys(checkObject(opts, 'options'), 'split', ['train', 'val', 'test', 'stratify', 'seed']);
  const fr: [number, number, number] = [opts.train ?? 0.6, opts.val ?? 0.2, opts.test ?? 0.2];
  (['train', 'val', 'test'] as const).forEach((k, i) => checkRange(fr[i], k, 0, 1));
  const sum = fr[0] + fr[1] + fr[2];
  if (Math.abs(sum - 1) > 1e-9) throw new RangeError(`train + val + test must be 1, got ${fr[0]} + ${fr[1]} + ${fr[2]} = ${sum}`);
  const stratify = checkBoolean(opts.stratify ?? false, 'stratify');
  const seed = checkInteger(opts.seed ?? 0, 'seed', 0, 0xffffffff);
  return { fr, stratify, seed };
}

/**
 * Splits a dataset into train, val and test. The same seed always gives the same
 * parts; each part keeps the original sample order.
 */
export function split(ds: Dataset, opts: SplitOptions = {}): Splits {
  checkDataset(ds, 'ds');
  const { fr, stratify, seed } = readOptions(opts);
  const groups: number[][] = [];
  if (stratify) {
    for (let i = 0; i < ds.n; i++) (groups[ds.labels[i]] ??= []).push(i);
  } else groups.push(Array.from({ length: ds.n }, (_, i) => i));
  const parts: number[][] = [[], [], []];
  groups.forEach((g, c) => {
    if (!g) return;
    shuffleInPlace(g, deriveSeed(seed, c));
    const [t, v] = partSizes(g.length, fr);
    parts[0].push(...g.slice(0, t));
    parts[1].push(...g.slice(t, t + v));
    parts[2].push(...g.slice(t + v));
  });
  const [train, val, test] = parts.map((p) => ds.subset(p.sort((a, b) => a - b)));
  return { train, val, test };
}

/**
 * Carves a validation set out of a training set, for datasets that ship their
 * own test set (Fashion-MNIST): `val` is its fraction (default 0.1).
 */
export function splitTrainVal(ds: Dataset, opts: { val?: number; stratify?: boolean; seed?: number } = {}): { train: Dataset; val: Dataset } {
  checkKnownKeys(checkObject(opts, 'options'), 'splitTrainVal', ['val', 'stratify', 'seed']);
  const val = checkRange(opts.val ?? 0.1, 'val', 0, 1);
  const s = split(ds, { train: 1 - val, val, test: 0, stratify: opts.stratify, seed: opts.seed });
  return { train: s.train, val: s.val };
}
