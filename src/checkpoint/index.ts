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
import { checkFilePath, checkInteger, checkObject, describe, isIndexKey } from '../errors';
import type { OptimizerStateDict } from '../optim';
import type { SchedulerState } from '../sched/base';
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
  scheduler?: SchedulerState;
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

// Everything save() writes is checked before any byte is: a model-like or
// optimizer-like object whose state load() could not read back (a plain array
// for data, a length that is not the shape's product, a non-JSON value) is a
// TypeError or RangeError naming the value, and the file keeps its old contents.

/** A tensor as save() writes it: an object with a Float32Array `data` of product(shape) elements. */
function checkTensorToWrite(t: unknown, name: string): { data: Float32Array; shape: number[] } {
  if (t === null || typeof t !== 'object' || Array.isArray(t)) throw new TypeError(`${name} must be a Tensor, got ${describe(t)}`);
  const { data, shape } = t as { data: unknown; shape: unknown };
  if (!(data instanceof Float32Array)) throw new TypeError(`${name}.data must be a Float32Array, got ${describe(data)}`);
  if (!Array.isArray(shape)) throw new TypeError(`${name}.shape must be an array of non-negative integers, got ${describe(shape)}`);
  let size = 1;
  shape.forEach((d, i) => {
    checkInteger(d, `${name}.shape[${i}]`, 0);
    size *= d;
  });
  if (data.length !== size) throw new RangeError(`${name}.data holds ${data.length} elements, but its shape [${shape.join(', ')}] needs ${size}`);
  return { data, shape: [...shape] };
}

function modelTensors(model: ModelLike): [string, TensorToWrite][] {
  const sd: unknown = model.stateDict();
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd) || sd instanceof Map) throw new TypeError(`model.stateDict() must return an object of Tensors, got ${describe(sd)}`);
  return Object.entries(sd).map(([name, t]) => {
    if (name.startsWith(OPT_PREFIX)) throw new RangeError(`model tensor name '${name}' clashes with the optimizer's names`);
    if (name === '__metadata__') throw new RangeError(`model tensor name '__metadata__' is reserved by the safetensors format`);
    const { data, shape } = checkTensorToWrite(t, `model.stateDict()['${name}']`);
    // PyTorch keeps BatchNorm's step counter as int64.
    const dtype = name === 'num_batches_tracked' || name.endsWith('.num_batches_tracked') ? 'I64' : 'F32';
    if (dtype === 'I64' && !data.every(Number.isSafeInteger)) throw new RangeError(`model tensor '${name}' is a counter (saved as I64) but holds a non-integer`);
    return [name, { dtype, shape, data }];
  });
}

function optimizerParts(sd: unknown): { tensors: [string, TensorToWrite][]; scalars: Record<string, Record<string, number>>; paramGroups: unknown[] } {
  const where = 'optimizer.stateDict()';
  if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TypeError(`${where} must return {state, paramGroups}, got ${describe(sd)}`);
  const { state, paramGroups } = sd as { state: unknown; paramGroups: unknown };
  if (state === null || typeof state !== 'object' || Array.isArray(state) || state instanceof Map) throw new TypeError(`${where}.state must be an object, got ${describe(state)}`);
  if (!Array.isArray(paramGroups)) throw new TypeError(`${where}.paramGroups must be an array of groups, got ${describe(paramGroups)}`);
  paramGroups.forEach((g, i) => {
    if (g === null || typeof g !== 'object' || Array.isArray(g)) throw new TypeError(`${where}.paramGroups[${i}] must be an object, got ${describe(g)}`);
    const params = (g as { params: unknown }).params;
    if (!Array.isArray(params)) throw new TypeError(`${where}.paramGroups[${i}].params must be an array of parameter indices, got ${describe(params)}`);
    params.forEach((p, j) => checkInteger(p, `${where}.paramGroups[${i}].params[${j}]`, 0));
  });
  const tensors: [string, TensorToWrite][] = [];
  const scalars: Record<string, Record<string, number>> = {};
  for (const [idx, entry] of Object.entries(state)) {
    if (!isIndexKey(idx)) throw new RangeError(`${where}.state keys must be parameter indices (0, 1, ...), got '${idx}'`);
    if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) throw new TypeError(`${where}.state[${idx}] must be an object, got ${describe(entry)}`);
    for (const [key, v] of Object.entries(entry)) {
      if (key === '') throw new RangeError(`${where}.state[${idx}] has an empty key`);
      if (v instanceof Float32Array) tensors.push([`${OPT_PREFIX}${idx}.${key}`, { dtype: 'F32', shape: [v.length], data: v }]);
      else if (typeof v === 'number') (scalars[idx] ??= {})[key] = v;
      else throw new TypeError(`optimizer state ${idx}.${key} must be a Float32Array or a number, got ${describe(v)}`);
    }
  }
  return { tensors, scalars, paramGroups };
}

