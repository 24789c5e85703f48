// Hostile inputs: every one must end in a TypeError or RangeError that names
// the argument, never a crash, a raw engine error or a silent wrong result.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, it, expect } from 'vitest';
import { backend } from '../src';
import { loadNative } from '../src/backend/native';
import { configs, withConfig } from './helpers';

// Every temporary directory of this file, removed at the end.
const tmpDirs: string[] = [];
function tmpDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-bad-'));
  tmpDirs.push(d);
  return d;
}
afterAll(() => tmpDirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

/** Detaches a typed array's buffer the way postMessage/structuredClone transfer does. */
function detach(a: Float32Array): void {
  structuredClone(a.buffer, { transfer: [a.buffer] });
}

describe('native tensor lists', () => {
  it('refuse arrays detached after the list was made instead of touching freed memory', () => {
    const K = loadNative();
    const p = new Float32Array(1 << 16), g = new Float32Array(1 << 16);
    const list = K.makeTensorList([[p], [g]]);
    detach(p);
    expect(() => K.scaleList(list, 0, 2)).toThrow(RangeError);
    expect(() => K.normPowSum(list, 0, 2)).toThrow(/detached or resized/);
    expect(() => K.sgdStep(list, new Float64Array(4), new Float64Array(1), 0)).toThrow(RangeError);
  });

  it('refuse a resizable buffer shrunk after the list was made', () => {
    const K = loadNative();
    const buf = new ArrayBuffer(4 << 16, { maxByteLength: 4 << 16 } as never);
    const p = new Float32Array(buf), g = new Float32Array(1 << 16);
    const list = K.makeTensorList([[p], [g]]);
    (buf as unknown as { resize(n: number): void }).resize(0);
    expect(() => K.addScaledList(list, 0, 1, 1)).toThrow(/detached or resized/);
  });

  it('made with callerChecks, take a boolean there and skip the buffer check (the caller verifies lengths)', () => {
    const K = loadNative();
    const p = new Float32Array(16);
    for (const bad of [1, 'yes', {}, null]) expect(() => K.makeTensorList([[p]], bad as never)).toThrow(/callerChecks must be a boolean/);
    const list = K.makeTensorList([[p]], true);
    K.scaleList(list, 0, 2);
    const checked = K.makeTensorList([[p]], false);
    structuredClone(p.buffer, { transfer: [p.buffer] });
    expect(() => K.scaleList(checked, 0, 2)).toThrow(/detached or resized/);
  });

  it('accept only their own handles', () => {
    const K = loadNative();
    for (const bad of [undefined, null, {}, [], new Float32Array(4), 1]) {
      expect(() => K.allFinite(bad, 0)).toThrow(TypeError);
    }
  });
});

describe('optimizers', () => {
  for (const c of configs()) {
    it(`${c.name}: a parameter buffer detached between steps is an error, not a crash`, async () => {
      const { optim, Parameter } = await import('../src');
      withConfig(c, () => {
        const p = new Parameter(new Float32Array(8).fill(1));
        const opt = new optim.Adam([p], { lr: 0.1 });
        opt.step();
        detach(p.grad);
        expect(() => opt.step()).toThrow(/grad has 0 elements, expected 8/);
        const q = new Parameter(new Float32Array(8).fill(1));
        const sgd = new optim.SGD([q], { lr: 0.1 });
        sgd.step();
        detach(q.data);
        expect(() => sgd.step()).toThrow(/data has 0 elements, expected 8/);
      });
    });
  }
  for (const c of configs()) {
    it(`${c.name}: a state buffer, or a block of small gradients, detached between steps is an error, not a crash`, async () => {
      const { optim, Parameter } = await import('../src');
      withConfig(c, () => {
        for (const [name, make, key] of [
          ['Adam', (ps: InstanceType<typeof Parameter>[]) => new optim.Adam(ps), 'exp_avg_sq'],
          ['SGD', (ps: InstanceType<typeof Parameter>[]) => new optim.SGD(ps, { lr: 0.1, momentum: 0.9 }), 'momentum_buffer'],
          ['RMSprop', (ps: InstanceType<typeof Parameter>[]) => new optim.RMSprop(ps, { centered: true }), 'grad_avg'],
          ['Adagrad', (ps: InstanceType<typeof Parameter>[]) => new optim.Adagrad(ps), 'sum'],
        ] as const) {
          const ps = [new Parameter(new Float32Array(1 << 16).fill(1)), new Parameter(new Float32Array(8).fill(1))];
          const opt = make(ps);
          opt.step();
          const state = (opt as unknown as { state: Map<unknown, Record<string, Float32Array>> }).state;
          detach(state.get(ps[1])![key]);
          // State buffers of one name share a slab: the first parameter in it is named.
          expect(() => opt.step(), name).toThrow(new RegExp(`paramGroups\\[0\\]\\.params\\[[01]\\]: state ${key} has 0 elements, expected (65536|8)`));
        }
        // Detaching one small gradient's buffer detaches its neighbours' too: each is refused by name.
        const qs = [new Parameter(new Float32Array(8).fill(1)), new Parameter(new Float32Array(8).fill(1))];
        const opt = new optim.AdamW(qs);
        opt.step();
        detach(qs[0].grad);
        expect(qs[1].grad.length).toBe(0);
        expect(() => opt.step()).toThrow(/params\[0\]: grad has 0 elements, expected 8/);
        qs[0].grad = new Float32Array(8);
        expect(() => opt.step()).toThrow(/params\[1\]: grad has 0 elements, expected 8/);

        // Options are read once per step (a getter runs once), then checked and used.
        const r = [new Parameter(new Float32Array(1 << 16).fill(1))];
        const w = new optim.AdamW(r);
        let reads = 0, detachAt = -1;
        Object.defineProperty(w.paramGroups[0], 'lr', {
          get: () => {
            if (++reads === detachAt) detach(r[0].data);
            return reads % 2 ? 1e-3 : NaN; // valid on odd reads only
          },
          enumerable: true,
        });
        w.step();
        expect(reads).toBe(1);
        expect(() => w.step()).toThrow(/^paramGroups\[0\]\.lr must be a finite number/);
        expect(r[0].data.every(Number.isFinite)).toBe(true);
        w.step();
        expect(reads).toBe(3);
        // A getter that detaches a buffer runs before the array checks, which refuse it.
        detachAt = 5;
        reads = 4;
        const before = r[0].grad.slice();
        expect(() => w.step()).toThrow(/^paramGroups\[0\]\.params\[0\]: data has 0 elements, expected 65536 .*\(was its buffer detached\?\)/);
        expect(r[0].grad).toEqual(before);
      });
    });
  }
  for (const c of configs()) {
    it(`${c.name}: arrays a step writes must not share memory (results would depend on the thread count); nothing moves`, async () => {
      const { optim, Parameter, utils } = await import('../src');
      withConfig(c, () => {
        const ok = new Parameter(new Float32Array(64).fill(1));
        const w = new Float32Array(4096).fill(1);
        const tied = [new Parameter(w), new Parameter(w)];
        const opt = new optim.SGD([{ params: [ok] }, { params: tied }], { lr: 0.1, momentum: 0.9 });
        for (const p of [ok, ...tied]) p.grad.fill(1);
        expect(() => opt.step()).toThrow(/^paramGroups\[1\]\.params\[1\]\.data shares memory with paramGroups\[1\]\.params\[0\]\.data/);
        expect(ok.data[0]).toBe(1); // group 0 did not step either
        expect(opt.stateDict().state).toEqual({});
        // A gradient that is a view of its own data, 3 elements on.
        const buf = new Float32Array(100).fill(1);
        const p = new Parameter(buf.subarray(0, 64));
        p.grad = buf.subarray(3, 67);
        expect(() => new optim.Adam([p]).step()).toThrow(/params\[0\]\.grad shares memory with paramGroups\[0\]\.params\[0\]\.data|params\[0\]\.data shares memory with paramGroups\[0\]\.params\[0\]\.grad/);
        // Parameters sharing one gradient array: clipping would scale it twice.
        const g = new Float32Array(16).fill(5);
        const a = new Parameter(new Float32Array(16)), b = new Parameter(new Float32Array(16));
        a.grad = g;
        b.grad = g;
        expect(() => utils.clipGradNorm([a, b], 1)).toThrow(/^params\[1\]\.grad shares memory with params\[0\]\.grad/);
        expect(g[0]).toBe(5);
        // Disjoint views of one buffer are fine, and so are gradients only read.
        const big = new Float32Array(200).fill(1);
        const v = [new Parameter(big.subarray(0, 100)), new Parameter(big.subarray(100, 200))];
        v[1].grad = v[0].grad;
        v[0].grad.fill(1);
        new optim.SGD(v, { lr: 0.5 }).step();
        expect(big[0]).toBe(0.5);
        expect(big[199]).toBe(0.5);
      });
    });
  }

  it('a parameter added to a second group after construction, or a hole in a group, is refused by name', async () => {
    const { optim, Parameter, utils } = await import('../src');
    const a = new Parameter(new Float32Array(4).fill(1)), b = new Parameter(new Float32Array(4).fill(1));
    const opt = new optim.SGD([{ params: [a] }, { params: [b] }], { lr: 0.5 });
    a.grad.fill(1);
    opt.step();
    opt.paramGroups[1].params.push(a);
    expect(() => opt.step()).toThrow(/^paramGroups\[1\]\.params\[1\] appears more than once among the parameter groups/);
    expect(a.data[0]).toBe(0.5);
    // eslint-disable-next-line no-sparse-arrays
    const holes = [a, , b] as InstanceType<typeof Parameter>[];
    expect(() => new optim.SGD(holes, { lr: 0.1 })).toThrow(/^params\[1\] must be a Parameter, got undefined/);
    expect(() => utils.clipGradNorm(holes, 1)).toThrow(/^params\[1\] must be a Parameter, got undefined/);
  });

  it('zeroGrad (optimizer, module, parameter) refuses a detached gradient before zeroing any', async () => {
    const { optim, nn, Parameter } = await import('../src');
    const big = new Parameter(new Float32Array(5000).fill(1));
    const small = new Parameter(new Float32Array(8).fill(1));
    big.grad.fill(3);
    const opt = new optim.SGD([big, small], { lr: 0.1 });
    detach(small.grad);
    expect(() => opt.zeroGrad()).toThrow(/^paramGroups\[0\]\.params\[1\]\.grad must be a Float32Array of 8 elements, got a Float32Array of length 0 \(was its buffer detached\? Small parameters' gradients share one block/);
    expect(big.grad[0]).toBe(3);
    expect(() => small.zeroGrad()).toThrow(RangeError);
    const lin = new nn.Linear(70, 70);
    lin.weight.grad.fill(2);
    detach(lin.bias!.grad);
    expect(() => lin.zeroGrad()).toThrow(/^bias\.grad must be a Float32Array of 70 elements/);
    expect(lin.weight.grad[0]).toBe(2);
  });

  for (const c of configs()) {
    it(`${c.name}: clipGradNorm refuses a parameter whose data and grad were both detached`, async () => {
      const { utils, Parameter } = await import('../src');
      withConfig(c, () => {
        const p = new Parameter(new Float32Array(4).fill(1));
        p.grad.fill(1);
        detach(p.data);
        detach(p.grad);
        expect(() => utils.clipGradNorm([p], 1)).toThrow(/^params\[0\] has shape \[4\] \(4 elements\) but its data holds 0/);
      });
    });
  }
  it('backend is left native', () => expect(backend.current()).toBe('native'));
});

describe('tensors and layers', () => {
  it('a shape too large for a Float32Array names the shape, not the engine limit', async () => {
    const { Tensor, nn } = await import('../src');
    expect(() => Tensor.zeros([2 ** 31, 2 ** 31])).toThrow(/^shape \[2147483648, 2147483648\] holds .* more than a Float32Array can/);
    expect(() => new nn.Linear(2 ** 31, 2 ** 31)).toThrow(RangeError);
    expect(() => new nn.Linear(2 ** 31, 2 ** 31)).toThrow(/weight shape/);
  });

  it('holes in an array of numbers are not NaN', async () => {
    const { Tensor } = await import('../src');
    // eslint-disable-next-line no-sparse-arrays
    expect(() => new Tensor([1, , 3] as number[])).toThrow(/data\[1\] must be a number, got undefined/);
  });

  it('lengths appear in descriptions of arrays', async () => {
    const { nn, Tensor } = await import('../src');
    expect(() => new nn.Linear(3, 2).forward(new Float32Array(3) as unknown as InstanceType<typeof Tensor>)).toThrow(/got a Float32Array of length 3/);
  });

  for (const c of configs()) {
    it(`${c.name}: tensors whose data no longer fits their shape never reach a kernel`, async () => {
      const { nn, Tensor } = await import('../src');
      withConfig(c, () => {
        const lin = new nn.Linear(3, 2);
        const x = Tensor.zeros([2, 3]);
        x.data = new Float32Array(2);
        expect(() => lin.forward(x)).toThrow(/input has shape \[2, 3\] \(6 elements\) but its data holds 2/);
        const ok = Tensor.zeros([2, 3]);
        lin.forward(ok);
        detach(ok.data);
        expect(() => lin.backward(Tensor.zeros([2, 2]))).toThrow(/the input kept from forward has shape/);
        lin.forward(Tensor.zeros([2, 3]));
        lin.weight.grad = new Float32Array(1);
        expect(() => lin.backward(Tensor.zeros([2, 2]))).toThrow(/weight.grad must be a Float32Array of 6 elements/);
        lin.weight.data = new Float32Array(1);
        expect(() => lin.forward(Tensor.zeros([2, 3]))).toThrow(RangeError);

        const relu = new nn.ReLU();
        const h = Tensor.zeros([4]);
        relu.forward(h);
        detach(h.data);
        expect(() => relu.backward(Tensor.zeros([4]))).toThrow(/the input kept from forward/);

        const bn = new nn.BatchNorm1d(3);
        const b = new Tensor(new Float32Array([1, 2, 3, 4, 5, 6]), [2, 3]);
        bn.forward(b);
        detach(b.data);
        expect(() => bn.backward(Tensor.zeros([2, 3]))).toThrow(/the input kept from forward/);
        bn.runningMean!.data = new Float32Array(1);
        expect(() => bn.forward(Tensor.zeros([2, 3]))).toThrow(RangeError);
      });
    });
  }

  it('train(mode) takes a boolean', async () => {
    const { nn } = await import('../src');
    expect(() => new nn.Linear(3, 2).train('no' as unknown as boolean)).toThrow(/mode must be a boolean, got "no"/);
  });
});

describe('files', () => {
  const tmp = tmpDir;

  it('save and load name a directory given as the file, and a missing parent directory', async () => {
    const { save, load, nn } = await import('../src');
    const dir = tmp();
    const model = new nn.Linear(3, 2);
    expect(() => save(dir, { model })).toThrow(/^path must be a file, got the directory /);
    expect(() => save(path.join(dir, 'no', 'such', 'x.safetensors'), { model })).toThrow(/^path: the directory .*no[/\\]such does not exist/);
    expect(() => load(dir)).toThrow(RangeError);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('save refuses meta that JSON cannot hold, and leaves the old checkpoint whole', async () => {
    const { save, nn } = await import('../src');
    const file = path.join(tmp(), 'c.safetensors');
    const model = new nn.Linear(3, 2);
    save(file, { model });
    const before = fs.readFileSync(file);
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => save(file, { model, meta: cyclic })).toThrow(/^meta.self refers back to itself \(a cycle\)/);
    expect(() => save(file, { model, meta: { n: 1n } })).toThrow(TypeError);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['c.safetensors']);
  });

  it('data loaders name a directory given as the file', async () => {
    const { data } = await import('../src');
    const dir = tmp();
    expect(() => data.loadCsv(dir)).toThrow(/^path must be a file, got the directory /);
    expect(() => data.loadIdx(dir)).toThrow(RangeError);
    expect(() => data.loadMnistDir(null as unknown as string)).toThrow(/^dir must be a directory path, got null/);
  });

  it('fit checks its log and checkpoint paths before training', async () => {
    const { fit, nn, optim, data } = await import('../src');
    const dir = tmp();
    const file = path.join(dir, 'f');
    fs.writeFileSync(file, 'x');
    const ds = new data.Dataset(new Float32Array(12), new Int32Array([0, 1, 0, 1]), 3);
    const model = new nn.Linear(3, 2);
    const base = { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, progress: 'none' as const };
    expect(() => fit(model, ds, { ...base, log: dir })).toThrow(/^log must be a file, got the directory /);
    expect(() => fit(model, ds, { ...base, checkpoint: { dir: file } })).toThrow(/^checkpoint.dir must be a directory, got the file /);
  });
});

describe('training entry points', () => {
  const ds = async () => {
    const { data } = await import('../src');
    return new data.Dataset(new Float32Array(12), new Int32Array([0, 1, 0, 1]), 3);
  };

  it('fit, evaluate and predict name a missing model, dataset or features', async () => {
    const { fit, evaluate, predict, nn, optim, data } = await import('../src');
    const model = new nn.Linear(3, 2);
    const optimizer = new optim.SGD(model.parameters(), { lr: 0.1 });
    const train = await ds();
    expect(() => fit(null as never, train, { optimizer })).toThrow(/^model must be an nn.Module, got null/);
    const empty = new data.Dataset(new Float32Array(0), new Int32Array(0), 3);
    expect(() => fit(model, empty, { optimizer, progress: 'none' })).toThrow(/^trainData must hold at least one sample/);
    expect(() => evaluate(model, null as never)).toThrow(/^ds must be a data.Dataset, got null/);
    expect(() => evaluate(model, train, { batchsize: 2 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => predict(model, null as never, 3)).toThrow(/^features must be a Float32Array, got null/);
    expect(() => predict(model, new Float32Array(7), 3)).toThrow(/^features must hold rows of d = 3 values, got 7/);
    expect(() => predict(model, new Float32Array(6), 0)).toThrow(RangeError);
  });

  it('Dataset.subset and Standardizer.fromJSON refuse nonsense', async () => {
    const { data } = await import('../src');
    const d = await ds();
    expect(() => d.subset(null as never)).toThrow(/^indices must be an array of sample indices, got null/);
    expect(() => data.Standardizer.fromJSON({ mean: ['a' as never], std: [1] })).toThrow(/^state.mean\[0\] must be a finite number, got "a"/);
    expect(() => data.Standardizer.fromJSON({ mean: [1e39], std: [1] })).toThrow(/^state.mean\[0\] must be a finite number that float32 can hold, got 1e\+39/);
    expect(() => data.Standardizer.fromJSON({ mean: [0], std: [1e-50] })).toThrow(/^state.std\[0\] must be a finite number > 0 that float32 can hold, got 1e-50/);
    expect(() => data.Standardizer.fromJSON({ mean: [0], std: [0] })).toThrow(/^state.std\[0\] must be a finite number > 0/);
    expect(() => data.Standardizer.fromJSON('{')).toThrow(/not valid JSON/);
  });
});

describe('fit and BatchNorm1d', () => {
  it('a last batch of one sample is refused before training starts', async () => {
    const { fit, nn, optim, data } = await import('../src');
    const model = new nn.Sequential(new nn.Linear(3, 4), new nn.BatchNorm1d(4), new nn.Linear(4, 2));
    const ds = new data.Dataset(new Float32Array(5 * 3).map((_, i) => i % 7), new Int32Array([0, 1, 0, 1, 0]), 3);
    const before = model.stateDict()['0.weight'].data.slice();
    const run = (batchSize: number) => fit(model, ds, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), epochs: 1, batchSize, progress: 'none' });
    expect(() => run(4)).toThrow(/^batchSize 4 leaves a last batch \(5 training samples\) of 1 sample/);
    expect(() => run(1)).toThrow(/^batchSize 1 gives batches of 1 sample/);
    expect(model.stateDict()['0.weight'].data).toEqual(before);
    expect(run(5).history).toHaveLength(1);
    const empty = new data.Dataset(new Float32Array(0), new Int32Array(0), 3);
    expect(() => fit(model, ds, { optimizer: new optim.SGD(model.parameters(), { lr: 0.1 }), valData: empty, progress: 'none' })).toThrow(/^valData must hold at least one sample/);
    const other = new nn.Linear(3, 2);
    expect(() => fit(model, ds, { optimizer: new optim.SGD(other.parameters(), { lr: 0.1 }), progress: 'none' })).toThrow(/^optimizer holds none of the model's \d+ parameters; build it from model.parameters\(\)/);
  });
});

describe('shapes edited after construction and empty products', () => {
  for (const b of ['native', 'reference'] as const) {
    it(`${b}: a dimension edited to a negative value is refused, not looped over`, async () => {
      const { backend, nn, Tensor } = await import('../src');
      backend.use(b);
      const x = new Tensor(new Float32Array(8), [2, 2, 2]);
      x.shape[0] = -1;
      x.shape[2] = -4;
      const bn = new nn.BatchNorm1d(2);
      expect(() => bn.forward(x)).toThrow(/^x\.shape\[0\] must be an integer >= 0 and < 2\^53, got -1/);
      expect(bn.numBatchesTracked).toBe(0);
      backend.use('native');
    });

    it(`${b}: Linear on [2^40, 0] returns at once; an output too large for a Float32Array is a RangeError`, async () => {
      const { backend, nn, Tensor } = await import('../src');
      backend.use(b);
      const lin = new nn.Linear(0, 0);
      const y = lin.forward(new Tensor(new Float32Array(0), [2 ** 40, 0]));
      expect(y.shape).toEqual([2 ** 40, 0]);
      expect(lin.backward(y).shape).toEqual([2 ** 40, 0]);
      expect(() => new nn.Linear(0, 3).forward(new Tensor(new Float32Array(0), [2 ** 33, 0]))).toThrow(/^the output shape \[8589934592, 3\] holds 25769803776 elements/);
      backend.use('native');
    });
  }
});

describe('deepfit CLI', () => {
  const bin = path.resolve(__dirname, '..', 'dist/cli/main.js');
  const dir = tmpDir();
  const csv = path.join(dir, 'tiny.csv');
  fs.writeFileSync(csv, '1,2,0\n1,3,1\n2,2,0\n');
  const run = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 60_000 });

  // Each case: one line on stderr (no stack trace), exit code 2 for a usage mistake.
  const cases: [string[], RegExp][] = [
    [['train', '--epochs', '-1'], /^--epochs must be an integer >= 1, got '-1'$/],
    [['train', '--lr', '-1e-3'], /^--lr must be a number >= 0, got '-1e-3'$/],
    [['train', '--epochs', '99999999999999999999'], /^--epochs must be an integer >= 1 and <= 9007199254740991, got '99999999999999999999'$/],
    [['train', '--threads', '99999'], /^--threads must be an integer >= 1 and <= 1024, got '99999'$/],
    [['train', '--clip-grad-norm', '0'], /^--clip-grad-norm must be a number > 0, got '0'$/],
    [['train', '--lr', '0x10'], /^--lr must be a number >= 0, got '0x10'$/],
    [['train', '--seed', '4294967296'], /^--seed must be an integer >= 0 and <= 4294967295, got '4294967296'$/],
    [['predict', '--checkpoint', '/dev/null', '--input', csv], /^--checkpoint must be a file, got the special file \/dev\/null$/],
    [['train', '--dataset', path.join(dir, 'nope.csv')], /^--dataset: no file at .*nope\.csv$/],
    [['train', '--out', csv], /^--out must be a directory, got the file .*tiny\.csv$/],
    [['train', '--out', path.join(csv, 'x')], /^--out: a part of .*tiny\.csv.x is a file, not a directory$/],
    [['train', '--data-dir', dir], /^--data-dir only applies to --dataset fashion-mnist$/],
    [['train', '--dataset', csv], /^--dataset .*tiny\.csv: 3 samples are too few, the 60\/20\/20 split leaves the test set empty$/],
    [['predict', '--checkpoint', dir, '--input', csv], /^--checkpoint: the directory .* has no checkpoint\.safetensors; pass a run directory written by 'deepfit train' or a checkpoint file$/],
    [['predict', '--checkpoint', path.join(dir, 'none.safetensors'), '--input', csv], /^--checkpoint: no file at .*none\.safetensors$/],
  ];
  for (const [args, message] of cases) {
    it(`deepfit ${args.map((a) => path.basename(a)).join(' ')}`, () => {
      const r = run(...args);
      expect(r.stderr.trim()).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.status).toBe(2);
    });
  }
  it('a failed run leaves no empty run directory; bare deepfit prints its usage to stderr; a failed write is one line', () => {
    const cwd = fs.mkdtempSync(path.join(dir, 'cwd-'));
    const r = spawnSync(process.execPath, [bin, 'train', '--batch-size', '1'], { cwd, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(fs.readdirSync(path.join(cwd, 'runs'))).toEqual([]);
    const bare = spawnSync(process.execPath, [bin], { encoding: 'utf8' });
    expect([bare.status, bare.stdout]).toEqual([2, '']);
    expect(bare.stderr).toMatch(/^usage: deepfit <command>/);
    if (fs.existsSync('/dev/full')) {
      const full = spawnSync('sh', ['-c', `"${process.execPath}" "${bin}" train --help > /dev/full`], { encoding: 'utf8' });
      expect([full.status, full.stderr]).toEqual([1, 'deepfit: cannot write the output: ENOSPC: no space left on device, write\n']);
    }
  });

  it('keeps every error on one line', () => {
    const r = run('train', '--epochs');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.status).toBe(2);
  });
});

describe('options and results that used to pass silently', () => {
  it('activations without options refuse one (a typo such as inplace would be ignored)', async () => {
    const { nn, Tensor } = await import('../src');
    expect(() => new nn.ReLU({ inplace: true } as never)).toThrow(/^ReLU: unknown option 'inplace' \(it takes no options\)/);
    expect(() => new nn.Tanh({ x: 1 } as never)).toThrow(RangeError);
    expect(() => new nn.Sigmoid('fast' as never)).toThrow(/^options must be an object, got "fast"/);
    expect(() => new nn.MSELoss({ reduction: 'sum' } as never)).toThrow(/^MSELoss: unknown option 'reduction' \(it takes no options\)/);
    expect(() => new nn.LeakyReLU(0.2, { inplace: true } as never)).toThrow(/^LeakyReLU: unknown option 'inplace' \(it takes no options\)/);
    const drop = new nn.Dropout(0.5);
    drop.forward(new Tensor(new Float32Array(6), [2, 3]));
    expect(() => drop.backward(new Tensor(new Float32Array(6), [3, 2]))).toThrow(/^gradOutput must have shape \[2, 3\], got \[3, 2\]/);
  });

  it('cross-entropy over zero classes is a RangeError naming the shape', async () => {
    const { nn, Tensor } = await import('../src');
    expect(() => new nn.CrossEntropyLoss().forward(Tensor.zeros([2, 0]), new Int32Array(2))).toThrow(/^input must have at least one class .*got \[2, 0\]/);
  });

  it('a LambdaLR factor that is not a finite number >= 0 is an error, and the scheduler does not move', async () => {
    const { optim, lrScheduler, Parameter } = await import('../src');
    const opt = new optim.SGD([new Parameter([1, 2])], { lr: 0.1 });
    expect(() => new lrScheduler.LambdaLR(opt, { lrLambda: () => NaN })).toThrow(/^LambdaLR: lrLambda\(0\) \(the lr factor\) must be a finite number >= 0, got NaN/);
    let factor: unknown = 1;
    const s = new lrScheduler.LambdaLR(opt, { lrLambda: () => factor as number });
    factor = 'x';
    expect(() => s.step()).toThrow(/lrLambda\(1\) \(the lr factor\) must be a finite number >= 0, got "x"/);
    factor = -1;
    expect(() => s.step()).toThrow(RangeError);
    expect(s.lastEpoch).toBe(0);
    expect(opt.paramGroups[0].lr).toBe(0.1);
  });

  it('Generator.setState refuses unknown keys', async () => {
    const { Generator } = await import('../src');
    expect(() => new Generator(1).setState({ seed: 1, offset: 0, ofset: 3 } as never)).toThrow(/^setState: unknown option 'ofset'/);
  });
});

describe('state dicts, init and data helpers', () => {
  it('Module.loadStateDict refuses a tensor whose data does not fill its shape (no partial copy)', async () => {
    const { nn, Tensor } = await import('../src');
    const lin = new nn.Linear(3, 2);
    const before = lin.weight.data.slice();
    const sd = lin.stateDict();
    const short = Tensor.zeros([2, 3]);
    short.data = new Float32Array([7, 7]);
    sd.weight = short;
    expect(() => lin.loadStateDict(sd)).toThrow(/^stateDict\['weight'\] has shape \[2, 3\] \(6 elements\) but its data holds 2/);
    const gone = Tensor.zeros([2, 3]);
    detach(gone.data);
    sd.weight = gone;
    expect(() => lin.loadStateDict(sd)).toThrow(RangeError);
    expect(lin.weight.data).toEqual(before);
  });

  for (const c of configs()) {
    it(`${c.name}: init.uniform refuses a width beyond float32 (PyTorch's check) instead of filling NaN`, async () => {
      const { init, Tensor } = await import('../src');
      withConfig(c, () => {
        expect(() => init.uniform(Tensor.zeros([4]), { a: -1e308, b: 1e308 })).toThrow(/^uniform expects b - a <= 3.4028234663852886e\+38/);
        expect(Array.from(init.uniform(Tensor.zeros([4]), { a: -1e38, b: 1e38 }).data).every(Number.isFinite)).toBe(true);
      });
    });
  }

  it('confusionMatrix, parseIdx and encodeIdx check their arguments', async () => {
    const { confusionMatrix, data } = await import('../src');
    expect(() => confusionMatrix(null as never, new Int32Array(1), 2)).toThrow(/^labels must be an Int32Array, got null/);
    expect(() => confusionMatrix(new Int32Array(2), new Int32Array(1), 2)).toThrow(/^predictions must hold one class per label \(2\), got 1/);
    expect(() => confusionMatrix(new Int32Array(1), new Int32Array(1), 1.5)).toThrow(/^numClasses must be an integer in \[0, 4096\], got 1.5/);
    // numClasses² cells: a huge count is refused before it exhausts memory.
    expect(() => confusionMatrix(new Int32Array(1), new Int32Array(1), 100000)).toThrow(/^numClasses must be an integer in \[0, 4096\], got 100000/);
    expect(() => confusionMatrix(Int32Array.of(-1), Int32Array.of(0), 2)).toThrow(/^labels\[0\] must be a class index in \[0, 2\), got -1/);
    expect(() => confusionMatrix(Int32Array.of(0), Int32Array.of(2), 2)).toThrow(/^predictions\[0\] must be a class index in \[0, 2\), got 2/);
    expect(() => new data.Dataset(new Float32Array(1), Int32Array.of(2 ** 31 - 1), 1)).toThrow(/^labels\[0\] must be a class index in \[0, 65536\), got 2147483647/);
    expect(() => data.parseIdx(null as never)).toThrow(/^buf must be a Uint8Array/);
    expect(() => data.encodeIdx(null as never)).toThrow(/^arr must be an object, got null/);
    expect(() => data.encodeIdx({ dtype: 'uint8', shape: [2, 2], data: new Uint8Array(3) })).toThrow(/^arr.shape \[2, 2\] holds 4 elements but arr.data has 3/);
    expect(() => data.encodeIdx({ dtype: 'uint8', shape: [2 ** 32], data: new Uint8Array(0) })).toThrow(/^arr.shape\[0\] must be an integer in \[0, 4294967295\]/);
  });
});

describe('Sequential', () => {
  it('refuses one module instance at two places (its backward would use the later input for both)', async () => {
    const { nn } = await import('../src');
    const relu = new nn.ReLU();
    expect(() => new nn.Sequential(new nn.Linear(3, 3), relu, new nn.Linear(3, 3), relu)).toThrow(/^modules\[3\] is the same ReLU instance as modules\[1\]/);
    const lin = new nn.Linear(2, 2);
    expect(() => new nn.Sequential(lin, new nn.Sequential(new nn.ReLU(), lin))).toThrow(/^modules\[1\]\.1 is the same Linear instance as modules\[0\]/);
    expect(new nn.Sequential(new nn.ReLU(), new nn.ReLU()).length).toBe(2);
  });
});

describe('load into targets', () => {
  it('names the file and the target whose loadStateDict refuses the state, and restores the ones already loaded', async () => {
    const { save, load, nn, optim } = await import('../src');
    const file = path.join(tmpDir(), 'c.safetensors');
    const m = new nn.Linear(3, 2);
    const sgd = new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 });
    sgd.step();
    save(file, { model: m, optimizer: sgd });
    const target = new nn.Linear(3, 2);
    const before = target.weight.data.slice();
    const adam = new optim.Adam(target.parameters(), { lr: 0.1 });
    expect(() => load(file, { model: target, optimizer: adam })).toThrow(RangeError);
    expect(() => load(file, { model: target, optimizer: adam })).toThrow(/c\.safetensors: the optimizer does not accept the checkpoint's optimizer state: stateDict\.paramGroups\[0\]: unknown option 'momentum'/);
    expect(target.weight.data).toEqual(before);
  });
});

describe('scheduler step arguments', () => {
  it("step(epoch), PyTorch's deprecated form, is a TypeError instead of being ignored", async () => {
    const { optim, lrScheduler, Parameter } = await import('../src');
    const opt = () => new optim.SGD([new Parameter([1, 2])], { lr: 0.1, momentum: 0.9 });
    const make = [
      () => new lrScheduler.StepLR(opt(), { stepSize: 2 }),
      () => new lrScheduler.CosineAnnealingWarmRestarts(opt(), { t0: 2 }),
      () => new lrScheduler.OneCycleLR(opt(), { maxLr: 1, totalSteps: 10 }),
      () => {
        const o = opt();
        return new lrScheduler.SequentialLR(o, { schedulers: [new lrScheduler.StepLR(o, { stepSize: 1 }), new lrScheduler.ExponentialLR(o, { gamma: 0.5 })], milestones: [2] });
      },
    ];
    for (const m of make) {
      const s = m();
      const lr = s.getLastLr();
      expect(() => (s.step as (e: number) => void)(5)).toThrow(new RegExp(`^${s.constructor.name}\\.step\\(\\) takes no arguments, got 1`));
      expect(s.getLastLr()).toEqual(lr);
      s.step();
    }
  });
});

describe('optimizer step arguments', () => {
  it('step(closure) is a TypeError instead of a closure that never runs', async () => {
    const { optim, Parameter } = await import('../src');
    const p = new Parameter([1, 2]);
    p.grad.fill(1);
    const opt = new optim.Adam([p], { lr: 0.1 });
    expect(() => (opt.step as (c: () => number) => void)(() => 0)).toThrow(/^Adam\.step\(\) takes no arguments, got 1 \(step\(closure\) is not supported\)/);
    expect(Array.from(p.data)).toEqual([1, 2]);
  });
});

describe('BatchNorm state', () => {
  for (const c of configs()) {
    it(`${c.name}: a loaded num_batches_tracked that is not an integer >= 0 is refused before it skews the running statistics`, async () => {
      const { nn, Tensor } = await import('../src');
      withConfig(c, () => {
        const model = new nn.Sequential(new nn.BatchNorm1d(3, { momentum: null }));
        const sd = model.stateDict();
        sd['0.num_batches_tracked'] = new Tensor([-1.5], []);
        model.loadStateDict(sd);
        const bn = model.at(0) as InstanceType<typeof nn.BatchNorm1d>;
        const mean = bn.runningMean!.data.slice();
        expect(() => model.forward(new Tensor(new Float32Array([0, 1, 2, 3, 4, 5]), [2, 3]))).toThrow(/^num_batches_tracked must be an integer >= 0 and < 2\^53, got -1.5/);
        expect(bn.runningMean!.data).toEqual(mean);
      });
    });
  }
});
