// deepfit against a peer in the same process: TensorFlow.js's pure JavaScript
// CPU backend (@tensorflow/tfjs-core with @tensorflow/tfjs-backend-cpu, what
// runs in Node when the tfjs-node binary cannot be installed). Both sides get
// the same sizes and the same data, and the reference backend is measured too.
//
// - An Adam step (lr 1e-3, PyTorch's and tfjs's defaults otherwise) on 64K and
//   1M parameters, and SGD with momentum 0.9 (tfjs has no AdamW).
// - C = A·Bᵀ on the MLP's layer-1 shape [128×784]·[784×256] and on 512³.
import { createRequire } from 'module';
import { measure, table, fmt } from './lib.mjs';

const require = createRequire(import.meta.url);
const { backend, optim, Parameter } = require('../dist/index.js');
const { K } = require('../dist/backend/index.js');
const { alignedFloat32 } = require('../dist/alloc.js');

const TIME = Number(process.env.DEEPFIT_BENCH_TIME ?? 300);

/** tfjs-core with the CPU backend; its "install tfjs-node" notice is silenced. */
async function loadTf() {
  const warn = console.warn;
  const log = console.log;
  console.warn = console.log = () => {};
  try {
    const tf = require('@tensorflow/tfjs-core');
    require('@tensorflow/tfjs-backend-cpu');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.add(tf.scalar(1), tf.scalar(1)).dataSync(); // the notice comes with the first op
    return tf;
  } finally {
    console.warn = warn;
    console.log = log;
  }
}

function filled(n, f) {
  const a = alignedFloat32(n);
  for (let i = 0; i < n; i++) a[i] = f(i);
  return a;
}

function deepfitStep(make, n) {
  const p = new Parameter(filled(n, (i) => Math.sin(i)));
  p.grad.set(filled(n, (i) => Math.cos(3 * i) * 1e-2));
  const opt = make([p]);
  return () => opt.step();
}

function tfStep(tf, makeOpt, n) {
  const v = tf.variable(tf.tensor1d(filled(n, (i) => Math.sin(i))));
  const g = tf.tensor1d(filled(n, (i) => Math.cos(3 * i) * 1e-2));
  const opt = makeOpt();
  return () => {
    opt.applyGradients([{ name: v.name, tensor: g }]);
    v.dataSync(); // wait for the values, as a training loop would before the next forward
  };
}

async function optimizers(tf) {
  const cases = [
    ['Adam', (ps) => new optim.Adam(ps, { lr: 1e-3 }), () => tf.train.adam(1e-3, 0.9, 0.999, 1e-8)],
    ['SGD-momentum', (ps) => new optim.SGD(ps, { lr: 1e-3, momentum: 0.9 }), () => tf.train.momentum(1e-3, 0.9)],
  ];
  const rows = [];
  for (const n of [1 << 16, 1 << 20]) {
    for (const [name, ours, theirs] of cases) {
      backend.use('native');
      const native = deepfitStep(ours, n);
      const tfjs = tfStep(tf, theirs, n);
      const t = await measure({ native, tfjs }, { time: TIME, warmupTime: Math.min(TIME, 50) });
      backend.use('reference');
      const reference = deepfitStep(ours, n);
      Object.assign(t, await measure({ reference }, { time: TIME, warmupTime: Math.min(TIME, 50) }));
      backend.use('native');
      rows.push([name, fmt.n(n), fmt.ms(t.native), fmt.ms(t.reference), fmt.ms(t.tfjs), fmt.ratio(t.tfjs / t.native), fmt.ratio(t.tfjs / t.reference)]);
    }
  }
  table(`Optimizer step against tfjs (cpu backend): ms per step (native ${backend.info().isa}, ${backend.info().threads} threads)`,
    ['optimizer', 'params', 'deepfit native', 'deepfit reference', 'tfjs', 'native speed-up', 'reference speed-up'], rows);
}

async function gemm(tf) {
  const shapes = [['[128×784]·[784×256]', 128, 256, 784], ['[512×512]·[512×512]', 512, 512, 512]];
  const rows = [];
  for (const [name, m, n, k] of shapes) {
    const a = filled(m * k, (i) => Math.sin(i)), b = filled(n * k, (i) => Math.cos(i)), c = new Float32Array(m * n);
    const ta = tf.tensor2d(a, [m, k]), tb = tf.tensor2d(b, [n, k]);
    backend.use('native');
    const t = await measure({
      native: () => K().gemm(false, true, m, n, k, a, b, c, false),
      tfjs: () => { const r = tf.matMul(ta, tb, false, true); r.dataSync(); r.dispose(); },
    }, { time: TIME, warmupTime: Math.min(TIME, 50) });
    const gf = (s) => ((2 * m * n * k) / s / 1e9).toFixed(1);
    rows.push([name, gf(t.native), gf(t.tfjs), fmt.ratio(t.tfjs / t.native)]);
  }
  table(`GEMM C = A·Bᵀ against tf.matMul (cpu backend): GFLOP/s (native ${backend.info().isa}, ${backend.info().threads} threads)`,
    ['shape', 'deepfit native', 'tfjs', 'native speed-up'], rows);
}

export async function run() {
  const tf = await loadTf();
  await optimizers(tf);
  await gemm(tf);
}
