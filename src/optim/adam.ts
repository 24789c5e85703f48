// Adam and AdamW (torch.optim.Adam / AdamW, 1.13): per-parameter step counts,
// bias corrections computed in double, AMSGrad, maximize, L2 (Adam) or
// decoupled (AdamW) weight decay.
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions, type OptionSpecs } from './options';
import { Optimizer, nextStep, stateBuffer, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

export interface AdamOptions {
  lr: number;
  /** [beta1, beta2], each in [0, 1). */
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  skipNonFinite: boolean;
}
export type AdamWOptions = AdamOptions;

function adamOptions(weightDecay: number): OptionSpecs {
  return {
    ...commonOptions(1e-3),
    betas: { kind: 'betas', default: [0.9, 0.999] },
    eps: { kind: 'rate', default: 1e-8 },
    weightDecay: { kind: 'rate', default: weightDecay },
    amsgrad: { kind: 'flag', default: false },
  };
}

const STATE_KEYS = ['step', 'exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];
const REQUIRED = ['step', 'exp_avg', 'exp_avg_sq'];

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected prepare(g: ParamGroup<AdamOptions>, params: Parameter[], states: ParamState[]): KernelCall {
    const [beta1, beta2] = g.betas;
    const perTensor = new Float64Array(2 * params.length);
    states.forEach((st, t) => {
      // The step count is per parameter and starts at 1.
      const step = nextStep(st);
      const n = params[t].data.length;
      stateBuffer(st, 'exp_avg', n);
      stateBuffer(st, 'exp_avg_sq', n);
      if (g.amsgrad) stateBuffer(st, 'max_exp_avg_sq', n);
      perTensor[2 * t] = -(g.lr / (1 - beta1 ** step));
      perTensor[2 * t + 1] = Math.sqrt(1 - beta2 ** step);
    });
    const decay = this.decoupled && g.weightDecay !== 0;
    return {
      kernel: 'adamStep',
      buffers: g.amsgrad ? ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'] : ['exp_avg', 'exp_avg_sq'],
      scalars: Float64Array.of(beta1, 1 - beta1, beta2, 1 - beta2, g.eps, g.weightDecay, 1 - g.lr * g.weightDecay),
      perTensor,
      flags:
        (g.maximize ? OPT.MAXIMIZE : 0) |
        (!this.decoupled && g.weightDecay !== 0 ? OPT.WEIGHT_DECAY : 0) |
        (decay ? OPT.DECOUPLED : 0) |
        (g.amsgrad ? OPT.AMSGRAD : 0),
    };
  }
}

/** Adam; weightDecay is L2, added to the gradient. */
export class Adam extends AdamBase {
  protected readonly decoupled = false;
  constructor(params: Parameter[] | ParamGroupInput<AdamOptions>[], options?: Partial<AdamOptions>) {
    super({ name: 'Adam', options: adamOptions(0), stateKeys: STATE_KEYS, requiredStateKeys: REQUIRED }, params, options);
  }
}

/** AdamW: decoupled weight decay, p ← p·(1 − lr·weightDecay), default 0.01. */
export class AdamW extends AdamBase {
  protected readonly decoupled = true;
  constructor(params: Parameter[] | ParamGroupInput<AdamWOptions>[], options?: Partial<AdamWOptions>) {
    super({ name: 'AdamW', options: adamOptions(1e-2), stateKeys: STATE_KEYS, requiredStateKeys: REQUIRED }, params, options);
  }
}
