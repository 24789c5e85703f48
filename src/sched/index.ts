// lrScheduler: learning-rate schedules with PyTorch 1.13 semantics.
export { LRScheduler } from './base';
export type { SchedulableGroup, SchedulableOptimizer, SchedulerState } from './base';
export { StepLR, MultiStepLR, ConstantLR, LinearLR, ExponentialLR, CosineAnnealingLR, CosineAnnealingWarmRestarts, PolynomialLR, LambdaLR } from './schedulers';
export { OneCycleLR, SequentialLR } from './cycle';
export type { OneCycleOptions } from './cycle';
export { ReduceLROnPlateau } from './plateau';
export type { ReduceLROnPlateauOptions } from './plateau';
