// Checkpoints: the safetensors layout (checked against a committed file that
// test/golden/read_safetensors.py validated), round trips, corrupt files,
// atomic writes, and bit-exact resumption.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createRequire } from 'module';
import { spawnSync } from 'child_process';
import * as deepfit from '../src';
import { save, load, lrScheduler, Module, Parameter, Tensor, CheckpointFormatError } from '../src';
import type { OptimizerStateDict as OptimizerState } from '../src/optim';
import { expectBitsEqual, randomArray } from './helpers';

const GOLDEN = path.join(__dirname, 'golden', 'checkpoint_fixed.safetensors');
let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-ckpt-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

// Modules with parameters and buffers only: checkpoints never run them.
abstract class Holder extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
  backward(g: Tensor): Tensor {
    return g;
  }
}

class Affine extends Holder {
  weight = new Parameter(new Float32Array(6), [2, 3]);
  bias = new Parameter(new Float32Array(2), [2]);
  constructor() {
    super();
    this.registerParameter('weight', this.weight);
    this.registerParameter('bias', this.bias);
  }
}

class Stats extends Holder {
  runningMean = new Tensor(new Float32Array(2), [2]);
  numBatchesTracked = new Tensor(new Float32Array(1), []);
  constructor() {
    super();
    this.registerBuffer('running_mean', this.runningMean);
    this.registerBuffer('num_batches_tracked', this.numBatchesTracked);
  }
}

class Net extends Holder {
  a = new Affine();
  s = new Stats();
  constructor() {
    super();
    this.registerModule('0', this.a);
    this.registerModule('1', this.s);
  }
}

// A stand-in with the optimizers' state-dict layout.
class FixedOptimizer {
  sd: OptimizerState;
  paramGroups: { lr: number; betas: number[]; params: unknown[] }[];
  constructor(sd: OptimizerState) {
    this.sd = sd;
    this.paramGroups = sd.paramGroups.map((g) => ({ ...g, lr: g.lr as number, betas: g.betas as number[], params: [] }));
  }
  stateDict(): OptimizerState {
    return this.sd;
  }
  loadStateDict(sd: OptimizerState): void {
    if (!Array.isArray(sd.paramGroups) || sd.paramGroups.length !== this.sd.paramGroups.length) throw new RangeError('paramGroups: wrong group count');
    this.sd = sd;
  }
}

const ramp = (n: number, a: number, b: number) => Float32Array.from({ length: n }, (_, i) => a + b * i);

// The contents read_safetensors.py --fixed checks.
function fixedContents() {
  const net = new Net();
  net.a.weight.data.set(ramp(6, -1, 0.25));
  net.a.bias.data.set([0.5, -0.5]);
  net.s.runningMean.data.set([1, 2]);
  net.s.numBatchesTracked.data[0] = 7;
  const optimizer = new FixedOptimizer({
    state: { 0: { step: 3, exp_avg: ramp(6, 0, 0.125) }, 1: { step: 3, exp_avg_sq: Float32Array.from([1e-30, 3e38]) } },
    paramGroups: [{ lr: 0.001, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false, maximize: false, params: [0, 1] }],
  });
  const scheduler = new lrScheduler.ReduceLROnPlateau(optimizer);
  for (let i = 0; i < 4; i++) scheduler.step(NaN);
  return { model: net, optimizer, scheduler, meta: { epoch: 4, note: 'fixed' } };
}

