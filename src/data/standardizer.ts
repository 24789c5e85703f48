// Per-feature standardization, x' = (x − mean) / std, fitted on the training
// split only and applied to every split. mean and std are kept as float32, so
// a standardizer restored from a checkpoint transforms to the same bits.
import { checkRange } from '../errors';
import { checkDataset, Dataset } from './dataset';

export interface StandardizerState {
  mean: number[];
  std: number[];
}

export class Standardizer {
  mean: Float32Array = new Float32Array(0);
  /** Population std (ddof 0, as scikit-learn); a constant feature gets 1, so it maps to 0. */
  std: Float32Array = new Float32Array(0);

  /** Fits mean and std per feature (accumulated in double). Returns this. */
  fit(ds: Dataset): this {
    checkDataset(ds, 'ds');
    if (ds.n === 0) throw new RangeError('Standardizer.fit needs at least one sample');
    const { n, d, features: x } = ds;
    const sum = new Float64Array(d);
    for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sum[j] += x[i * d + j];
    const mean = sum.map((s) => s / n);
    const sq = new Float64Array(d);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < d; j++) {
        const c = x[i * d + j] - mean[j];
        sq[j] += c * c;
      }
    }
    this.mean = Float32Array.from(mean);
    this.std = Float32Array.from(sq, (s) => {
      const sd = Math.sqrt(s / n);
      return sd > 1e-12 ? sd : 1;
    });
    return this;
  }

  private checkFitted(d: number): void {
    if (this.mean.length === 0) throw new Error('Standardizer: call fit() (or fromJSON) before transform()');
    if (d !== this.mean.length) throw new RangeError(`Standardizer was fitted on ${this.mean.length} features, got ${d}`);
  }

  /** Standardizes rows of d features in place (float32 arithmetic). */
  transformArray(x: Float32Array, d: number): Float32Array {
    this.checkFitted(d);
    const f = Math.fround;
    for (let i = 0; i < x.length; i += d) {
      for (let j = 0; j < d; j++) x[i + j] = f(f(x[i + j] - this.mean[j]) / this.std[j]);
    }
    return x;
  }

  /** A standardized copy of the dataset. */
  transform(ds: Dataset): Dataset {
    checkDataset(ds, 'ds');
    return new Dataset(this.transformArray(ds.features.slice(), ds.d), ds.labels.slice(), ds.d, ds.sampleShape);
  }

  toJSON(): StandardizerState {
    return { mean: Array.from(this.mean), std: Array.from(this.std) };
  }

  static fromJSON(state: StandardizerState | string): Standardizer {
    let s = state as StandardizerState;
    if (typeof state === 'string') {
      try {
        s = JSON.parse(state) as StandardizerState;
      } catch (e) {
        throw new TypeError(`Standardizer state is not valid JSON (${(e as Error).message})`);
      }
    }
    if (!s || !Array.isArray(s.mean) || !Array.isArray(s.std) || s.mean.length !== s.std.length) {
      throw new TypeError('Standardizer state must be {mean: number[], std: number[]} of equal lengths');
    }
    // Stored as float32: the values must stay finite (and std > 0) after rounding.
    const f32 = (v: unknown, name: string, min: number, form: string) => {
      const x = checkRange(v, name, min, Infinity, form);
      if (!(Math.fround(x) >= min) || !Number.isFinite(Math.fround(x))) throw new RangeError(`${name} must be ${form} that float32 can hold, got ${x}`);
      return x;
    };
    const mean = Float32Array.from(s.mean, (v, j) => f32(v, `state.mean[${j}]`, -Infinity, 'a finite number'));
    const std = Float32Array.from(s.std, (v, j) => f32(v, `state.std[${j}]`, Number.MIN_VALUE, 'a finite number > 0'));
    const z = new Standardizer();
    z.mean = mean;
    z.std = std;
    return z;
  }
}
