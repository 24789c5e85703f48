// nn: layers, losses and their functional forms.
export { Module } from './module';
export type { StateDict } from './module';
export { Dropout } from './dropout';
export * as functional from './functional';
export { BatchNorm1d, BatchNorm2d } from './batchnorm';
export type { BatchNormOptions } from './batchnorm';
export { Linear } from './linear';
export type { LinearOptions } from './linear';
export { ReLU, LeakyReLU, Tanh, Sigmoid, GELU } from './activation';
export { Sequential } from './sequential';
export { CrossEntropyLoss, MSELoss } from './loss';
export type { Loss } from './loss';
