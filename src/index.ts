// deepfit: train deep neural networks in Node.js.
export { backend } from './backend';
export type { BackendName, BackendInfo } from './backend';
export { Tensor, Parameter } from './tensor';
export * as nn from './nn';
export { Module } from './nn/module';
export type { StateDict } from './nn/module';
export { Generator, manualSeed, defaultGenerator } from './random';
export * as init from './init';
export * as optim from './optim';
