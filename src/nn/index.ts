// nn: layers, losses and their functional forms.
export { Module } from './module';
export type { StateDict } from './module';
export { Dropout } from './dropout';
export * as functional from './functional';
export { BatchNorm1d, BatchNorm2d } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
