// Checkpoints: save(path, {model, optimizer, scheduler, meta}) and load(path)
// in the safetensors format. Tensors keep PyTorch's state-dict names (model
// tensors as `0.weight`, optimizer buffers as `optimizer.state.<i>.<key>`);
// everything else (optimizer hyperparameters and step counts, the scheduler
// state, user meta) is JSON in `__metadata__`.
//
// Writes are atomic: a temporary file in the same directory, fsync, rename,
// fsync of the directory. An interrupted save leaves the previous file intact.
import * as fs from 'fs';
import { writeFileAtomic } from '../atomic';
import { checkFilePath, checkObject, describe } from '../errors';
import type { OptimizerStateDict } from '../optim';
import { Tensor } from '../tensor';
import { encode, parse, CheckpointFormatError, TensorToWrite } from './safetensors';

export { CheckpointFormatError } from './safetensors';

type Stateful<T> = { stateDict(): T; loadStateDict(sd: T): void };
type ModelLike = { stateDict(): Record<string, Tensor>; loadStateDict(sd: Record<string, Tensor>): void };

export interface SaveContents {
  model?: ModelLike;
  optimizer?: Stateful<OptimizerStateDict>;
  scheduler?: Stateful<any>;
  /** Anything JSON can hold (epoch, metrics, config...). */
  meta?: unknown;
}

export interface Checkpoint {
  model?: Record<string, Tensor>;
  optimizer?: OptimizerStateDict;
  scheduler?: Record<string, unknown>;
  meta?: unknown;
}

const FORMAT = 'deepfit-checkpoint/1';
const OPT_PREFIX = 'optimizer.state.';

// JSON with non-finite numbers (a scheduler's best = Infinity) kept as {"$number": "Infinity"}.
function toJson(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'number' && !Number.isFinite(x) ? { $number: String(x) } : x));
}

function fromJson(s: string): unknown {
  return JSON.parse(s, (_k, x) => {
    if (x !== null && typeof x === 'object' && !Array.isArray(x) && Object.keys(x).length === 1 && typeof x.$number === 'string') return Number(x.$number);
    return x;
  });
}

function modelTensors(model: ModelLike): [string, TensorToWrite][] {
  return Object.entries(model.stateDict()).map(([name, t]) => {
    if (name.startsWith(OPT_PREFIX)) throw new RangeError(`model tensor name '${name}' clashes with the optimizer's names`);
    // PyTorch keeps BatchNorm's step counter as int64.
    const dtype = name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked') ? 'I64' : 'F32';
    if (dtype === 'I64' && !t.data.every(Number.isSafeInteger)) throw new RangeError(`model tensor '${name}' is a counter (saved as I64) but holds a non-integer`);
    return [name, { dtype, shape: [...t.shape], data: t.data }];
  });
}

function optimizerParts(sd: OptimizerStateDict): { tensors: [string, TensorToWrite][]; scalars: Record<string, Record<string, number>> } {
  const tensors: [string, TensorToWrite][] = [];
  const scalars: Record<string, Record<string, number>> = {};
  for (const [idx, entry] of Object.entries(sd.state)) {
    for (const [key, v] of Object.entries(entry)) {
      if (v instanceof Float32Array) tensors.push([`${OPT_PREFIX}${idx}.${key}`, { dtype: 'F32', shape: [v.length], data: v }]);
      else if (typeof v === 'number') (scalars[idx] ??= {})[key] = v;
      else throw new TypeError(`optimizer state ${idx}.${key} must be a Float32Array or a number, got ${describe(v)}`);
    }
  }
  return { tensors, scalars };
}

function checkStateful(v: unknown, name: string): void {
  const o = checkObject(v, name) as Record<string, unknown>;
  if (typeof o.stateDict !== 'function' || typeof o.loadStateDict !== 'function') {
    throw new TypeError(`${name} must have stateDict() and loadStateDict(), got ${describe(v)}`);
  }
}

