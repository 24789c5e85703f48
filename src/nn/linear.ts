// Linear: y = x·Wᵀ + b with weight [out, in], on the GEMM kernel. The input may
// have any leading dimensions ([..., in] → [..., out]), as in PyTorch.
import { K } from '../backend';
import { checkBoolean, checkInteger, checkKnownKeys, checkLastDim, checkObject, checkShapeEquals } from '../errors';
import * as init from '../init';
import type { Generator } from '../random';
import { checkParameter, checkTensor, Parameter, Tensor, zerosOfShape } from '../tensor';
import { Module } from './module';

export interface LinearOptions {
  /** Learn an additive bias (default true). */
  bias?: boolean;
  /** Generator for the initial weights (default: the global one). */
  generator?: Generator;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** [outFeatures, inFeatures] */
  readonly weight: Parameter;
  /** [outFeatures], or null with { bias: false } */
  readonly bias: Parameter | null;
  private input: Tensor | null = null;

  constructor(inFeatures: number, outFeatures: number, options: LinearOptions = {}) {
    super();
    this.inFeatures = checkInteger(inFeatures, 'inFeatures', 0);
    this.outFeatures = checkInteger(outFeatures, 'outFeatures', 0);
    const opts = checkObject(options, 'options');
    checkKnownKeys(opts, 'Linear', ['bias', 'generator']);
    const hasBias = checkBoolean(options.bias ?? true, 'bias');
    const generator = options.generator;
    this.weight = new Parameter(zerosOfShape([outFeatures, inFeatures], 'weight shape'), [outFeatures, inFeatures]);
    this.bias = hasBias ? new Parameter(new Float32Array(outFeatures), [outFeatures]) : null;
    // PyTorch's reset_parameters: kaiming_uniform(a=√5) gives U(±1/√fan_in) for the weight too.
    if (this.weight.size > 0) init.kaimingUniform(this.weight, { a: Math.sqrt(5), generator });
    if (this.bias && inFeatures > 0) {
      const bound = 1 / Math.sqrt(inFeatures);
      init.uniform(this.bias, { a: -bound, b: bound, generator });
    }
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
  }

  forward(x: Tensor): Tensor {
    checkTensor(x, 'input');
    checkLastDim(x.shape, this.inFeatures, 'input', 'inFeatures');
    this.checkParameters();
    const rows = this.inFeatures === 0 ? x.shape.slice(0, -1).reduce((a, b) => a * b, 1) : x.size / this.inFeatures;
    const out = this.outFeatures;
    const outShape = [...x.shape.slice(0, -1), out];
    const y = zerosOfShape(outShape, 'the output shape');
    if (this.bias && out > 0) for (let r = 0; r < rows; r++) y.set(this.bias.data, r * out);
    // Empty products are skipped: a [2^40, 0] input must not loop over its rows.
    if (y.length) K().gemm(false, true, rows, out, this.inFeatures, x.data, this.weight.data, y, this.bias !== null);
    this.input = x;
    return new Tensor(y, outShape);
  }

  /** weight and bias are public: a replaced data or grad array must still fit their shapes. */
  private checkParameters(): void {
    checkParameter(this.weight, 'weight');
    if (this.bias) checkParameter(this.bias, 'bias');
  }

  /** dX = dY·W; accumulates dW += dYᵀ·X and db += column sums of dY. */
  backward(gradOutput: Tensor): Tensor {
    const x = this.input;
    if (!x) throw new Error('Linear.backward called before forward');
    checkTensor(x, 'the input kept from forward');
    checkTensor(gradOutput, 'gradOutput');
    checkShapeEquals(gradOutput.shape, [...x.shape.slice(0, -1), this.outFeatures], 'gradOutput');
    this.checkParameters();
    const rows = x.shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const inF = this.inFeatures, out = this.outFeatures;
    const dx = zerosOfShape(x.shape, 'the input gradient shape');
    const k = K();
    if (dx.length) k.gemm(false, false, rows, inF, out, gradOutput.data, this.weight.data, dx, false);
    if (rows && out && inF) k.gemm(true, false, out, inF, rows, gradOutput.data, x.data, this.weight.grad, true);
    if (this.bias && rows && out) k.colSumAcc(gradOutput.data, rows, out, this.bias.grad);
    return new Tensor(dx, x.shape);
  }
}
