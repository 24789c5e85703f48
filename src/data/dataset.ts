// Dataset: n samples of d float32 features (row-major [n, d]) and one integer
// class label each. Everything in data/ works on this one shape.
import { checkInteger, describe } from '../errors';

/** The most classes a Dataset may have (labels are class indices below it). */
export const MAX_CLASSES = 65536;

export class Dataset {
  /** Row-major [n, d]. */
  readonly features: Float32Array;
  /** One class index (>= 0) per sample. */
  readonly labels: Int32Array;
  /** Number of samples. */
  readonly n: number;
  /** Features per sample. */
  readonly d: number;
  /** The shape of one sample before flattening (e.g. [28, 28] for IDX images); defaults to [d]. */
  readonly sampleShape: number[];

  constructor(features: Float32Array, labels: Int32Array, d: number, sampleShape?: number[]) {
    if (!(features instanceof Float32Array)) throw new TypeError(`features must be a Float32Array, got ${describe(features)}`);
    if (!(labels instanceof Int32Array)) throw new TypeError(`labels must be an Int32Array, got ${describe(labels)}`);
    checkInteger(d, 'd', 1);
    if (features.length !== labels.length * d) {
      throw new RangeError(`features has ${features.length} values but ${labels.length} labels × d=${d} need ${labels.length * d}`);
    }
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] < 0 || labels[i] >= MAX_CLASSES) throw new RangeError(`labels[${i}] must be a class index in [0, ${MAX_CLASSES}), got ${labels[i]}`);
    }
    const shape = sampleShape ?? [d];
    if (shape.reduce((a, b) => a * b, 1) !== d) throw new RangeError(`sampleShape [${shape.join(', ')}] does not hold d=${d} features`);
    this.features = features;
    this.labels = labels;
    this.n = labels.length;
    this.d = d;
    this.sampleShape = [...shape];
  }

  /** [n, d]. */
  get shape(): [number, number] {
    return [this.n, this.d];
  }

  /** Largest label + 1 (0 for an empty dataset). */
  get numClasses(): number {
    let m = -1;
    for (let i = 0; i < this.labels.length; i++) if (this.labels[i] > m) m = this.labels[i];
    return m + 1;
  }

  /** The samples at `indices`, in that order, as a new Dataset (copies). */
  subset(indices: ArrayLike<number>): Dataset {
    if (!Array.isArray(indices) && !(ArrayBuffer.isView(indices) && !(indices instanceof DataView))) {
      throw new TypeError(`indices must be an array of sample indices, got ${describe(indices)}`);
    }
    const d = this.d;
    const x = new Float32Array(indices.length * d);
    const y = new Int32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const i = indices[k];
      if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new RangeError(`indices[${k}] must be an integer in [0, ${this.n - 1}], got ${i}`);
      x.set(this.features.subarray(i * d, i * d + d), k * d);
      y[k] = this.labels[i];
    }
    return new Dataset(x, y, d, this.sampleShape);
  }

  /** How many samples each class has (index = label). */
  classCounts(): number[] {
    const counts = new Array<number>(this.numClasses).fill(0);
    for (let i = 0; i < this.n; i++) counts[this.labels[i]]++;
    return counts;
  }
}

/** Checks that v is a Dataset (a TypeError naming `name` otherwise). */
export function checkDataset(v: unknown, name: string): Dataset {
  if (!(v instanceof Dataset)) throw new TypeError(`${name} must be a data.Dataset, got ${describe(v)}`);
  return v;
}
