// nn: layers, losses and their functional forms.
export { Module } from './module';
export type { StateDict } from './module';
export { Dropout } from './dropout';
export * as functional from './functional';
