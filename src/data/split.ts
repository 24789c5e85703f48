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

/**
 * Train and val counts per class. Each class gets its own share rounded, then
 * the totals are corrected to the sizes of an unstratified split, one sample at
 * a time on the classes whose rounding was furthest off (lowest class first on
 * ties), so small classes never round a part away.
 */
function classQuotas(counts: number[], fr: [number, number, number]): [number[], number[]] {
  const total = counts.reduce((a, b) => a + b, 0);
  const [tTotal, vTotal] = partSizes(total, fr);
  const t = counts.map((m) => partSizes(m, fr)[0]);
  fixTotal(t, tTotal, counts.map((m) => m * fr[0]), counts);
  const left = counts.map((m, c) => m - t[c]);
  const v = counts.map((m, c) => (fr[2] === 0 ? left[c] : Math.min(left[c], Math.round(m * fr[1]))));
  if (fr[2] !== 0) fixTotal(v, vTotal, counts.map((m) => m * fr[1]), left);
  return [t, v];
}

/** Moves q's sum to target by ±1 steps where q is furthest from ideal, within [0, room]. */
function fixTotal(q: number[], target: number, ideal: number[], room: number[]): void {
  let sum = q.reduce((a, b) => a + b, 0);
  while (sum !== target) {
    const up = sum < target;
    let best = -1;
    for (let c = 0; c < q.length; c++) {
      if (up ? q[c] >= room[c] : q[c] <= 0) continue;
      const off = up ? ideal[c] - q[c] : q[c] - ideal[c];
      if (best < 0 || off > (up ? ideal[best] - q[best] : q[best] - ideal[best])) best = c;
    }
    if (best < 0) return;
    q[best] += up ? 1 : -1;
    sum += up ? 1 : -1;
  }
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
  const labels = groups.flatMap((g, c) => (g ? [c] : []));
  for (const c of labels) shuffleInPlace(groups[c], deriveSeed(seed, c));
  const [t, v] = classQuotas(labels.map((c) => groups[c].length), fr);
  labels.forEach((c, k) => {
    const g = groups[c];
    parts[0].push(...g.slice(0, t[k]));
    parts[1].push(...g.slice(t[k], t[k] + v[k]));
    parts[2].push(...g.slice(t[k] + v[k]));
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
