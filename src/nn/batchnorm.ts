// Batch normalization, PyTorch's semantics: training normalizes with the batch
// mean and biased variance and updates the running statistics (with the
// unbiased variance); eval uses the running statistics. Inputs are viewed as
// [N, C, L] (L = 1 for [N, C], H*W for [N, C, H, W]).
//
// Per-channel scalars (mean, 1/sqrt(var + eps), the backward coefficients)
// are computed here in double, once, and passed to the kernels, so both
// backends see the same values.
import { K } from '../backend';
import { checkBoolean, checkInteger, checkKnownKeys, checkObject, checkRange } from '../errors';
import { uninitializedFloat32 } from '../alloc';
import { checkParameter, checkTensor, Parameter, Tensor } from '../tensor';
import { Module } from './module';

export interface BatchNormOptions {
  /** Added to the variance (default 1e-5). */
  eps?: number;
  /** Weight of the new batch in the running statistics (default 0.1); null: cumulative average. */
  momentum?: number | null;
  /** Learnable weight (init 1) and bias (init 0) (default true). */
  affine?: boolean;
  /** Keep running statistics for eval (default true); false: always use batch statistics. */
  trackRunningStats?: boolean;
}

/** What backward needs from the last forward. */
interface Saved {
  x: Float32Array;
  shape: number[];
  N: number;
  L: number;
  mean: Float64Array;
  invstd: Float64Array;
  /** Batch statistics were used (gradient through mean and variance). */
  batchStats: boolean;
}

function checkEps(v: unknown): number {
  return checkRange(v, 'eps', 0, Infinity, 'a finite number >= 0');
}

function checkMomentum(v: unknown): number | null {
  return v === null ? null : checkRange(v, 'momentum', 0, 1, 'a number in [0, 1] or null');
}