/** The file's bytes, as pieces to write in order. */
function serialize(contents: SaveContents): Uint8Array[] {
  const c = checkObject(contents, 'contents') as SaveContents;
  const known = ['model', 'optimizer', 'scheduler', 'meta'];
  for (const k of Object.keys(c)) if (!known.includes(k)) throw new RangeError(`save: unknown entry '${k}' (known: ${known.join(', ')})`);
  const tensors: [string, TensorToWrite][] = [];
  const metadata: Record<string, string> = { format: FORMAT };
  if (c.model !== undefined) {
    checkStateful(c.model, 'model');
    tensors.push(...modelTensors(c.model));
    metadata.model = toJson(tensors.map(([n]) => n));
  }
  if (c.optimizer !== undefined) {
    checkStateful(c.optimizer, 'optimizer');
    const sd = c.optimizer.stateDict();
    const { tensors: t, scalars } = optimizerParts(sd);
    tensors.push(...t);
    metadata['optimizer.param_groups'] = toJson(sd.paramGroups);
    metadata['optimizer.state'] = toJson(scalars);
  }
  if (c.scheduler !== undefined) {
    checkStateful(c.scheduler, 'scheduler');
    metadata.scheduler = toJson(c.scheduler.stateDict());
  }
  if (c.meta !== undefined) {
    try {
      metadata.meta = toJson(c.meta);
    } catch (e) {
      throw new TypeError(`meta must be JSON-serializable (no cycles, no BigInt): ${(e as Error).message.split('\n')[0]}`);
    }
  }
  return encode(tensors, metadata);
}

/**
 * Writes a checkpoint atomically: nothing at `file` changes unless the whole
 * new checkpoint reached the disk.
 */
export function save(file: string, contents: SaveContents): void {
  checkFilePath(file, 'path', true);
  writeFileAtomic(file, serialize(contents));
}

function metaJson(metadata: Record<string, string>, key: string, file: string): unknown {
  if (metadata[key] === undefined) return undefined;
  try {
    return fromJson(metadata[key]);
  } catch (e) {
    throw new CheckpointFormatError(file, `__metadata__.${key} is not valid JSON (${(e as Error).message})`);
  }
}

function checkOptimizerState(paramGroups: unknown, scalars: unknown, file: string): void {
  const bad = (what: string) => new CheckpointFormatError(file, what);
  if (!Array.isArray(paramGroups) || paramGroups.some((g) => g === null || typeof g !== 'object' || !Array.isArray(g.params) || !g.params.every(Number.isSafeInteger))) {
    throw bad('optimizer.param_groups must be an array of groups, each with params: integer[]');
  }
  if (scalars === null || typeof scalars !== 'object' || Array.isArray(scalars)) throw bad('optimizer.state must be an object');
  for (const [idx, e] of Object.entries(scalars as object)) {
    if (e === null || typeof e !== 'object' || Object.values(e).some((x) => typeof x !== 'number')) throw bad(`optimizer.state.${idx} must map names to numbers`);
  }
}

/**
 * Reads and checks a checkpoint: every state dict it holds, ready for each
 * object's loadStateDict. With targets, also loads into them, all or none:
 * each state is checked against its target (names, shapes, counts) before
 * anything is written, and if a loadStateDict still fails the ones already
 * loaded are put back.
 */
export function load(file: string, targets?: LoadTargets): Checkpoint {
  const ck = read(file);
  if (targets !== undefined) loadInto(ck, targets, file);
  return ck;
}

