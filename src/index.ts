// deepfit: train deep neural networks in Node.js.
export { backend } from './backend';
export type { BackendName, BackendInfo } from './backend';
export { Tensor, Parameter } from './tensor';
export * as nn from './nn';
export { Module } from './nn/module';
export type { StateDict } from './nn/module';
export * as data from './data';
export { fit, evaluate, predict, confusionMatrix } from './train';
export type { FitOptions, FitResult, EpochResult, Diagnostic, EarlyStoppingOptions, CheckpointOptions } from './train';
export { Generator, manualSeed, defaultGenerator } from './random';
export * as init from './init';
export * as lrScheduler from './sched';
export * as utils from './utils';
export { save, load, CheckpointFormatError } from './checkpoint';
export type { SaveContents, Checkpoint, LoadTargets } from './checkpoint';
export * as optim from './optim';
