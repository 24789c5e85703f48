// utils: training-loop helpers around the optimizers.
export { clipGradNorm, clipGradValue, l2Penalty } from './clip';
export type { ClipGradNormOptions } from './clip';