function read(file: string): Checkpoint {
  checkFilePath(file, 'path');
  const { metadata, tensors } = parse(fs.readFileSync(file), file);
  if (metadata.format !== FORMAT) throw new CheckpointFormatError(file, `__metadata__.format is ${JSON.stringify(metadata.format)}, expected "${FORMAT}"`);
  const out: Checkpoint = {};
  const modelNames = metaJson(metadata, 'model', file);
  if (modelNames !== undefined) {
    if (!Array.isArray(modelNames) || !modelNames.every((n) => typeof n === 'string')) throw new CheckpointFormatError(file, '__metadata__.model must list tensor names');
    out.model = {};
    for (const n of modelNames) {
      const t = tensors.get(n);
      if (!t) throw new CheckpointFormatError(file, `model tensor '${n}' is listed but missing`);
      out.model[n] = new Tensor(t.data, t.shape);
    }
  }
  const groups = metaJson(metadata, 'optimizer.param_groups', file);
  if (groups !== undefined) {
    const scalars = metaJson(metadata, 'optimizer.state', file) ?? {};
    checkOptimizerState(groups, scalars, file);
    const state: OptimizerStateDict['state'] = {};
    for (const [idx, e] of Object.entries(scalars as Record<string, Record<string, number>>)) state[Number(idx)] = { ...e };
    for (const [name, t] of tensors) {
      if (!name.startsWith(OPT_PREFIX)) continue;
      const m = /^(\d+)\.(.+)$/.exec(name.slice(OPT_PREFIX.length));
      if (!m || t.shape.length !== 1) throw new CheckpointFormatError(file, `optimizer tensor '${name}' must be named ${OPT_PREFIX}<index>.<key> and be 1-D`);
      (state[Number(m[1])] ??= {})[m[2]] = t.data;
    }
    out.optimizer = { state, paramGroups: groups as OptimizerStateDict['paramGroups'] };
  }
  const listed = new Set([...((modelNames as string[] | undefined) ?? [])]);
  for (const name of tensors.keys()) {
    if (!listed.has(name) && !(groups !== undefined && name.startsWith(OPT_PREFIX))) throw new CheckpointFormatError(file, `tensor '${name}' belongs to no model or optimizer entry`);
  }
  const scheduler = metaJson(metadata, 'scheduler', file);
  if (scheduler !== undefined) {
    if (scheduler === null || typeof scheduler !== 'object' || Array.isArray(scheduler)) throw new CheckpointFormatError(file, '__metadata__.scheduler must be a JSON object');
    out.scheduler = scheduler as Record<string, unknown>;
  }
  const meta = metaJson(metadata, 'meta', file);
  if (meta !== undefined) out.meta = meta;
  return out;
}

export interface LoadTargets {
  model?: ModelLike;
  optimizer?: Stateful<OptimizerStateDict>;
  scheduler?: Stateful<any>;
}

function loadInto(ck: Checkpoint, targets: LoadTargets, file: string): void {
  const t = checkObject(targets, 'targets') as LoadTargets;
  for (const k of Object.keys(t)) if (!['model', 'optimizer', 'scheduler'].includes(k)) throw new RangeError(`load: unknown target '${k}' (known: model, optimizer, scheduler)`);
  const plan: [Stateful<any>, unknown, string][] = [];
  for (const key of ['model', 'optimizer', 'scheduler'] as const) {
    const target = t[key];
    if (target === undefined) continue;
    checkStateful(target, key);
    if (ck[key] === undefined) throw new CheckpointFormatError(file, `it holds no ${key} state`);
    plan.push([target as Stateful<any>, ck[key], key]);
  }
  if (t.model && ck.model) checkModelShapes(t.model, ck.model, file);
  const done: [Stateful<any>, unknown][] = [];
  try {
    for (const [target, sd, key] of plan) {
      const before = target.stateDict();
      try {
        target.loadStateDict(sd);
      } catch (e) {
        throw withContext(e, `${file}: the ${key} does not accept the checkpoint's ${key} state: `);
      }
      done.push([target, before]);
    }
  } catch (e) {
    for (const [target, before] of done.reverse()) target.loadStateDict(before);
    throw e;
  }
}

/** The same kind of error (TypeError, RangeError...) with `prefix` before its message, the original as its cause. */
function withContext(e: unknown, prefix: string): unknown {
  if (!(e instanceof Error)) return e;
  const Kind = e.constructor as new (message: string, options?: { cause: unknown }) => Error;
  try {
    return new Kind(prefix + e.message, { cause: e });
  } catch {
    return e;
  }
}

function checkModelShapes(model: ModelLike, sd: Record<string, Tensor>, file: string): void {
  const want = model.stateDict();
  const missing = Object.keys(want).filter((n) => !(n in sd));
  const extra = Object.keys(sd).filter((n) => !(n in want));
  if (missing.length || extra.length) {
    throw new RangeError(`${file}: the model does not match the checkpoint: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`);
  }
  for (const [n, t] of Object.entries(want)) {
    const s = sd[n].shape;
    if (s.length !== t.shape.length || s.some((d, i) => d !== t.shape[i])) {
      throw new RangeError(`${file}: tensor '${n}' has shape [${s.join(', ')}] in the checkpoint, the model has [${t.shape.join(', ')}]`);
    }
  }
}
