// Batch-norm forward in training against one read pass plus one copy pass of
// the input (memory kernels `readSum` and `copy`, the copy into an existing
// array), measured in the same run, per ISA, on the thread pool. "kernels" is
// the forward's two native passes into an existing array (the statistics and
// the transform), "forward" the whole module call, which also allocates its
// output (fresh pages from the operating system for large tensors).
//
// Inputs and outputs are laid out as the library lays out a layer's output
// (64-byte aligned), as a batch norm's input usually is one. The [256, 1024]
// case runs in the caches, so each ISA is measured in ROUNDS side-by-side
// rounds and the median round is reported.
import { measureRounds, medianRound, table, fmt } from './lib.mjs';
import deepfit from '../dist/index.js';
import { K } from '../dist/backend/index.js';
import allocModule from '../dist/alloc.js';

const { backend, nn, Tensor } = deepfit;
const { alignedFloat32 } = allocModule;
const ROUNDS = 5;
const TIME = Number(process.env.DEEPFIT_BENCH_TIME ?? 200);

function input(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = alignedFloat32(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 1000) / 250 - 2;
  return new Tensor(data, shape);
}

export async function run() {
  const rows = [];
  backend.use('native');
  const cases = [
    ['BatchNorm1d', [256, 1024]],
    ['BatchNorm2d', [64, 64, 32, 32]],
  ];
  for (const [kind, shape] of cases) {
    const x = input(shape);
    const n = x.size;
    const dst = alignedFloat32(n);
    const g = input(shape);
    const C = shape[1], N = shape[0], L = n / (N * C);
    const m = new nn[kind](C);
    m.forward(x);
    const sum = new Float64Array(C), sumsq = new Float64Array(C);
    const alpha = new Float32Array(C).fill(1), beta = new Float32Array(C);
    for (const isa of backend.info().available) {
      backend.setIsa(isa);
      const results = await measureRounds({
        'read + copy': () => { K().readSum(x.data, n); K().copy(dst, x.data, n); },
        kernels: () => { K().bnStats(x.data, N, C, L, sum, sumsq); K().bnApply(x.data, dst, N, C, L, alpha, beta); },
        forward: () => m.forward(x),
        backward: () => m.backward(g),
      }, ROUNDS, { time: TIME, warmupTime: Math.min(TIME, 50) });
      const k = medianRound(results, (t) => t.kernels / t['read + copy']);
      const t = k.round, base = t['read + copy'];
      rows.push([isa, `${kind} [${shape.join(', ')}]`, fmt.ms(base), fmt.ms(t.kernels), fmt.ratio(k.ratio),
        `${fmt.ratio(k.lowest)} – ${fmt.ratio(k.highest)}`, fmt.ms(t.forward), fmt.ratio(t.forward / base), fmt.ms(t.backward)]);
    }
  }
  table(`BatchNorm training forward vs one read pass + one copy pass, ${backend.info().threads} threads, median of ${ROUNDS} rounds`,
    ['ISA', 'case', 'read + copy ms', 'kernels ms', 'kernels / (read + copy)', 'lowest – highest', 'forward ms', 'forward / (read + copy)', 'backward ms'], rows);
}
