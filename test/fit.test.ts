// fit(): the loop's control flow on a small problem with plain-TS layers:
// results and the metrics log, early stopping, restoring the best weights,
// a non-finite loss, the diagnostics and option validation.
import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { CheckpointFormatError, data, defaultGenerator, fit, load, optim, save } from '../src';
import type { Module } from '../src/nn/module';
import { rng } from './helpers';
import { ReLU, TinyCrossEntropy, TinyLinear, TinySequential, TinySGD } from './fit-standins';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-fit-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Three Gaussian blobs in 4-D. */
function blobs(n: number, seed: number): InstanceType<typeof data.Dataset> {
  const r = rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  const x = new Float32Array(n * 4);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 3;
    for (let j = 0; j < 4; j++) x[i * 4 + j] = (j === y[i] ? 2 : 0) + 0.6 * gauss();
  }
  return new data.Dataset(x, y, 4);
}
const train = blobs(240, 1);
const val = blobs(90, 2);
const model = (seed = 1) => new TinySequential(new TinyLinear(4, 16, seed), new ReLU(), new TinyLinear(16, 3, seed + 1));
const setup = (lr = 0.1, seed = 1) => {
  const m = model(seed);
  return { m, opt: new TinySGD(m.parameters(), lr), lossFn: new TinyCrossEntropy() };
};
const weights = (m: Module) => m.parameters().map((p) => Array.from(p.data));

