// DataLoader: mini-batches of a Dataset. Each pass over it (an epoch) draws a
// new permutation from (seed, epoch), so a run can resume at any epoch and see
// exactly the batches an uninterrupted run would have seen.
import { checkBoolean, checkInteger, checkKnownKeys, checkObject } from '../errors';
import { Tensor } from '../tensor';
import { checkDataset, Dataset } from './dataset';
import { deriveSeed, permutation } from './random';

export interface DataLoaderOptions {
  /** Samples per batch (default 1, as PyTorch). */
  batchSize?: number;
  /** Reshuffle every epoch (default false). */
  shuffle?: boolean;
  /** Seed of the shuffles (default 0). */
  seed?: number;
  /** Drop the last, smaller batch (default false). */
  dropLast?: boolean;
}

export interface Batch {
  /** [b, d] features. */
  x: Tensor;
  /** b labels. */
  y: Int32Array;
}

export class DataLoader implements Iterable<Batch> {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly shuffle: boolean;
  readonly seed: number;
  readonly dropLast: boolean;
  /** The epoch the next iteration draws its order for; advances after each full or partial pass. */
  epoch = 0;

  constructor(dataset: Dataset, opts: DataLoaderOptions = {}) {
    checkDataset(dataset, 'dataset');
    checkKnownKeys(checkObject(opts, 'options'), 'DataLoader', ['batchSize', 'shuffle', 'seed', 'dropLast']);
    this.dataset = dataset;
    this.batchSize = checkInteger(opts.batchSize ?? 1, 'batchSize', 1);
    this.shuffle = checkBoolean(opts.shuffle ?? false, 'shuffle');
    this.seed = checkInteger(opts.seed ?? 0, 'seed', 0, 0xffffffff);
    this.dropLast = checkBoolean(opts.dropLast ?? false, 'dropLast');
  }

  /** Number of batches per epoch. */
  get length(): number {
    const n = this.dataset.n;
    return this.dropLast ? Math.floor(n / this.batchSize) : Math.ceil(n / this.batchSize);
  }

  /** Sets the epoch whose order the next iteration uses (to resume). */
  setEpoch(epoch: number): void {
    this.epoch = checkInteger(epoch, 'epoch', 0);
  }

  /** The sample order of an epoch. */
  order(epoch = this.epoch): Int32Array {
    const n = this.dataset.n;
    if (!this.shuffle) return Int32Array.from({ length: n }, (_, i) => i);
    return permutation(n, deriveSeed(this.seed, epoch));
  }

  *[Symbol.iterator](): Iterator<Batch> {
    const order = this.order();
    this.epoch++;
    const { d, features, labels } = this.dataset;
    for (let b = 0; b < this.length; b++) {
      const idx = order.subarray(b * this.batchSize, Math.min(order.length, (b + 1) * this.batchSize));
      const x = new Float32Array(idx.length * d);
      const y = new Int32Array(idx.length);
      for (let k = 0; k < idx.length; k++) {
        x.set(features.subarray(idx[k] * d, idx[k] * d + d), k * d);
        y[k] = labels[idx[k]];
      }
      yield { x: new Tensor(x, [idx.length, d]), y };
    }
  }
}
