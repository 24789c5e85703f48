// RMSprop (torch.optim.RMSprop, 1.13): centered variant, momentum, weight decay, maximize.
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions } from './options';
import { Optimizer, nextStep, noPerTensor, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

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
  stateKeys: ['step', 'square_avg', 'momentum_buffer', 'grad_avg'],
  requiredStateKeys: ['step', 'square_avg'],
} as const;

// By [centered] + 2·[momentum > 0]: the kernel's list order.
const BUFFERS = [
  ['square_avg'],
  ['square_avg', 'grad_avg'],
  ['square_avg', 'momentum_buffer'],
  ['square_avg', 'grad_avg', 'momentum_buffer'],
];

export class RMSprop extends Optimizer<RMSpropOptions> {
  constructor(params: Parameter[] | ParamGroupInput<RMSpropOptions>[], options?: Partial<RMSpropOptions>) {
    super(SPEC, params, options);
  }

  protected buffers(g: RMSpropOptions): readonly string[] {
    return BUFFERS[(g.centered ? 1 : 0) + (g.momentum > 0 ? 2 : 0)];
  }

  protected prepare(g: ParamGroup<RMSpropOptions>, states: ParamState[]): KernelCall {
    for (const st of states) nextStep(st);
    return {
      kernel: 'rmspropStep',
      scalars: Float64Array.of(-g.lr, g.alpha, 1 - g.alpha, g.eps, g.weightDecay, g.momentum),
      perTensor: noPerTensor(),
      flags:
        (g.maximize ? OPT.MAXIMIZE : 0) |
        (g.weightDecay !== 0 ? OPT.WEIGHT_DECAY : 0) |
        (g.centered ? OPT.CENTERED : 0) |
        (g.momentum > 0 ? OPT.MOMENTUM : 0),
    };
  }
}
