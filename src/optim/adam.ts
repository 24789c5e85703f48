// Adam and AdamW (torch.optim.Adam / AdamW, 1.13): per-parameter step counts,
// bias corrections computed in double, AMSGrad, maximize, L2 (Adam) or
// decoupled (AdamW) weight decay.
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions, type OptionSpecs } from './options';
import { Optimizer, nextStep, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

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
const BUFFERS = ['exp_avg', 'exp_avg_sq'];
const AMSGRAD_BUFFERS = ['exp_avg', 'exp_avg_sq', 'max_exp_avg_sq'];

abstract class AdamBase extends Optimizer<AdamOptions> {
  protected abstract readonly decoupled: boolean;

  protected buffers(g: AdamOptions): readonly string[] {
    return g.amsgrad ? AMSGRAD_BUFFERS : BUFFERS;
  }

  protected prepare(g: ParamGroup<AdamOptions>, states: ParamState[]): KernelCall {
    const [beta1, beta2] = g.betas;
    const perTensor = new Float64Array(2 * states.length);
    let last = 0, negStepSize = 0, bc2Sqrt = 0;
    states.forEach((st, t) => {
      // The step count is per parameter and starts at 1; parameters usually
      // share it, so the bias corrections are computed once per distinct step.
      const step = nextStep(st);
      if (step !== last) {
        last = step;
        negStepSize = -(g.lr / (1 - beta1 ** step));
        bc2Sqrt = Math.sqrt(1 - beta2 ** step);
      }
      perTensor[2 * t] = negStepSize;
      perTensor[2 * t + 1] = bc2Sqrt;
    });
    const decay = this.decoupled && g.weightDecay !== 0;
    return {
      kernel: 'adamStep',
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
