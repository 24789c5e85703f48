// deepfit: train deep neural networks in Node.js.
export { backend } from './backend';
export type { BackendName, BackendInfo } from './backend';
export { Tensor, Parameter } from './tensor';