describe('checkpoint format', () => {
  it('writes exactly the committed file that read_safetensors.py validated', () => {
    const file = path.join(dir, 'fixed.safetensors');
    save(file, fixedContents());
    if (process.env.DEEPFIT_UPDATE_GOLDEN) fs.copyFileSync(file, GOLDEN);
    expect(Buffer.compare(fs.readFileSync(file), fs.readFileSync(GOLDEN))).toBe(0);
  });

  // Also run the numpy reader on a fresh file where Python and numpy exist (the byte comparison above covers the rest).
  const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0;
  it.skipIf(!hasNumpy)('read_safetensors.py reads a fresh file and finds the fixed contents', () => {
    const file = path.join(dir, 'for-python.safetensors');
    save(file, fixedContents());
    const r = spawnSync('python3', [path.join(__dirname, 'golden', 'read_safetensors.py'), file, '--fixed'], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/fixed contents: OK/);
  });

  it('the header lists PyTorch names, dtypes, shapes, and string metadata, 8-byte aligned', () => {
    const raw = fs.readFileSync(GOLDEN);
    const n = Number(raw.readBigUInt64LE(0));
    expect(n % 8).toBe(0);
    const h = JSON.parse(raw.toString('utf8', 8, 8 + n));
    expect(Object.keys(h).sort()).toEqual(['0.bias', '0.weight', '1.num_batches_tracked', '1.running_mean', '__metadata__', 'optimizer.state.0.exp_avg', 'optimizer.state.1.exp_avg_sq']);
    expect(h['0.weight']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] });
    expect(h['1.num_batches_tracked'].dtype).toBe('I64');
    expect(h['1.num_batches_tracked'].shape).toEqual([]);
    for (const v of Object.values(h.__metadata__)) expect(typeof v).toBe('string');
  });

  it('load returns state dicts each loadStateDict accepts, values bit for bit', () => {
    const c = fixedContents();
    const file = path.join(dir, 'round.safetensors');
    save(file, c);
    const ck = load(file);
    const net = new Net();
    net.loadStateDict(ck.model!);
    for (const [n, t] of Object.entries(c.model.stateDict())) expectBitsEqual(net.stateDict()[n].data, t.data, n);
    expect(ck.optimizer!.paramGroups).toEqual(c.optimizer.sd.paramGroups);
    expect(ck.optimizer!.state[0].step).toBe(3);
    expectBitsEqual(ck.optimizer!.state[1].exp_avg_sq as Float32Array, Float32Array.from([1e-30, 3e38]));
    const sched = new lrScheduler.ReduceLROnPlateau(new FixedOptimizer(c.optimizer.sd));
    sched.loadStateDict(ck.scheduler as lrScheduler.SchedulerState);
    expect(sched.stateDict()).toEqual(c.scheduler.stateDict());
    expect(sched.best).toBe(Infinity);
    expect(ck.meta).toEqual({ epoch: 4, note: 'fixed' });
  });

  it('saves any subset; absent parts come back undefined', () => {
    const file = path.join(dir, 'meta-only.safetensors');
    save(file, { meta: [1, 'two', { three: 3 }] });
    expect(load(file)).toEqual({ meta: [1, 'two', { three: 3 }] });
    save(file, { meta: { kept: [null, true, -0.5, Infinity], gone: undefined } }); // an undefined property is left out
    expect(Object.keys(load(file).meta as object)).toEqual(['kept']);
    expect((load(file).meta as { kept: unknown[] }).kept).toEqual([null, true, -0.5, Infinity]);
  });

  it('reads F64 (rounded to float32) and I64 tensors', () => {
    const data = Buffer.alloc(24);
    data.writeDoubleLE(0.1, 0);
    data.writeDoubleLE(-3e300, 8);
    data.writeBigInt64LE(-42n, 16);
    const file = path.join(dir, 'f64.safetensors');
    fs.writeFileSync(file, rawFile({
      __metadata__: { format: 'deepfit-checkpoint/1', model: '["w","n"]' },
      w: { dtype: 'F64', shape: [2], data_offsets: [0, 16] },
      n: { dtype: 'I64', shape: [], data_offsets: [16, 24] },
    }, data));
    const ck = load(file);
    expect(Array.from(ck.model!.w.data)).toEqual([Math.fround(0.1), -Infinity]);
    expect(ck.model!.n.shape).toEqual([]);
    expect(ck.model!.n.data[0]).toBe(-42);
  });

  it('rejects bad arguments', () => {
    expect(() => save('', {})).toThrow(TypeError);
    const odd = new Net();
    odd.s.numBatchesTracked.data[0] = 0.5;
    expect(() => save(path.join(dir, 'x'), { model: odd })).toThrow(/'1.num_batches_tracked' is a counter \(saved as I64\) but holds a non-integer/);
    expect(() => save(path.join(dir, 'x'), { modle: new Net() } as any)).toThrow(/unknown entry 'modle'/);
    expect(() => save(path.join(dir, 'x'), { model: {} as any })).toThrow(/model must have stateDict\(\) and loadStateDict\(\)/);
    expect(() => load(path.join(dir, 'does-not-exist'))).toThrow(/ENOENT/);
  });
});

