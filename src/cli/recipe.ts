// The default training recipe: the MLP, its initialization, the optimizer and
// the learning-rate schedule, built from a plain config (the same config is
// stored in checkpoints, so predict and resume rebuild the same network).
import { init, lrScheduler, nn, optim } from '../index';
import type { Module } from '../nn/module';
import type { OptimizerLike, SchedulerLike } from '../train/types';

export const ACTIVATIONS = ['relu', 'leakyrelu', 'tanh', 'sigmoid', 'gelu'] as const;
export const OPTIMIZERS = ['sgd', 'momentum', 'adam', 'adamw', 'rmsprop', 'adagrad'] as const;
export const SCHEDULES = ['step', 'exp', 'cosine', 'onecycle', 'plateau', 'none'] as const;

export interface ModelConfig {
  inputs: number;
  classes: number;
  hidden: number[];
  activation: (typeof ACTIVATIONS)[number];
  dropout: number;
  batchnorm: boolean;
}

/** The most hidden layers and the widest layer a stored model config may describe. */
const MAX_LAYERS = 64;
const MAX_WIDTH = 65536;

/**
 * A model config read back from a checkpoint: every field of the form
 * buildModel expects (the CLI's own values always are). Returns the weight
 * elements it implies, so a config can be checked against the stored weights
 * before anything that large is allocated.
 */
export function checkModelConfig(c: unknown): number {
  const bad = (what: string) => new RangeError(`its model config ${what}`);
  if (typeof c !== 'object' || c === null || Array.isArray(c)) throw bad('is not an object');
  const m = c as Record<string, unknown>;
  const width = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= MAX_WIDTH;
  if (!width(m.inputs) || !width(m.classes)) throw bad(`needs inputs and classes in [1, ${MAX_WIDTH}]`);
  if (!Array.isArray(m.hidden) || m.hidden.length > MAX_LAYERS || !m.hidden.every(width)) throw bad(`needs hidden: at most ${MAX_LAYERS} widths in [1, ${MAX_WIDTH}]`);
  if (!ACTIVATIONS.includes(m.activation as never)) throw bad(`has an unknown activation ${JSON.stringify(m.activation)}`);
  if (typeof m.dropout !== 'number' || !(m.dropout >= 0 && m.dropout < 1)) throw bad('needs dropout in [0, 1)');
  if (typeof m.batchnorm !== 'boolean') throw bad('needs batchnorm true or false');
  const dims = [m.inputs as number, ...(m.hidden as number[]), m.classes as number];
  return dims.slice(1).reduce((n, out, i) => n + out * dims[i], 0);
}

function activation(name: ModelConfig['activation']): Module {
  switch (name) {
    case 'relu':
      return new nn.ReLU();
    case 'leakyrelu':
      return new nn.LeakyReLU();
    case 'tanh':
      return new nn.Tanh();
    case 'sigmoid':
      return new nn.Sigmoid();
    case 'gelu':
      return new nn.GELU();
  }
}

/**
 * [Linear → BatchNorm1d → activation → Dropout] per hidden layer, then a Linear
 * to the classes. Hidden weights get He (kaiming normal) init for the
 * activation, biases 0; the last layer keeps PyTorch's default init.
 */
export function buildModel(c: ModelConfig): Module {
  const layers: Module[] = [];
  let width = c.inputs;
  for (const h of c.hidden) {
    const lin = new nn.Linear(width, h);
    const nonlinearity = c.activation === 'leakyrelu' ? 'leaky_relu' : c.activation === 'tanh' ? 'tanh' : c.activation === 'sigmoid' ? 'sigmoid' : 'relu';
    init.kaimingNormal(lin.weight, { mode: 'fan_in', nonlinearity, ...(nonlinearity === 'leaky_relu' ? { a: 0.01 } : {}) });
    if (lin.bias) init.zeros(lin.bias);
    layers.push(lin);
    if (c.batchnorm) layers.push(new nn.BatchNorm1d(h));
    layers.push(activation(c.activation));
    if (c.dropout > 0) layers.push(new nn.Dropout(c.dropout));
    width = h;
  }
  layers.push(new nn.Linear(width, c.classes));
  return new nn.Sequential(...layers);
}

export function buildOptimizer(model: Module, name: (typeof OPTIMIZERS)[number], lr: number, weightDecay: number): OptimizerLike {
  const params = model.parameters();
  switch (name) {
    case 'sgd':
      return new optim.SGD(params, { lr, weightDecay });
    case 'momentum':
      return new optim.SGD(params, { lr, momentum: 0.9, nesterov: true, weightDecay });
    case 'adam':
      return new optim.Adam(params, { lr, weightDecay });
    case 'adamw':
      return new optim.AdamW(params, { lr, weightDecay });
    case 'rmsprop':
      return new optim.RMSprop(params, { lr, weightDecay });
    case 'adagrad':
      return new optim.Adagrad(params, { lr, weightDecay });
  }
}

/** StepLR's interval in the recipe: the lr drops tenfold about three times over the run. */
export function stepSize(epochs: number): number {
  return Math.max(1, Math.round(epochs / 3));
}

/** The scheduler and whether it steps per batch (OneCycleLR) rather than per epoch. */
export function buildScheduler(
  optimizer: OptimizerLike,
  name: (typeof SCHEDULES)[number],
  { epochs, stepsPerEpoch, lr, patience }: { epochs: number; stepsPerEpoch: number; lr: number; patience: number },
): { scheduler?: SchedulerLike; interval: 'epoch' | 'batch' } {
  const opt = optimizer as never;
  switch (name) {
    case 'none':
      return { interval: 'epoch' };
    case 'step':
      return { scheduler: new lrScheduler.StepLR(opt, { stepSize: stepSize(epochs), gamma: 0.1 }), interval: 'epoch' };
    case 'exp':
      return { scheduler: new lrScheduler.ExponentialLR(opt, { gamma: 0.95 }), interval: 'epoch' };
    case 'cosine':
      return { scheduler: new lrScheduler.CosineAnnealingLR(opt, { tMax: epochs }), interval: 'epoch' };
    case 'onecycle':
      return { scheduler: new lrScheduler.OneCycleLR(opt, { maxLr: lr, epochs, stepsPerEpoch }), interval: 'batch' };
    case 'plateau':
      return { scheduler: new lrScheduler.ReduceLROnPlateau(opt, { patience: Math.max(1, Math.floor(patience / 2)) }), interval: 'epoch' };
  }
}
