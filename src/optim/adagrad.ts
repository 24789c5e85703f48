// Adagrad (torch.optim.Adagrad, 1.13): learning-rate decay, initial
// accumulator value, weight decay, maximize. State exists from construction.
import { alignedFloat32 } from '../alloc';
import { OPT } from '../backend/optim-abi';
import type { Parameter } from '../tensor';
import { commonOptions } from './options';
import { Optimizer, nextStep, type KernelCall, type ParamGroup, type ParamGroupInput, type ParamState } from './optimizer';

export interface AdagradOptions {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
  skipNonFinite: boolean;
}

const SPEC = {
  name: 'Adagrad',
  options: {
    ...commonOptions(1e-2),
    lrDecay: { kind: 'rate', default: 0 },
    weightDecay: { kind: 'rate', default: 0 },
    initialAccumulatorValue: { kind: 'rate', default: 0 },
    eps: { kind: 'rate', default: 1e-10 },
  },
  stateKeys: ['step', 'sum'],
  requiredStateKeys: ['step', 'sum'],
} as const;

const BUFFERS = ['sum'];

export class Adagrad extends Optimizer<AdagradOptions> {
  constructor(params: Parameter[] | ParamGroupInput<AdagradOptions>[], options?: Partial<AdagradOptions>) {
    super(SPEC, params, options);
    // Like PyTorch, every parameter has state from the start: step 0, sum filled.
    this.initAllStates();
  }

  protected initialState(p: Parameter, g: AdagradOptions): ParamState {
    return { step: 0, sum: alignedFloat32(p.data.length).fill(g.initialAccumulatorValue) };
  }

  protected buffers(): readonly string[] {
    return BUFFERS;
  }

  protected bufferFill(_name: string, g: AdagradOptions): number {
    return g.initialAccumulatorValue;
  }

  protected prepare(g: ParamGroup<AdagradOptions>, states: ParamState[]): KernelCall {
    const perTensor = new Float64Array(states.length);
    states.forEach((st, t) => {
      const step = nextStep(st);
      perTensor[t] = -(g.lr / (1 + (step - 1) * g.lrDecay));
    });
    return {
      kernel: 'adagradStep',
      scalars: Float64Array.of(g.weightDecay, g.eps),
      perTensor,
      flags: (g.maximize ? OPT.MAXIMIZE : 0) | (g.weightDecay !== 0 ? OPT.WEIGHT_DECAY : 0),
    };
  }
}