describe('save checks everything before writing: a failed save leaves the previous file as it was', () => {
  // A model-like object whose stateDict() returns `sd` as is.
  const modelLike = (sd: unknown) => ({ stateDict: () => sd, loadStateDict: () => {} });
  const optimizerLike = (sd: unknown) => ({ stateDict: () => sd, loadStateDict: () => {} });
  const group = { lr: 0.1, params: [0] };
  const cases: [string, Record<string, unknown>, ErrorConstructor, RegExp][] = [
    ['data a plain array', { model: modelLike({ w: { data: [1, 2], shape: [2] } }) }, TypeError, /model.stateDict\(\)\['w'\].data must be a Float32Array, got an array of length 2/],
    ['data a Float64Array', { model: modelLike({ w: { data: new Float64Array(2), shape: [2] } }) }, TypeError, /model.stateDict\(\)\['w'\].data must be a Float32Array, got a Float64Array/],
    ['data length not the product of the shape', { model: modelLike({ w: { data: new Float32Array(3), shape: [2] } }) }, RangeError, /model.stateDict\(\)\['w'\].data holds 3 elements, but its shape \[2\] needs 2/],
    ['a Module tensor with a replaced array', { model: (() => { const n = new Net(); n.a.weight.data = new Float32Array(5); return n; })() }, RangeError, /the module's tensor '0.weight' has shape \[2, 3\] \(6 elements\) but its data holds 5/],
    ['no shape', { model: modelLike({ w: { data: new Float32Array(2) } }) }, TypeError, /model.stateDict\(\)\['w'\].shape must be an array of non-negative integers, got undefined/],
    ['a fractional dimension', { model: modelLike({ w: { data: new Float32Array(2), shape: [2.5] } }) }, RangeError, /model.stateDict\(\)\['w'\].shape\[0\] must be an integer/],
    ['a null tensor', { model: modelLike({ w: null }) }, TypeError, /model.stateDict\(\)\['w'\] must be a Tensor, got null/],
    ['stateDict() null', { model: modelLike(null) }, TypeError, /model.stateDict\(\) must return an object of Tensors, got null/],
    ['a tensor named __metadata__', { model: modelLike({ __metadata__: new Tensor([1]) }) }, RangeError, /'__metadata__' is reserved/],
    ['optimizer stateDict() null', { optimizer: optimizerLike(null) }, TypeError, /optimizer.stateDict\(\) must return \{state, paramGroups\}, got null/],
    ['optimizer state null', { optimizer: optimizerLike({ state: null, paramGroups: [group] }) }, TypeError, /optimizer.stateDict\(\).state must be an object, got null/],
    ['optimizer state entry null', { optimizer: optimizerLike({ state: { 0: null }, paramGroups: [group] }) }, TypeError, /optimizer.stateDict\(\).state\[0\] must be an object, got null/],
    ['optimizer state key not an index', { optimizer: optimizerLike({ state: { w: { step: 1 } }, paramGroups: [group] }) }, RangeError, /state keys must be parameter indices \(0, 1, \.\.\.\), got 'w'/],
    ['optimizer paramGroups missing', { optimizer: optimizerLike({ state: {} }) }, TypeError, /optimizer.stateDict\(\).paramGroups must be an array of groups, got undefined/],
    ['optimizer params not indices', { optimizer: optimizerLike({ state: {}, paramGroups: [{ lr: 1, params: ['a'] }] }) }, TypeError, /optimizer.stateDict\(\).paramGroups\[0\].params\[0\] must be an integer/],
    ['a BigInt hyperparameter', { optimizer: optimizerLike({ state: {}, paramGroups: [{ lr: 1n, params: [0] }] }) }, TypeError, /^optimizer.stateDict\(\).paramGroups\[0\].lr must be JSON data .*, got bigint/],
    ['scheduler stateDict() null', { scheduler: optimizerLike(null) }, TypeError, /scheduler.stateDict\(\) must return an object, got null/],
    ['a BigInt in the scheduler state', { scheduler: optimizerLike({ lastEpoch: 1n }) }, TypeError, /^scheduler.stateDict\(\).lastEpoch must be JSON data/],
    ['meta a function', { meta: () => 1 }, TypeError, /^meta must be JSON data .*, got function/],
    // JSON.stringify would drop or flatten these silently: a different meta would come back.
    ['meta holding a function', { meta: { epoch: 1, f: () => 1 } }, TypeError, /^meta.f must be JSON data/],
    ['meta holding undefined in an array', { meta: { a: [1, undefined] } }, TypeError, /^meta.a\[1\] must be JSON data .*, got undefined/],
    ['meta holding a Map', { meta: { 'my key': new Map([[1, 2]]) } }, TypeError, /^meta\["my key"\] must be JSON data .*, got an object \(Map\)/],
    ['meta holding a Date', { meta: { when: new Date(0) } }, TypeError, /^meta.when must be JSON data/],
    ['meta holding a symbol', { meta: { s: Symbol('x') } }, TypeError, /^meta.s must be JSON data/],
  ];
  for (const [name, contents, Kind, msg] of cases) {
    it(name, () => {
      const file = path.join(dir, `keep-${name.replace(/\W+/g, '-')}.safetensors`);
      save(file, fixedContents());
      const good = fs.readFileSync(file);
      expect(() => save(file, contents)).toThrow(Kind);
      expect(() => save(file, contents)).toThrow(msg);
      expect(Buffer.compare(fs.readFileSync(file), good)).toBe(0);
      expect(fs.readdirSync(dir).filter((n) => n.includes(path.basename(file)) && n !== path.basename(file))).toEqual([]);
    });
  }

  it('what it does accept, load reads back', () => {
    const file = path.join(dir, 'plain-objects.safetensors');
    save(file, {
      model: modelLike({ w: { data: Float32Array.from([1, 2]), shape: [2] }, s: { data: Float32Array.from([3]), shape: [] } }) as never,
      optimizer: optimizerLike({ state: { 0: { step: 2, buf: Float32Array.from([5, 6]) } }, paramGroups: [group] }) as never,
    });
    const ck = load(file);
    expect(Array.from(ck.model!.w.data)).toEqual([1, 2]);
    expect(ck.model!.s.shape).toEqual([]);
    expect(ck.optimizer!.state[0].step).toBe(2);
    expect(Array.from(ck.optimizer!.state[0].buf as Float32Array)).toEqual([5, 6]);
  });
});

// A safetensors file from a header object and data bytes.
function rawFile(header: unknown, data: Uint8Array | number = 0, headerText?: string): Buffer {
  const text = Buffer.from(headerText ?? JSON.stringify(header), 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([len, text, typeof data === 'number' ? Buffer.alloc(data) : Buffer.from(data)]);
}

const META = { __metadata__: { format: 'deepfit-checkpoint/1', model: '["0.weight","0.bias"]' } };
const W = (o: object) => ({ dtype: 'F32', shape: [2, 3], data_offsets: [0, 24], ...o });
const B = (o: object) => ({ dtype: 'F32', shape: [2], data_offsets: [24, 32], ...o });

describe('load refuses corrupt files with a clear error, model untouched', () => {
  const corrupt: [string, Buffer, RegExp][] = [
    ['empty file', Buffer.alloc(0), /fewer than the 8-byte header length/],
    ['header length beyond the file size', (() => {
      const b = rawFile({ ...META, '0.weight': W({}), '0.bias': B({}) }, 32);
      b.writeBigUInt64LE(BigInt(b.length), 0);
      return b;
    })(), /header length \d+ runs past the end of the file/],
    ['bad JSON', rawFile(null, 0, '{"0.weight": {"dtype": "F32",'), /header is not valid JSON/],
    ['header not an object', rawFile([1, 2]), /header is not a JSON object/],
    ['bad dtype', rawFile({ ...META, '0.weight': W({ dtype: 'F16' }), '0.bias': B({}) }, 32), /tensor '0.weight' has dtype "F16"; expected one of F32, F64, I64/],
    ['bad shape', rawFile({ ...META, '0.weight': W({ shape: [2, -3] }), '0.bias': B({}) }, 32), /tensor '0.weight' has shape \[2,-3\]/],
    ['shape and byte range disagree', rawFile({ ...META, '0.weight': W({ shape: [2, 4] }), '0.bias': B({}) }, 32), /shape \[2, 4\] of F32 needs 32 bytes but data_offsets span 24/],
    ['range past the data', rawFile({ ...META, '0.weight': W({}), '0.bias': B({}) }, 28), /tensor '0.bias' ends at byte 32, past the data \(28 bytes\)/],
    ['overlap', rawFile({ ...META, '0.weight': W({}), '0.bias': B({ data_offsets: [16, 24] }) }, 24), /overlaps/],
    ['gap', rawFile({ ...META, '0.weight': W({}), '0.bias': B({ data_offsets: [28, 36] }) }, 36), /gap of 4 bytes before tensor '0.bias'/],
    ['trailing bytes', rawFile({ ...META, '0.weight': W({}), '0.bias': B({}) }, 40), /8 bytes after the last tensor belong to no tensor/],
    ['reversed offsets', rawFile({ ...META, '0.weight': W({ data_offsets: [24, 0] }), '0.bias': B({}) }, 32), /expected \[begin, end\] with begin <= end/],
    ['metadata not strings', rawFile({ __metadata__: { format: 1 } }), /__metadata__.format is not a string/],
    ['not a deepfit checkpoint', rawFile({ __metadata__: { format: 'pt' } }), /__metadata__.format is "pt"/],
    ['listed tensor missing', rawFile({ ...META, '0.weight': W({}) }, 24), /model tensor '0.bias' is listed but missing/],
    ['unlisted tensor', rawFile({ ...META, '0.weight': W({}), '0.bias': B({}), extra: { dtype: 'F32', shape: [0], data_offsets: [32, 32] } }, 32), /tensor 'extra' belongs to no model or optimizer entry/],
    ['bad metadata JSON', rawFile({ __metadata__: { format: 'deepfit-checkpoint/1', scheduler: '{' } }), /__metadata__.scheduler is not valid JSON/],
  ];
  for (const [name, bytes, msg] of corrupt) {
    it(name, () => {
      const file = path.join(dir, `corrupt-${name.replace(/\W+/g, '-')}.safetensors`);
      fs.writeFileSync(file, bytes);
      const net = new Net();
      net.a.weight.data.set(ramp(6, 3, 1));
      const before = net.stateDict();
      expect(() => load(file, { model: net })).toThrow(CheckpointFormatError);
      expect(() => load(file, { model: net })).toThrow(msg);
      for (const [n, t] of Object.entries(before)) expectBitsEqual(net.stateDict()[n].data, t.data, n);
    });
  }

  it('wrong names or shapes for the model: clear error, model untouched', () => {
    const file = path.join(dir, 'other-model.safetensors');
    const other = new Net();
    (other.a as any).weight.shape.splice(0, 2, 3, 2);
    save(file, { model: other });
    const net = new Net();
    net.a.weight.data.set(ramp(6, 3, 1));
    const before = net.a.weight.data.slice();
    expect(() => load(file, { model: net })).toThrow(/tensor '0.weight' has shape \[3, 2\] in the checkpoint, the model has \[2, 3\]/);
    expectBitsEqual(net.a.weight.data, before);
    save(file, { model: net.a });
    expect(() => load(file, { model: net })).toThrow(/missing 0.weight, 0.bias, 1.running_mean, 1.num_batches_tracked; unexpected weight, bias/);
    expectBitsEqual(net.a.weight.data, before);
    expect(() => load(file, { optimizer: new FixedOptimizer(fixedContents().optimizer.sd) })).toThrow(/it holds no optimizer state/);
  });

  it('a failing optimizer load puts the model back', () => {
    const file = path.join(dir, 'two-groups.safetensors');
    const c = fixedContents();
    save(file, c);
    const net = new Net();
    const before = net.a.weight.data.slice();
    const wrong = new FixedOptimizer({ state: {}, paramGroups: [{ lr: 1, params: [0] }, { lr: 1, params: [1] }] });
    expect(() => load(file, { model: net, optimizer: wrong })).toThrow(/wrong group count/);
    expectBitsEqual(net.a.weight.data, before);
  });
});

describe('atomic saves', () => {
  it('a save that fails mid-write leaves the previous checkpoint intact and no temporary file', () => {
    const file = path.join(dir, 'atomic.safetensors');
    save(file, fixedContents());
    const good = fs.readFileSync(file);
    const cjsFs = createRequire(__filename)('fs') as typeof fs;
    const { syncBuiltinESMExports } = createRequire(__filename)('module');
    const realWrite = cjsFs.writeSync;
    let calls = 0;
    (cjsFs as any).writeSync = (...args: unknown[]) => {
      if (++calls === 3) throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
      return (realWrite as any)(...args);
    };
    syncBuiltinESMExports();
    try {
      const big = new Net();
      big.a.weight.data.set(randomArray(6, 1));
      expect(() => save(file, { model: big, meta: 'new' })).toThrow(/ENOSPC/);
    } finally {
      (cjsFs as any).writeSync = realWrite;
      syncBuiltinESMExports();
    }
    expect(calls).toBe(3);
    expect(Buffer.compare(fs.readFileSync(file), good)).toBe(0);
    expect(fs.readdirSync(dir).filter((n) => n.includes('atomic') && n !== 'atomic.safetensors')).toEqual([]);
  });

  it.skipIf(process.platform === 'win32')('a save through a symbolic link replaces the file it points at and keeps the link', () => {
    const real = path.join(dir, 'link-target', 'real.safetensors');
    fs.mkdirSync(path.dirname(real), { recursive: true });
    save(real, { meta: 'old' });
    const link = path.join(dir, 'link.safetensors');
    fs.symlinkSync(path.relative(dir, real), link);
    save(link, { meta: 'new' });
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(load(real).meta).toBe('new');
    expect(load(link).meta).toBe('new');
    // No temporary file left beside the link or the target.
    expect(fs.readdirSync(path.dirname(real))).toEqual(['real.safetensors']);
    // A link to a link, and a dangling link (its target is created).
    const link2 = path.join(dir, 'link2.safetensors');
    fs.symlinkSync(link, link2);
    save(link2, { meta: 'newer' });
    expect(fs.lstatSync(link2).isSymbolicLink()).toBe(true);
    expect(load(real).meta).toBe('newer');
    const dangling = path.join(dir, 'dangling.safetensors');
    fs.symlinkSync(path.join(dir, 'link-target', 'later.safetensors'), dangling);
    save(dangling, { meta: 'created' });
    expect(fs.lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect(load(path.join(dir, 'link-target', 'later.safetensors')).meta).toBe('created');
  });

  it.skipIf(process.platform === 'win32')('a relative link reached through a linked directory resolves from the real directory', () => {
    // base/a/b/f -> ../x means base/a/x, even when f is reached as base/cwd/dirlink/f.
    const base = path.join(dir, 'reldir');
    fs.mkdirSync(path.join(base, 'a', 'b'), { recursive: true });
    fs.mkdirSync(path.join(base, 'cwd'));
    fs.symlinkSync('../a/b', path.join(base, 'cwd', 'dirlink'));
    save(path.join(base, 'a', 'x'), { meta: 'old' });
    fs.symlinkSync('../x', path.join(base, 'a', 'b', 'f'));
    save(path.join(base, 'cwd', 'dirlink', 'f'), { meta: 'new' });
    expect(load(path.join(base, 'a', 'x')).meta).toBe('new');
    expect(fs.readdirSync(path.join(base, 'cwd'))).toEqual(['dirlink']);
  });

  it.skipIf(process.platform === 'win32')('a replaced file keeps its permission bits', () => {
    const file = path.join(dir, 'private.safetensors');
    save(file, { meta: 1 });
    for (const mode of [0o600, 0o640, 0o604]) {
      fs.chmodSync(file, mode);
      save(file, { meta: mode });
      expect(fs.statSync(file).mode & 0o777).toBe(mode);
      expect(load(file).meta).toBe(mode);
    }
  });

  it('a successful save replaces the file', () => {
    const file = path.join(dir, 'replace.safetensors');
    save(file, { meta: 1 });
    save(file, { meta: 2 });
    expect(load(file).meta).toBe(2);
  });
});

// A minimal SGD with momentum in the optimizers' state-dict layout, so resumption
// can be tested without the optim namespace.
class MomentumSGD {
  paramGroups: { params: Parameter[]; lr: number; momentum: number; initialLr?: number }[];
  state = new Map<number, { momentum_buffer: Float32Array; step: number }>();
  constructor(params: Parameter[], lr: number) {
    this.paramGroups = [{ params, lr, momentum: 0.9 }];
  }
  step(): void {
    const g = this.paramGroups[0];
    const lr = Math.fround(g.lr), mu = Math.fround(g.momentum);
    g.params.forEach((p, i) => {
      const s = this.state.get(i) ?? { momentum_buffer: p.grad.slice(), step: 0 };
      if (s.step > 0) for (let j = 0; j < p.size; j++) s.momentum_buffer[j] = Math.fround(Math.fround(s.momentum_buffer[j] * mu) + p.grad[j]);
      for (let j = 0; j < p.size; j++) p.data[j] = Math.fround(p.data[j] - Math.fround(lr * s.momentum_buffer[j]));
      s.step++;
      this.state.set(i, s);
    });
  }
  stateDict(): OptimizerState {
    const state: OptimizerState['state'] = {};
    for (const [i, s] of this.state) state[i] = { step: s.step, momentum_buffer: s.momentum_buffer.slice() };
    const { params, ...opts } = this.paramGroups[0];
    return { state, paramGroups: [{ ...opts, params: params.map((_, i) => i) }] };
  }
  loadStateDict(sd: OptimizerState): void {
    const { params: _p, ...opts } = sd.paramGroups[0];
    Object.assign(this.paramGroups[0], opts);
    this.state = new Map(Object.entries(sd.state).map(([i, s]) => [Number(i), { step: s.step as number, momentum_buffer: (s.momentum_buffer as Float32Array).slice() }]));
  }
}

function gradients(net: Net, t: number): void {
  net.a.weight.grad.set(randomArray(6, 100 + t));
  net.a.bias.grad.set(randomArray(2, 200 + t));
}

interface Training {
  model: Module;
  opt: any;
  sched: lrScheduler.LRScheduler;
}

/**
 * Trains one fresh copy 10 steps straight and another 5 steps, saves it, loads
 * the checkpoint into a third fresh copy and trains that 5 more; the models
 * must agree bit for bit. `fill(r, t)` puts step t's gradients in place.
 */
function expectResumeExact<R extends Training>(make: () => R, fill: (r: R, t: number) => void, name: string): { straight: R; resumed: R } {
  const train = (r: R, from: number, to: number) => {
    for (let t = from; t < to; t++) {
      fill(r, t);
      r.opt.step();
      r.sched.step();
    }
  };
  const straight = make();
  train(straight, 0, 10);
  const first = make();
  train(first, 0, 5);
  const file = path.join(dir, `resume-${name.replace(/\W+/g, '-')}.safetensors`);
  save(file, { model: first.model, optimizer: first.opt, scheduler: first.sched, meta: { step: 5 } });
  const resumed = make();
  expect(load(file, { model: resumed.model, optimizer: resumed.opt, scheduler: resumed.sched }).meta).toEqual({ step: 5 });
  train(resumed, 5, 10);
  const init = make().model.stateDict();
  expect(Object.entries(straight.model.stateDict()).some(([n, t]) => t.data.some((v, i) => v !== init[n].data[i])), 'training moved the weights').toBe(true);
  for (const [n, t] of Object.entries(straight.model.stateDict())) expectBitsEqual(resumed.model.stateDict()[n].data, t.data, n);
  expect(resumed.sched.stateDict()).toEqual(straight.sched.stateDict());
  return { straight, resumed };
}

function netWithGradients(t: number, net: Net): void {
  gradients(net, t);
  deepfit.utils.clipGradNorm(net.parameters(), 0.5);
}

describe('resuming from a checkpoint is bit-for-bit', () => {
  it('stand-in SGD with momentum + CosineAnnealingLR', () => {
    const { straight, resumed } = expectResumeExact(() => {
      const model = new Net();
      model.a.weight.data.set(randomArray(6, 7));
      const opt = new MomentumSGD(model.parameters(), 0.1);
      return { model, opt, sched: new lrScheduler.CosineAnnealingLR(opt, { tMax: 4 }) };
    }, (r, t) => netWithGradients(t, r.model), 'stand-in');
    expect(resumed.opt.paramGroups[0].lr).toBe(straight.opt.paramGroups[0].lr);
  });

  // With the real optimizers (the optim namespace), each with a scheduler that drives it.
  const optim = (deepfit as any).optim;
  const setups: [string, (model: Net) => { opt: any; sched: lrScheduler.LRScheduler }][] = [
    ['Adam (amsgrad) + StepLR', (model) => {
      const opt = new optim.Adam(model.parameters(), { lr: 0.01, amsgrad: true });
      return { opt, sched: new lrScheduler.StepLR(opt, { stepSize: 3, gamma: 0.5 }) };
    }],
    ['SGD (momentum) + OneCycleLR cycling momentum', (model) => {
      const opt = new optim.SGD(model.parameters(), { lr: 0.1, momentum: 0.9 });
      return { opt, sched: new lrScheduler.OneCycleLR(opt, { maxLr: 0.5, totalSteps: 10 }) };
    }],
  ];
  for (const [name, setup] of setups) {
    it.skipIf(!optim)(`${name}, with clipping`, () => {
      const { straight, resumed } = expectResumeExact(() => {
        const model = new Net();
        model.a.weight.data.set(randomArray(6, 7));
        return { model, ...setup(model) };
      }, (r, t) => netWithGradients(t, r.model), name);
      expect(resumed.opt.stateDict()).toEqual(straight.opt.stateDict());
    });
  }

  it.skipIf(!optim)('an optimizer whose parameters do not match the checkpoint: error, model and optimizer untouched', () => {
    const src = new Net();
    const srcOpt = new optim.Adam(src.parameters(), { lr: 0.01 });
    gradients(src, 0);
    srcOpt.step();
    const file = path.join(dir, 'mismatch-optim.safetensors');
    save(file, { model: src, optimizer: srcOpt });
    const net = new Net();
    const before = net.a.weight.data.slice();
    const other = new optim.Adam([new Parameter(new Float32Array(5)), new Parameter(new Float32Array(2))], { lr: 0.5 });
    const otherBefore = other.stateDict();
    expect(() => load(file, { model: net, optimizer: other })).toThrow(RangeError);
    expectBitsEqual(net.a.weight.data, before);
    expect(other.stateDict()).toEqual(otherBefore);
  });

  it.skipIf(!optim)('a real MLP (Linear, ReLU, cross-entropy, AdamW, warm restarts, clipping, L2)', () => {
    const nn = (deepfit as any).nn;
    const x = new Tensor(randomArray(16 * 4, 31), [16, 4]);
    const y = Int32Array.from({ length: 16 }, (_, i) => (i * 7) % 3);
    const mlp = () => new nn.Sequential(new nn.Linear(4, 8), new nn.ReLU(), new nn.Linear(8, 3));
    const init = mlp().stateDict();
    expectResumeExact(() => {
      const model = mlp();
      model.loadStateDict(init);
      const opt = new optim.AdamW(model.parameters(), { lr: 0.05 });
      return { model, opt, sched: new lrScheduler.CosineAnnealingWarmRestarts(opt, { t0: 3, tMult: 2 }), loss: new nn.CrossEntropyLoss() };
    }, (r, _t) => {
      r.opt.zeroGrad();
      r.loss.forward(r.model.forward(x), y);
      r.model.backward(r.loss.backward());
      deepfit.utils.l2Penalty(r.model.parameters(), 1e-3, { accumulateGrad: true });
      deepfit.utils.clipGradNorm(r.model.parameters(), 1);
    }, 'mlp');
  });
});