describe('fit', () => {
  it('trains, returns per-epoch results and logs the same as JSON lines', () => {
    const { m, opt, lossFn } = setup();
    const log = path.join(tmp, 'a', 'metrics.jsonl');
    const r = fit(m, train, { valData: val, epochs: 6, batchSize: 16, optimizer: opt, lossFn, log, progress: 'none' });
    expect(r.history.map((h) => h.epoch)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(r.stopReason).toBe('completed');
    expect(r.history[5].trainLoss).toBeLessThan(r.history[0].trainLoss);
    expect(r.history[5].valAccuracy).toBeGreaterThan(0.9);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(JSON.parse(JSON.stringify(r.history)));
    for (const k of ['epoch', 'trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'lr', 'gradNorm', 'seconds', 'samplesPerSec']) expect(lines[0]).toHaveProperty(k);
    expect(lines[0].lr).toBe(0.1);
    expect(lines[0].gradNorm).toBeGreaterThan(0);
    expect(r.diagnostics).toEqual([]);
  });

  it('is deterministic: the same seed gives the same weights and metrics', () => {
    const run = (seed: number) => {
      const { m, opt, lossFn } = setup();
      const h = fit(m, train, { valData: val, epochs: 2, batchSize: 10, optimizer: opt, lossFn, seed, progress: 'none' }).history;
      return { w: weights(m), losses: h.map((e) => [e.trainLoss, e.valLoss, e.gradNorm]) };
    };
    expect(run(5)).toEqual(run(5));
    expect(run(6).w).not.toEqual(run(5).w);
  });

  it('stops early after `patience` epochs without improvement', () => {
    const { m, opt, lossFn } = setup(0);
    const r = fit(m, train, { valData: val, epochs: 20, batchSize: 32, optimizer: opt, lossFn, earlyStopping: { patience: 2 }, progress: 'none', diagnostics: false });
    expect(r.stopReason).toBe('early-stopping');
    expect(r.history.length).toBe(3);
    expect(r.bestEpoch).toBe(1);
    expect(r.monitor).toBe('valLoss');
  });

  it('restoreBestWeights restores the best epoch even when stopping never triggers', () => {
    const { m, opt, lossFn } = setup();
    const snapshots: number[][][] = [];
    const r = fit(m, train, {
      valData: val,
      epochs: 4,
      batchSize: 16,
      optimizer: opt,
      lossFn,
      // The worst epoch by design: the first, with the highest val loss.
      earlyStopping: { monitor: 'valLoss', mode: 'max', patience: 100, restoreBestWeights: true },
      onEpochEnd: () => void snapshots.push(weights(m)),
      progress: 'none',
    });
    expect(r.stopReason).toBe('completed');
    expect(r.bestEpoch).toBe(1);
    expect(r.restoredBestWeights).toBe(true);
    expect(weights(m)).toEqual(snapshots[0]);
    expect(weights(m)).not.toEqual(snapshots[3]);
  });

  it('a non-finite loss stops training with a clear diagnostic and keeps the last good weights', () => {
    const { m, opt, lossFn } = setup();
    let kept: number[][] = [];
    const r = fit(m, train, {
      epochs: 5,
      batchSize: 16,
      optimizer: opt,
      lossFn,
      onEpochEnd: (e) => {
        kept = weights(m);
        if (e.epoch === 1) opt.paramGroups[0].lr = 1e30;
      },
      progress: 'none',
    });
    expect(r.stopReason).toBe('non-finite-loss');
    expect(r.history.length).toBe(1);
    expect(weights(m)).toEqual(kept);
    const d = r.diagnostics.find((x) => x.kind === 'non-finite-loss')!;
    expect(d.severity).toBe('error');
    expect(d.message).toMatch(/training loss became (NaN|Infinity) at epoch 2, batch \d+; training stopped and the weights of epoch 1, the last good one, were kept/);
    expect(d.causes.join(' ')).toMatch(/learning rate is too high/);
  });

  it('diagnostics: false still stops on a non-finite loss, without a diagnostic', () => {
    const { m, opt, lossFn } = setup(1e30);
    const r = fit(m, train, { epochs: 3, batchSize: 16, optimizer: opt, lossFn, progress: 'none', diagnostics: false });
    expect(r.stopReason).toBe('non-finite-loss');
    expect(r.history).toEqual([]);
    expect(r.diagnostics).toEqual([]);
  });

  it('reports dead ReLUs per layer and a loss that does not fall; diagnostics: false silences them', () => {
    const { m, opt, lossFn } = setup(0);
    (m.layers[0] as TinyLinear).bias.data.fill(-100);
    const r = fit(m, train, { valData: val, epochs: 3, batchSize: 32, optimizer: opt, lossFn, progress: 'none' });
    expect(r.history[0].deadRelu).toEqual({ '1': 1 });
    expect(r.diagnostics.map((d) => d.kind).sort()).toEqual(['dead-relu', 'loss-not-falling', 'underfitting']);
    expect(r.diagnostics.find((d) => d.kind === 'dead-relu')!.message).toMatch(/100% of the ReLU units of layer 1 are dead/);
    const quiet = setup(0);
    (quiet.m.layers[0] as TinyLinear).bias.data.fill(-100);
    const q = fit(quiet.m, train, { valData: val, epochs: 3, batchSize: 32, optimizer: quiet.opt, lossFn, progress: 'none', diagnostics: false });
    expect(q.diagnostics).toEqual([]);
    expect(q.history[0].deadRelu).toBeUndefined();
  });

  it('stops when onEpochEnd returns false', () => {
    const { m, opt } = setup();
    // No lossFn: cross-entropy by default.
    const r = fit(m, train, { epochs: 5, batchSize: 64, optimizer: opt, onEpochEnd: (e) => e.epoch < 2, progress: 'none' });
    expect(r.stopReason).toBe('callback');
    expect(r.history.length).toBe(2);
  });

  it('writes checkpoint.safetensors at each best epoch and last.safetensors at the end', () => {
    const m = model();
    const dir = path.join(tmp, 'ck');
    const bestWeights: number[][][] = [];
    const r = fit(m, train, {
      valData: val,
      epochs: 3,
      batchSize: 32,
      optimizer: new optim.SGD(m.parameters(), { lr: 0.1 }),
      // The best epoch by design is the first (the highest val loss), so the two files differ.
      earlyStopping: { mode: 'max' },
      checkpoint: { dir, meta: { note: 'hello' } },
      onEpochEnd: () => void bestWeights.push(weights(m)),
      progress: 'none',
    });
    expect(r.bestEpoch).toBe(1);
    const best = load(path.join(dir, 'checkpoint.safetensors'));
    const last = load(path.join(dir, 'last.safetensors'));
    expect(Array.from(best.model!['0.weight'].data)).toEqual(bestWeights[0][0]);
    expect(Array.from(last.model!['0.weight'].data)).toEqual(bestWeights[2][0]);
    expect((last.meta as Record<string, unknown>).note).toBe('hello');
    expect(((last.meta as Record<string, { epoch: number }>).trainer).epoch).toBe(3);
    expect(last.optimizer!.paramGroups[0].lr).toBe(0.1);
    expect(fs.readdirSync(dir).sort()).toEqual(['checkpoint.safetensors', 'last.safetensors']);
  });

  it('validates its arguments', () => {
    const { m, opt, lossFn } = setup();
    const base = { optimizer: opt, lossFn, progress: 'none' as const };
    expect(() => fit(m, [] as never, base)).toThrow(/trainData must be a data.Dataset/);
    expect(() => fit(m, train, { ...base, epochs: 0 })).toThrow(/epochs must be an integer >= 1/);
    expect(() => fit(m, train, { ...base, batchsize: 3 } as never)).toThrow(/unknown option 'batchsize'/);
    expect(() => fit(m, train, { ...base, optimizer: {} as never })).toThrow(/optimizer must have a step\(\) method/);
    expect(() => fit(m, train, { ...base, earlyStopping: { monitor: 'valAccuracy' } })).toThrow(/'valAccuracy' needs valData/);
    expect(() => fit(m, train, { ...base, clipGradNorm: -1 })).toThrow(/clipGradNorm must be a finite number > 0/);
    expect(() => fit(m, train, { ...base, valData: blobs(3, 1).subset([0]), earlyStopping: { mode: 'up' as never } })).toThrow(/earlyStopping.mode must be one of/);
    const reserved = path.join(tmp, 'reserved');
    expect(() => fit(m, train, { ...base, checkpoint: { dir: reserved, meta: { trainer: 'mine' } } })).toThrow(RangeError);
    expect(() => fit(m, train, { ...base, checkpoint: { dir: reserved, meta: { trainer: 'mine' } } })).toThrow(/checkpoint.meta.trainer is reserved/);
    expect(() => fit(m, train, { ...base, checkpoint: { dir: reserved, meta: { n: 1n } } })).toThrow(/checkpoint.meta must be JSON-serializable/);
    expect(fs.existsSync(reserved)).toBe(false);
  });
});

describe('fit resume', () => {
  const run = () => {
    const m = model();
    return { m, opt: new optim.SGD(m.parameters(), { lr: 0.1, momentum: 0.9 }) };
  };
  const quiet = { batchSize: 32, progress: 'none' as const, diagnostics: false };
  const holder = (sd: unknown) => ({ stateDict: () => sd, loadStateDict: () => {} });
  /** Rewrites a fit() checkpoint with its trainer state changed by `change`. */
  function rewriteTrainer(file: string, change: (t: Record<string, any>) => void): void {
    const ck = load(file);
    const meta = ck.meta as { trainer: Record<string, any> };
    change(meta.trainer);
    save(file, { model: holder(ck.model), optimizer: holder(ck.optimizer), meta } as never);
  }

  it('checks the whole trainer state before loading anything', () => {
    const dir = path.join(tmp, 'resume-bad-state');
    const a = run();
    fit(a.m, train, { ...quiet, epochs: 2, optimizer: a.opt, checkpoint: { dir } });
    const last = path.join(dir, 'last.safetensors');
    const good = fs.readFileSync(last);
    const cases: [string, (t: Record<string, any>) => void, RegExp][] = [
      ['an invalid generator seed', (t) => (t.rng = { seed: -1, offset: 0 }), /meta.trainer.rng.seed must be an integer >= 0 and < 2\^53, got -1/],
      ['no generator offset', (t) => (t.rng = { seed: 1 }), /meta.trainer.rng.offset must be an integer >= 0 and < 2\^53, got undefined/],
      ['an unknown generator key', (t) => (t.rng = { ...t.rng, extra: 1 }), /meta.trainer.rng must be the generator state \{seed, offset\}, not have 'extra'/],
      ['a history of numbers', (t) => (t.history = [1, 2, 3, 4, 5]), /meta.trainer.history\[0\] must be an epoch result \(an object\), got 1/],
      ['a history out of order', (t) => (t.history = [t.history[1], t.history[0]]), /meta.trainer.history\[0\].epoch must be 1 \(epochs 1..2 in order\), got 2/],
      ['a bestEpoch that is no number', (t) => (t.bestEpoch = 'x'), /meta.trainer.bestEpoch must be an integer in \[1, 2\], got "x"/],
      ['a bestEpoch past the history', (t) => (t.bestEpoch = 3), /meta.trainer.bestEpoch must be an integer in \[1, 2\], got 3/],
      ['a wait longer than the epochs since the best', (t) => Object.assign(t, { bestEpoch: 2, wait: 1 }), /meta.trainer.wait must be an integer in \[0, 0\]/],
      ['a bestValue that is no number', (t) => (t.bestValue = '0.5'), /meta.trainer.bestValue must be a number, got "0.5"/],
      ['an epoch that is not the history length', (t) => (t.epoch = 5), /meta.trainer.epoch must be 2 \(the history's length\), got 5/],
    ];
    for (const [name, change, msg] of cases) {
      fs.writeFileSync(last, good);
      rewriteTrainer(last, change);
      const b = run();
      const w = weights(b.m);
      const o = b.opt.stateDict();
      const g = defaultGenerator.getState();
      let epochs = 0;
      const resume = () => fit(b.m, train, { ...quiet, epochs: 4, optimizer: b.opt, resume: last, onEpochEnd: () => void epochs++ });
      expect(resume, name).toThrow(CheckpointFormatError);
      expect(resume, name).toThrow(msg);
      expect(epochs, name).toBe(0);
      expect(weights(b.m), `${name}: model untouched`).toEqual(w);
      expect(b.opt.stateDict(), `${name}: optimizer untouched`).toEqual(o);
      expect(defaultGenerator.getState(), `${name}: generator untouched`).toEqual(g);
    }
    fs.writeFileSync(last, good);
    const c = run();
    expect(fit(c.m, train, { ...quiet, epochs: 3, optimizer: c.opt, resume: last }).history.map((e) => e.epoch)).toEqual([1, 2, 3]);
  });

  it('with restoreBestWeights, checks the best checkpoint against the model before training', () => {
    const dir = path.join(tmp, 'resume-best');
    const es = { restoreBestWeights: true };
    const a = run();
    fit(a.m, train, { ...quiet, epochs: 2, optimizer: a.opt, earlyStopping: es, checkpoint: { dir } });
    const last = path.join(dir, 'last.safetensors');
    const b = run();
    expect(fit(b.m, train, { ...quiet, epochs: 3, optimizer: b.opt, earlyStopping: es, resume: last }).restoredBestWeights).toBe(true);
    // The best checkpoint of another architecture (16 hidden units here, 8 there).
    const best = path.join(dir, 'checkpoint.safetensors');
    save(best, { model: new TinySequential(new TinyLinear(4, 8, 1), new ReLU(), new TinyLinear(8, 3, 2)) });
    const c = run();
    const w = weights(c.m);
    const o = c.opt.stateDict();
    let epochs = 0;
    const resume = () => fit(c.m, train, { ...quiet, epochs: 3, optimizer: c.opt, earlyStopping: es, resume: last, onEpochEnd: () => void epochs++ });
    expect(resume).toThrow(RangeError);
    expect(resume).toThrow(`resume: ${best} (the best weights, for restoreBestWeights) does not fit the model: tensor '0.weight' has shape [8, 4] in the checkpoint, the model has [16, 4]`);
    expect(epochs).toBe(0);
    expect(weights(c.m)).toEqual(w);
    expect(c.opt.stateDict()).toEqual(o);
    // A best checkpoint with no model weights at all.
    save(best, { meta: 'no model' });
    expect(resume).toThrow(/checkpoint.safetensors: not a valid checkpoint: it holds no model weights, which restoreBestWeights needs/);
    // Without restoreBestWeights the best checkpoint is not read.
    expect(fit(c.m, train, { ...quiet, epochs: 3, optimizer: c.opt, resume: last }).history).toHaveLength(3);
  });
});
