// GEMM throughput on the MLP's shapes and a square 1024³ product, against this
// core's peak FMA rate measured in the same process (a register-only FMA loop),
// single-threaded and on every pool thread.
import { createRequire } from 'module';
import { measure, table, fmt } from './lib.mjs';

const require = createRequire(import.meta.url);
const { backend } = require('../dist/index.js');
const { K } = require('../dist/backend/index.js');

const SHAPES = [
  ['[128×784]·[784×256] (MLP layer 1)', 128, 256, 784],
  ['[128×256]·[256×10] (MLP output)', 128, 10, 256],
  ['[1024×1024]·[1024×1024]', 1024, 1024, 1024],
];

function randomArray(n, seed) {
  const a = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = s / 2 ** 32 - 0.5;
  }
  return a;
}

/** Peak FMA GFLOP/s of the active ISA: one thread, or all pool threads. */
async function peak(allThreads) {
  const iters = 2_000_000;
  let flops = 0;
  const t = await measure({ peak: () => { flops = K().fmaPeak(iters, allThreads); } }, { time: 200, warmupTime: 20 });
  return flops / t.peak / 1e9;
}

async function gemmRate(m, n, k) {
  const a = randomArray(m * k, 1), b = randomArray(k * n, 2), c = new Float32Array(m * n);
  const time = m * n * k > 1e8 ? 1000 : 300;
  const t = await measure({ gemm: () => K().gemm(false, true, m, n, k, a, b, c, false) }, { time, warmupTime: 50 });
  return (2 * m * n * k) / t.gemm / 1e9;
}

export async function run() {
  backend.use('native');
  const isas = backend.info().available;
  const threadsDefault = backend.defaultThreads();
  const rows = [];
  for (const isa of isas) {
    backend.setIsa(isa);
    for (const threads of [...new Set([1, threadsDefault])]) {
      backend.setThreads(threads);
      const p = await peak(threads > 1);
      for (const [name, m, n, k] of SHAPES) {
        const g = await gemmRate(m, n, k);
        rows.push([name, isa, threads, g.toFixed(1), p.toFixed(1), fmt.pct(g / p)]);
      }
    }
  }
  backend.setIsa(isas[isas.length - 1]);
  backend.setThreads(threadsDefault);
  // The reference on the MLP shapes, for scale (1024³ would take minutes).
  const refRows = [];
  for (const [name, m, n, k] of SHAPES.slice(0, 2)) {
    const native = await gemmRate(m, n, k);
    backend.use('reference');
    const ref = await gemmRate(m, n, k);
    backend.use('native');
    refRows.push([name, native.toFixed(1), ref.toFixed(2), fmt.ratio(native / ref)]);
  }
  table('GEMM (C = A·Bᵀ, as in Linear.forward): GFLOP/s and share of the peak FMA rate of the same ISA and threads',
    ['shape', 'ISA', 'threads', 'GFLOP/s', 'peak FMA GFLOP/s', '% of peak'], rows);
  table(`GEMM: native (${isas[isas.length - 1]}, ${threadsDefault} threads) against the TypeScript reference, GFLOP/s`,
    ['shape', 'native', 'reference', 'speed-up'], refRows);
}
