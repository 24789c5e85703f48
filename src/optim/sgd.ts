// SGD with momentum, dampening, Nesterov, weight decay and maximize
// (torch.optim.SGD, 1.13).
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions } from './options';
import { Optimizer, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

export interface SGDOptions {
  /** Learning rate; required (SGD has no default). */
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  skipNonFinite: boolean;
}

const SPEC = {
  name: 'SGD',
  options: {
    ...commonOptions(undefined),
    momentum: { kind: 'rate', default: 0 },
    dampening: { kind: 'number', default: 0 },
    weightDecay: { kind: 'rate', default: 0 },
    nesterov: { kind: 'flag', default: false },
  },
  stateKeys: ['momentum_buffer'],
  requiredStateKeys: [],
} as const;

const MOMENTUM_BUFFER = ['momentum_buffer'];
const NO_BUFFERS: string[] = [];

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: Parameter[] | ParamGroupInput<SGDOptions>[], options?: Partial<SGDOptions>) {
    super(SPEC, params, options);
  }

  protected checkGroupRules(g: SGDOptions, where: string): void {
    if (g.nesterov && (g.momentum <= 0 || g.dampening !== 0)) {
      throw new RangeError(`${where}nesterov requires momentum > 0 and dampening 0 (got momentum ${g.momentum}, dampening ${g.dampening})`);
    }
  }

  protected buffers(g: SGDOptions): readonly string[] {
    return g.momentum !== 0 ? MOMENTUM_BUFFER : NO_BUFFERS;
  }

  protected prepare(g: ParamGroup<SGDOptions>, states: ParamState[], created: Uint8Array | null): KernelCall {
    const useMomentum = g.momentum !== 0;
    // The momentum buffer starts as the first gradient (no dampening on that step):
    // perTensor[t] is 1 where the buffer was created for this step.
    const first = new Float64Array(useMomentum ? states.length : 0);
    if (useMomentum && created) created.forEach((c, t) => (first[t] = c));
    return {
      kernel: 'sgdStep',
      scalars: Float64Array.of(-g.lr, g.weightDecay, g.momentum, 1 - g.dampening),
      perTensor: first,
      flags:
        (g.maximize ? OPT.MAXIMIZE : 0) |
        (g.weightDecay !== 0 ? OPT.WEIGHT_DECAY : 0) |
        (useMomentum ? OPT.MOMENTUM : 0) |
        (g.nesterov ? OPT.NESTEROV : 0),
    };
  }
}
