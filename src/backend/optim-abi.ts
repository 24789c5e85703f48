// The optimizer kernels' calling convention, shared by the TS optimizers and
// both backends (mirrors OptimFlags and the *Args structs in native/table.h).
// Each step kernel takes (list, scalars, perTensor, flags); the layouts of
// scalars and perTensor are listed with each kernel in ./kernels.ts.

export const OPT = {
  MAXIMIZE: 1,
  /** L2 weight decay added to the gradient (weightDecay !== 0). */
  WEIGHT_DECAY: 2,
  /** AdamW: p *= 1 - lr * weightDecay before the update. */
  DECOUPLED: 4,
  AMSGRAD: 8,
  /** SGD / RMSprop keep a momentum buffer. */
  MOMENTUM: 16,
  NESTEROV: 32,
  CENTERED: 64,
} as const;
