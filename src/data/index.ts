// data: loading, splitting, standardizing and batching datasets.
export { Dataset } from './dataset';
export { loadIdx, parseIdx, encodeIdx } from './idx';
export type { IdxArray, IdxData } from './idx';
export { loadCsv } from './csv';
export type { CsvOptions } from './csv';
export { loadIdxDataset, loadMnistDir, FASHION_MNIST_DIR } from './mnist';
export { split, splitTrainVal } from './split';
export type { SplitOptions, Splits } from './split';
export { Standardizer } from './standardizer';
export type { StandardizerState } from './standardizer';
export { DataLoader } from './loader';
export type { DataLoaderOptions, Batch } from './loader';
export { DIGITS_CSV } from './digits';
