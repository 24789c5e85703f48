// End to end on the shipped digits: the recipe reaches >= 95% test accuracy in
// seconds; native (every ISA) and reference train to the same bits; and a run
// resumed from a checkpoint continues exactly as an uninterrupted one.
import { describe, it, expect, afterAll } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { data, evaluate, fit, init, lrScheduler, manualSeed, nn, optim } from '../src';
import type { EpochResult } from '../src';
import { configs, expectBitsEqual, withConfig } from './helpers';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-e2e-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const ds = data.loadCsv(data.DIGITS_CSV);
const parts = data.split(ds, { stratify: true, seed: 0 });
const z = new data.Standardizer().fit(parts.train);
const [train, val, test] = [parts.train, parts.val, parts.test].map((d) => z.transform(d));

function recipe(hidden: number, epochs: number) {
  manualSeed(0);
  const lin = new nn.Linear(64, hidden);
  init.kaimingNormal(lin.weight, { nonlinearity: 'relu' });
  init.zeros(lin.bias!);
  const model = new nn.Sequential(lin, new nn.BatchNorm1d(hidden), new nn.ReLU(), new nn.Dropout(0.2), new nn.Linear(hidden, 10));
  const optimizer = new optim.AdamW(model.parameters(), { lr: 2e-3, weightDecay: 1e-4 });
  const scheduler = new lrScheduler.CosineAnnealingLR(optimizer, { tMax: epochs });
  return { model, opts: { optimizer, scheduler, lossFn: new nn.CrossEntropyLoss() } };
}

const metrics = (h: EpochResult[]) => h.map(({ seconds, samplesPerSec, ...rest }) => rest);

describe('training end to end on digits', () => {
  it('reaches at least 95% test accuracy in a few seconds', () => {
    const r = recipe(128, 15);
    const started = Date.now();
    const result = fit(r.model, train, { ...r.opts, valData: val, epochs: 15, batchSize: 32, earlyStopping: { patience: 5, restoreBestWeights: true }, progress: 'none' });
    const acc = evaluate(r.model, test).accuracy;
    expect(acc).toBeGreaterThanOrEqual(0.95);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  it('gives bit-identical metrics and weights on every native ISA and the reference backend', () => {
    const runs = configs().map((c) =>
      withConfig(c, () => {
        const r = recipe(32, 2);
        const result = fit(r.model, train, { ...r.opts, valData: val, epochs: 2, batchSize: 64, progress: 'none' });
        return { name: c.name, history: metrics(result.history), weights: r.model.stateDict() };
      }),
    );
    const ref = runs[runs.length - 1];
    expect(ref.name).toBe('reference');
    for (const run of runs.slice(0, -1)) {
      expect(run.history, `${run.name} metrics`).toEqual(ref.history);
      for (const [k, t] of Object.entries(ref.weights)) expectBitsEqual(run.weights[k].data, t.data, `${run.name} ${k}`);
    }
  });

  it('resuming from a checkpoint continues exactly like an uninterrupted run', () => {
    const straight = recipe(32, 4);
    const full = fit(straight.model, train, { ...straight.opts, valData: val, epochs: 4, batchSize: 64, progress: 'none', seed: 3 });

    const dir = path.join(tmp, 'resume');
    const first = recipe(32, 4);
    fit(first.model, train, { ...first.opts, valData: val, epochs: 2, batchSize: 64, progress: 'none', seed: 3, checkpoint: { dir } });
    manualSeed(12345); // a fresh process would not share the generator's position
    const second = recipe(32, 4);
    const resumed = fit(second.model, train, { ...second.opts, valData: val, epochs: 4, batchSize: 64, progress: 'none', seed: 3, checkpoint: { dir }, resume: path.join(dir, 'last.safetensors') });

    expect(metrics(resumed.history)).toEqual(metrics(full.history));
    const want = straight.model.stateDict();
    for (const [k, t] of Object.entries(second.model.stateDict())) expectBitsEqual(t.data, want[k].data, k);
  });
});