abstract class BatchNorm extends Module {
  readonly numFeatures: number;
  readonly eps: number;
  readonly momentum: number | null;
  readonly affine: boolean;
  readonly trackRunningStats: boolean;
  readonly weight: Parameter | null;
  readonly bias: Parameter | null;
  readonly runningMean: Tensor | null;
  readonly runningVar: Tensor | null;
  private readonly batchesTensor: Tensor | null;
  private saved: Saved | null = null;

  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super();
    // One Float32Array per channel state: at most 2^31 - 1 channels.
    this.numFeatures = checkInteger(numFeatures, 'numFeatures', 1, 2 ** 31 - 1);
    const o = checkObject(options, 'options');
    checkKnownKeys(o, 'options', ['eps', 'momentum', 'affine', 'trackRunningStats']);
    this.eps = o.eps === undefined ? 1e-5 : checkEps(o.eps);
    this.momentum = o.momentum === undefined ? 0.1 : checkMomentum(o.momentum);
    this.affine = o.affine === undefined ? true : checkBoolean(o.affine, 'affine');
    this.trackRunningStats = o.trackRunningStats === undefined ? true : checkBoolean(o.trackRunningStats, 'trackRunningStats');
    const C = this.numFeatures;
    this.weight = this.affine ? new Parameter(new Float32Array(C).fill(1), [C]) : null;
    this.bias = this.affine ? new Parameter(new Float32Array(C), [C]) : null;
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
    const track = this.trackRunningStats;
    this.runningMean = track ? new Tensor(new Float32Array(C), [C]) : null;
    this.runningVar = track ? new Tensor(new Float32Array(C).fill(1), [C]) : null;
    this.batchesTensor = track ? new Tensor(new Float32Array(1), []) : null;
    this.registerBuffer('running_mean', this.runningMean);
    this.registerBuffer('running_var', this.runningVar);
    this.registerBuffer('num_batches_tracked', this.batchesTensor);
  }

  /** Checks x's rank and channel count; returns [N, L]. */
  protected abstract dims(x: Tensor): [number, number];

  protected checkChannels(x: Tensor): void {
    if (x.shape[1] !== this.numFeatures) {
      throw new RangeError(`x must have ${this.numFeatures} channels (dimension 1), got shape [${x.shape.join(', ')}]`);
    }
  }

  /**
   * Training forwards seen since construction (or the last reset), read from
   * the num_batches_tracked buffer, so a loaded state dict sets it too however
   * the load reached this module. 0 without running statistics.
   */
  get numBatchesTracked(): number {
    return this.batchesTensor ? this.batchesTensor.data[0] : 0;
  }

  /** Running mean 0, running variance 1, no batches tracked. */
  resetRunningStats(): void {
    this.runningMean?.data.fill(0);
    this.runningVar?.data.fill(1);
    if (this.batchesTensor) this.batchesTensor.data[0] = 0;
  }

  /** Running statistics reset, weight 1, bias 0. */
  resetParameters(): void {
    this.resetRunningStats();
    this.weight?.data.fill(1);
    this.bias?.data.fill(0);
  }

  /**
   * Parameters and running statistics are public: replaced arrays must still
   * hold one value per channel. eps and momentum are readonly only to
   * TypeScript, so they are checked again too.
   */
  private checkState(): void {
    checkEps(this.eps);
    checkMomentum(this.momentum);
    if (this.weight) checkParameter(this.weight, 'weight');
    if (this.bias) checkParameter(this.bias, 'bias');
    for (const [t, name] of [[this.runningMean, 'runningMean'], [this.runningVar, 'runningVar']] as const) {
      if (t && (checkTensor(t, name).size !== this.numFeatures)) {
        throw new RangeError(`${name} must hold ${this.numFeatures} values (one per channel), got ${t.size}`);
      }
    }
    // A loaded state dict may carry any float here; the cumulative average divides by it.
    if (this.batchesTensor) checkInteger(checkTensor(this.batchesTensor, 'num_batches_tracked').data[0], 'num_batches_tracked', 0);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'x');
    this.checkState();
    const [N, L] = this.dims(x);
    const C = this.numFeatures, M = N * L;
    const batchStats = this.training || !this.trackRunningStats;
    if (this.training && M <= 1) {
      throw new RangeError(`Expected more than 1 value per channel when training, got input size [${x.shape.join(', ')}]`);
    }
    const mean = new Float64Array(C), invstd = new Float64Array(C);
    if (batchStats) {
      const sum = new Float64Array(C), sumsq = new Float64Array(C);
      K().bnStats(x.data, N, C, L, sum, sumsq);
      const varBiased = new Float64Array(C);
      for (let c = 0; c < C; c++) {
        mean[c] = sum[c] / M;
        varBiased[c] = Math.max(0, (sumsq[c] - sum[c] * mean[c]) / M);
        invstd[c] = 1 / Math.sqrt(varBiased[c] + this.eps);
      }
      if (this.training && this.trackRunningStats) this.updateRunningStats(mean, varBiased, M);
    } else {
      for (let c = 0; c < C; c++) {
        mean[c] = this.runningMean!.data[c];
        invstd[c] = 1 / Math.sqrt(this.runningVar!.data[c] + this.eps);
      }
    }
    // PyTorch's CPU form y = x * alpha + beta, alpha = w * invstd, beta = b - mean * alpha,
    // with alpha and beta computed in double and rounded to float once.
    const alpha = new Float32Array(C), beta = new Float32Array(C);
    for (let c = 0; c < C; c++) {
      const a = this.weight ? this.weight.data[c] * invstd[c] : invstd[c];
      alpha[c] = a;
      beta[c] = (this.bias ? this.bias.data[c] : 0) - mean[c] * a;
    }
    const y = new Tensor(uninitializedFloat32(x.size), x.shape); // bnApply writes every element
    K().bnApply(x.data, y.data, N, C, L, alpha, beta);
    this.saved = { x: x.data, shape: [...x.shape], N, L, mean, invstd, batchStats };
    return y;
  }

  private updateRunningStats(mean: Float64Array, varBiased: Float64Array, M: number): void {
    const batches = (this.batchesTensor!.data[0] += 1);
    const f = this.momentum === null ? 1 / batches : this.momentum;
    const rm = this.runningMean!.data, rv = this.runningVar!.data;
    for (let c = 0; c < this.numFeatures; c++) {
      rm[c] = (1 - f) * rm[c] + f * mean[c];
      rv[c] = (1 - f) * rv[c] + f * (varBiased[c] * M / (M - 1));
    }
  }

  /**
   * The input gradient for the last forward; accumulates into weight.grad and
   * bias.grad. With batch statistics the gradient flows through the mean and
   * variance; with running statistics (eval) it is a per-channel scale.
   */
  backward(gradOutput: Tensor): Tensor {
    checkTensor(gradOutput, 'gradOutput');
    const s = this.saved;
    if (!s) throw new Error('BatchNorm.backward called before forward');
    if (gradOutput.shape.length !== s.shape.length || gradOutput.shape.some((d, i) => d !== s.shape[i])) {
      throw new RangeError(`gradOutput must have shape [${s.shape.join(', ')}], got [${gradOutput.shape.join(', ')}]`);
    }
    const C = this.numFeatures, M = s.N * s.L;
    if (s.x.length !== M * C) throw new RangeError(`the input kept from forward now holds ${s.x.length} elements, expected ${M * C} (was its buffer detached?)`);
    this.checkState();
    const sumG = new Float64Array(C), sumGx = new Float64Array(C);
    K().bnBackwardSums(gradOutput.data, s.x, s.N, C, s.L, s.mean, sumG, sumGx);
    const k1 = new Float64Array(C), k2 = new Float64Array(C), k3 = new Float64Array(C);
    for (let c = 0; c < C; c++) {
      const w = this.weight ? this.weight.data[c] : 1;
      k1[c] = sumG[c] / M;
      k2[c] = s.invstd[c] * s.invstd[c] * sumGx[c] / M;
      k3[c] = s.invstd[c] * w;
      if (this.weight) this.weight.grad[c] += sumGx[c] * s.invstd[c];
      if (this.bias) this.bias.grad[c] += sumG[c];
    }
    const dx = new Tensor(uninitializedFloat32(gradOutput.size), s.shape); // bnBackwardApply writes every element
    K().bnBackwardApply(gradOutput.data, s.x, dx.data, s.N, C, s.L, s.mean, k1, k2, k3, s.batchStats);
    return dx;
  }
}

/** Batch norm over [N, C] or [N, C, L] inputs. */
export class BatchNorm1d extends BatchNorm {
  protected dims(x: Tensor): [number, number] {
    if (x.shape.length !== 2 && x.shape.length !== 3) {
      throw new RangeError(`BatchNorm1d expects a 2-D [N, C] or 3-D [N, C, L] input, got shape [${x.shape.join(', ')}]`);
    }
    this.checkChannels(x);
    return [x.shape[0], x.shape.length === 3 ? x.shape[2] : 1];
  }
}

/** Batch norm over [N, C, H, W] inputs. */
export class BatchNorm2d extends BatchNorm {
  protected dims(x: Tensor): [number, number] {
    if (x.shape.length !== 4) throw new RangeError(`BatchNorm2d expects a 4-D [N, C, H, W] input, got shape [${x.shape.join(', ')}]`);
    this.checkChannels(x);
    return [x.shape[0], x.shape[2] * x.shape[3]];
  }
}