/**
 * Throws a TypeError naming the path of the first value in v that would not
 * come back from JSON as it went in: anything but null, booleans, numbers,
 * strings, arrays and plain objects (functions, symbols, BigInt, Map, Set,
 * Date, typed arrays, class instances; undefined in an array or at the top),
 * or a cycle. An object property that is undefined is fine: JSON leaves it
 * out, and it reads back as undefined.
 */
function checkPlainJson(v: unknown, path: string, open: Set<object>): void {
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return;
  const plain = typeof v === 'object' && (Array.isArray(v) || Object.getPrototypeOf(v) === Object.prototype || Object.getPrototypeOf(v) === null);
  if (!plain) throw new TypeError(`${path} must be JSON data (null, a boolean, number, string, array or plain object), got ${describe(v)}`);
  if (open.has(v as object)) throw new TypeError(`${path} refers back to itself (a cycle), which JSON cannot hold`);
  open.add(v as object);
  if (Array.isArray(v)) v.forEach((x, i) => checkPlainJson(x, `${path}[${i}]`, open));
  else {
    for (const [k, x] of Object.entries(v as object)) {
      if (x !== undefined) checkPlainJson(x, /^[A-Za-z_$][\w$]*$/.test(k) ? `${path}.${k}` : `${path}[${JSON.stringify(k)}]`, open);
    }
  }
  open.delete(v as object);
}

/** toJson of v, which must be plain JSON data (checkPlainJson), named `name` in errors. */
function jsonOf(v: unknown, name: string): string {
  checkPlainJson(v, name, new Set());
  return toJson(v);
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
    const { tensors: t, scalars, paramGroups } = optimizerParts(c.optimizer.stateDict());
    tensors.push(...t);
    metadata['optimizer.param_groups'] = jsonOf(paramGroups, 'optimizer.stateDict().paramGroups');
    metadata['optimizer.state'] = jsonOf(scalars, 'optimizer.stateDict().state');
  }
  if (c.scheduler !== undefined) {
    checkStateful(c.scheduler, 'scheduler');
    const sd: unknown = c.scheduler.stateDict();
    if (sd === null || typeof sd !== 'object' || Array.isArray(sd)) throw new TypeError(`scheduler.stateDict() must return an object, got ${describe(sd)}`);
    metadata.scheduler = jsonOf(sd, 'scheduler.stateDict()');
  }
  if (c.meta !== undefined) metadata.meta = jsonOf(c.meta, 'meta');
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
    out.scheduler = scheduler as SchedulerState;
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
  const why = modelMismatch(model.stateDict(), sd);
  if (why !== undefined) throw new RangeError(`${file}: ${why}`);
}

/**
 * Why the state dict `sd` (from a checkpoint) cannot load into a model whose
 * own state dict is `want`: names missing or unexpected, or a shape that
 * differs. Undefined when it can.
 */
export function modelMismatch(want: Record<string, Tensor>, sd: Record<string, Tensor>): string | undefined {
  const missing = Object.keys(want).filter((n) => !(n in sd));
  const extra = Object.keys(sd).filter((n) => !(n in want));
  if (missing.length || extra.length) {
    return `the model does not match the checkpoint: ${missing.length ? `missing ${missing.join(', ')}` : ''}${missing.length && extra.length ? '; ' : ''}${extra.length ? `unexpected ${extra.join(', ')}` : ''}`;
  }
  for (const [n, t] of Object.entries(want)) {
    const s = sd[n].shape;
    if (s.length !== t.shape.length || s.some((d, i) => d !== t.shape[i])) {
      return `tensor '${n}' has shape [${s.join(', ')}] in the checkpoint, the model has [${t.shape.join(', ')}]`;
    }
  }
  return undefined;
}
