// Training throughput: samples per second of one epoch of the CLI's MLP
// recipe (Linear, BatchNorm, ReLU, Dropout; AdamW; cross-entropy), native
// against the reference, on the digits shape and on the Fashion-MNIST shape.
import { createRequire } from 'module';
import { table, fmt } from './lib.mjs';

const require = createRequire(import.meta.url);
const { backend, data, fit, manualSeed, nn, optim } = require('../dist/index.js');

const CASES = [
  { name: 'digits MLP 64-256-128-10, batch 32', d: 64, n: 1024, batch: 32 },
  { name: 'Fashion-MNIST MLP 784-256-128-10, batch 128', d: 784, n: 4096, batch: 128 },
];

function dataset(n, d) {
  const x = new Float32Array(n * d);
  let s = 12345;
  for (let i = 0; i < x.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    x[i] = s / 2 ** 31 - 1;
  }
  return new data.Dataset(x, Int32Array.from({ length: n }, (_, i) => i % 10), d);
}

/** Samples per second of the second of two epochs (the first warms up). */
function epochRate(ds, batch) {
  manualSeed(0);
  const model = new nn.Sequential(new nn.Linear(ds.d, 256), new nn.BatchNorm1d(256), new nn.ReLU(), new nn.Dropout(0.3),
    new nn.Linear(256, 128), new nn.BatchNorm1d(128), new nn.ReLU(), new nn.Dropout(0.3), new nn.Linear(128, 10));
  const optimizer = new optim.AdamW(model.parameters(), { lr: 1e-3 });
  const r = fit(model, ds, { epochs: 2, batchSize: batch, optimizer, progress: 'none', diagnostics: false });
  return r.history[1].samplesPerSec;
}

export async function run() {
  const rows = [];
  for (const c of CASES) {
    const ds = dataset(c.n, c.d);
    backend.use('native');
    const native = epochRate(ds, c.batch);
    backend.use('reference');
    const reference = epochRate(ds.subset(Array.from({ length: c.n / 4 }, (_, i) => i)), c.batch);
    backend.use('native');
    rows.push([c.name, Math.round(native).toLocaleString('en'), Math.round(reference).toLocaleString('en'), fmt.ratio(native / reference)]);
  }
  table(`Training throughput (${backend.info().isa}, ${backend.info().threads} threads)`, ['model', 'native samples/s', 'reference samples/s', 'native / reference'], rows);
}
