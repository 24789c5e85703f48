// RMSprop (torch.optim.RMSprop, 1.13): centered variant, momentum, weight decay, maximize.
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions } from './options';
import { Optimizer, nextStep, noPerTensor, stateBuffer, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

export interface RMSpropOptions {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
  skipNonFinite: boolean;
}

const SPEC = {
  name: 'RMSprop',
  options: {
    ...commonOptions(1e-2),
    alpha: { kind: 'rate', default: 0.99 },
    eps: { kind: 'rate', default: 1e-8 },
    weightDecay: { kind: 'rate', default: 0 },
    momentum: { kind: 'rate', default: 0 },
    centered: { kind: 'flag', default: false },
  },
  stateKeys: ['step', 'square_avg', 'grad_avg', 'momentum_buffer'],
  requiredStateKeys: ['step', 'square_avg'],
} as const;

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Parameter[] | ParamGroupInput<RMSpropOptions>[], options?: Partial<RMSpropOptions>) {
    super(SPEC, params, options);
  }

  protected prepare(g: ParamGroup<RMSpropOptions>, params: Parameter[], states: ParamState[]): KernelCall {
    const useMomentum = g.momentum > 0;
    const buffers = ['square_avg', ...(g.centered ? ['grad_avg'] : []), ...(useMomentum ? ['momentum_buffer'] : [])];
    states.forEach((st, t) => {
      nextStep(st);
      for (const b of buffers) stateBuffer(st, b, params[t].data.length);
    });
    return {
      kernel: 'rmspropStep',
      buffers,
      scalars: Float64Array.of(-g.lr, g.alpha, 1 - g.alpha, g.eps, g.weightDecay, g.momentum),
      perTensor: noPerTensor(),
      flags:
        (g.maximize ? OPT.MAXIMIZE : 0) |
        (g.weightDecay !== 0 ? OPT.WEIGHT_DECAY : 0) |
        (g.centered ? OPT.CENTERED : 0) |
        (useMomentum ? OPT.MOMENTUM : 0),
    };
  }
}
