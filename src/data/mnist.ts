// (Fashion-)MNIST: four IDX files in one directory, with their own test set.
import * as fs from 'fs';
import * as path from 'path';
import { describe } from '../errors';
import { Dataset } from './dataset';
import { loadIdx } from './idx';

export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/** Pairs an images file [n, ...] and a labels file [n] into a Dataset (pixels as floats, unscaled). */
export function loadIdxDataset(imagesPath: string, labelsPath: string): Dataset {
  const images = loadIdx(imagesPath);
  const labels = loadIdx(labelsPath);
  if (labels.shape.length !== 1) throw new Error(`${labelsPath}: labels must be 1-D, got shape [${labels.shape.join(', ')}]`);
  if (images.shape[0] !== labels.shape[0]) {
    throw new Error(`${imagesPath} has ${images.shape[0]} samples but ${labelsPath} has ${labels.shape[0]} labels`);
  }
  const sampleShape = images.shape.slice(1);
  const d = sampleShape.reduce((a, b) => a * b, 1);
  return new Dataset(Float32Array.from(images.data), Int32Array.from(labels.data), d, sampleShape.length ? sampleShape : [1]);
}

function findFile(dir: string, base: string): string | undefined {
  for (const name of [base + '.gz', base]) {
    const p = path.join(dir, name);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

/**
 * Loads train and test from an MNIST-layout directory (files gzipped or not).
 * Missing files are an Error that says where they were looked for and how to install them.
 */
export function loadMnistDir(dir: string = FASHION_MNIST_DIR): { train: Dataset; test: Dataset } {
  if (typeof dir !== 'string' || dir === '') throw new TypeError(`dir must be a directory path, got ${describe(dir)}`);
  const found = Object.fromEntries(Object.entries(FILES).map(([k, base]) => [k, findFile(dir, base)])) as Record<keyof typeof FILES, string | undefined>;
  const missing = Object.entries(found).filter(([, p]) => !p).map(([k]) => FILES[k as keyof typeof FILES] + '.gz');
  if (missing.length) {
    throw new Error(
      `Fashion-MNIST not found in ${dir} (missing ${missing.join(', ')}). ` +
        `Install it with \`apt-get install dataset-fashion-mnist\` (it puts the files in ${FASHION_MNIST_DIR}), ` +
        `or point --data-dir at a directory holding the four IDX files.`,
    );
  }
  return {
    train: loadIdxDataset(found.trainImages!, found.trainLabels!),
    test: loadIdxDataset(found.testImages!, found.testLabels!),
  };
}
