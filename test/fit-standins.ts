// Minimal layers for the trainer's unit tests: a plain-TS Linear,
// Sequential and cross-entropy, so fit()'s control flow (early stopping,
// checkpoints, logs, diagnostics) is tested apart from the real kernels.
import { Module } from '../src/nn/module';
import { Parameter, Tensor } from '../src/tensor';
import { rng } from './helpers';

export class TinyLinear extends Module {
  weight: Parameter;
  bias: Parameter;
  private x?: Tensor;
  constructor(readonly inF: number, readonly outF: number, seed = 1) {
    super();
    const r = rng(seed);
    const s = 1 / Math.sqrt(inF);
    this.weight = new Parameter(Float32Array.from({ length: inF * outF }, () => (2 * r() - 1) * s), [outF, inF]);
    this.bias = new Parameter(new Float32Array(outF), [outF]);
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
  }
  forward(x: Tensor): Tensor {
    this.x = x;
    const b = x.shape[0];
    const y = new Float32Array(b * this.outF);
    for (let i = 0; i < b; i++)
      for (let o = 0; o < this.outF; o++) {
        let s = this.bias.data[o];
        for (let k = 0; k < this.inF; k++) s += x.data[i * this.inF + k] * this.weight.data[o * this.inF + k];
        y[i * this.outF + o] = s;
      }
    return new Tensor(y, [b, this.outF]);
  }
  backward(g: Tensor): Tensor {
    const x = this.x as Tensor;
    const b = x.shape[0];
    const gx = new Float32Array(b * this.inF);
    for (let i = 0; i < b; i++)
      for (let o = 0; o < this.outF; o++) {
        const go = g.data[i * this.outF + o];
        this.bias.grad[o] += go;
        for (let k = 0; k < this.inF; k++) {
          this.weight.grad[o * this.inF + k] += go * x.data[i * this.inF + k];
          gx[i * this.inF + k] += go * this.weight.data[o * this.inF + k];
        }
      }
    return new Tensor(gx, x.shape);
  }
}

// The real ReLU: the dead-unit probe recognises it by class.
export { ReLU } from '../src/nn/activation';

export class TinySequential extends Module {
  readonly layers: Module[];
  constructor(...layers: Module[]) {
    super();
    this.layers = layers;
    layers.forEach((m, i) => this.registerModule(String(i), m));
  }
  forward(x: Tensor): Tensor {
    return this.layers.reduce((h, m) => m.forward(h), x);
  }
  backward(g: Tensor): Tensor {
    return this.layers.reduceRight((h, m) => m.backward(h), g);
  }
}

export class TinyCrossEntropy {
  private grad?: Tensor;
  forward(input: Tensor, target: Int32Array): number {
    const [b, c] = input.shape;
    const g = new Float32Array(b * c);
    let loss = 0;
    for (let i = 0; i < b; i++) {
      const row = input.data.subarray(i * c, i * c + c);
      const m = Math.max(...row);
      const z = row.reduce((a, v) => a + Math.exp(v - m), 0);
      loss += Math.log(z) + m - row[target[i]];
      for (let j = 0; j < c; j++) g[i * c + j] = (Math.exp(row[j] - m) / z - (j === target[i] ? 1 : 0)) / b;
    }
    this.grad = new Tensor(g, [b, c]);
    return loss / b;
  }
  backward(): Tensor {
    return this.grad as Tensor;
  }
}

export class TinySGD {
  paramGroups: { lr: number }[];
  constructor(private readonly params: Parameter[], lr: number) {
    this.paramGroups = [{ lr }];
  }
  step(): void {
    const lr = this.paramGroups[0].lr;
    for (const p of this.params) for (let i = 0; i < p.data.length; i++) p.data[i] -= lr * p.grad[i];
  }
  zeroGrad(): void {
    for (const p of this.params) p.grad.fill(0);
  }
  stateDict(): unknown {
    return { lr: this.paramGroups[0].lr };
  }
  loadStateDict(sd: { lr: number }): void {
    this.paramGroups[0].lr = sd.lr;
  }
}
