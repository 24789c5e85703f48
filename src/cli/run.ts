// Reading a run back: the checkpoints fit() wrote carry the config, the model
// shape, the standardizer and the class names in their metadata.
import * as fs from 'fs';
import * as path from 'path';
import { Standardizer } from '../data/standardizer';
import type { Module } from '../nn/module';
import { loadCheckpoint } from '../train/persist';
import type { EpochResult } from '../train/types';
import { existingFile, UsageError } from './args';
import { buildModel, checkModelConfig, ModelConfig } from './recipe';
import type { TrainConfig } from './train';

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function metaEntry<T>(meta: Record<string, unknown>, key: string, file: string): T {
  if (meta[key] === undefined) throw new UsageError(`${file} was not written by 'deepfit train' (no '${key}' in its metadata); a checkpoint from save() or fit() loads with load() in your own code`);
  return meta[key] as T;
}

/** A run directory or one of its checkpoints, for --resume. */
export function loadRun(target: string): { dir: string; lastCheckpoint: string; config: TrainConfig; history: EpochResult[] } {
  const file = fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, 'last.safetensors') : target;
  if (!fs.existsSync(file)) throw new UsageError(`--resume: no checkpoint at ${file}; pass a run directory (with last.safetensors) or a checkpoint file`);
  const meta = loadCheckpoint(file).meta;
  const config = metaEntry<TrainConfig>(meta, 'config', file);
  const trainer = metaEntry<{ history: EpochResult[] }>(meta, 'trainer', file);
  if (!isObject(config) || !isObject(config.model) || !Array.isArray(trainer?.history)) {
    throw new UsageError(`${file}: its 'config' or 'trainer' metadata is not what 'deepfit train' writes`);
  }
  return { dir: path.dirname(path.resolve(file)), lastCheckpoint: file, config, history: trainer.history };
}

/** --checkpoint: a checkpoint file, or a run directory for its checkpoint.safetensors (the best epoch). */
function checkpointOf(target: string): string {
  if (!fs.statSync(target, { throwIfNoEntry: false })?.isDirectory()) return target;
  const file = path.join(target, 'checkpoint.safetensors');
  if (!fs.existsSync(file)) throw new UsageError(`--checkpoint: the directory ${target} has no checkpoint.safetensors; pass a run directory written by 'deepfit train' or a checkpoint file`);
  return file;
}

/** The trained network of a checkpoint (or a run directory's best one) with its standardizer and class names, for predict. */
export function loadTrained(target: string): { model: Module; standardizer: Standardizer; classes: string[]; modelConfig: ModelConfig } {
  const file = existingFile(checkpointOf(target), 'checkpoint');
  const ck = loadCheckpoint(file);
  const modelConfig = metaEntry<ModelConfig>(ck.meta, 'model', file);
  const classes = metaEntry<string[]>(ck.meta, 'classes', file);
  if (!ck.model) throw new UsageError(`${file} holds no model weights`);
  try {
    // A config is checked against the weights the file holds before a network that large is built.
    const weights = checkModelConfig(modelConfig);
    const stored = Object.values(ck.model).reduce((n, t) => n + (t as { data: { length: number } }).data.length, 0);
    if (weights > stored) throw new RangeError(`its model config needs ${weights} weights but the file holds ${stored} values`);
    const model = buildModel(modelConfig);
    model.loadStateDict(ck.model);
    model.eval();
    const standardizer = Standardizer.fromJSON(metaEntry(ck.meta, 'standardizer', file));
    if (!Array.isArray(classes) || classes.length !== modelConfig.classes || !classes.every((c) => typeof c === 'string')) {
      throw new RangeError(`'classes' must be ${modelConfig.classes} class names`);
    }
    if (standardizer.mean.length !== modelConfig.inputs) throw new RangeError(`the standardizer has ${standardizer.mean.length} features, the model ${modelConfig.inputs}`);
    return { model, standardizer, classes, modelConfig };
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${file}: its metadata does not describe the network it holds (${(e as Error).message})`);
  }
}
