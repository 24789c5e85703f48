// clipGradNorm's global norm over 16M elements against the read-bandwidth
// ceiling (readSum: one pass reading every element) in the same process, per
// ISA, plus the reference at 1M.
import { measure, table, fmt } from './lib.mjs';
import deepfit from '../dist/index.js';
import { K } from '../dist/backend/index.js';

const { backend, Parameter, utils } = deepfit;
// DEEPFIT_BENCH_TIME (ms per task) shortens a run, as in the other suites.
const TIME = Number(process.env.DEEPFIT_BENCH_TIME ?? 500);

function params(total, count) {
  const per = Math.floor(total / count);
  return Array.from({ length: count }, (_, i) => {
    const p = new Parameter(new Float32Array(per));
    for (let j = 0; j < per; j += 97) p.grad[j] = ((i + j) % 13) - 6;
    return p;
  });
}

export async function run() {
  const n = 16 * 1024 * 1024;
  const rows = [];
  backend.use('native');
  const grads = [params(n, 1), params(n, 1000)];
  for (const isa of backend.info().available) {
    backend.setIsa(isa);
    const x = grads[0][0].grad;
    // A maxNorm above the norm, so the gradients are only read.
    const t = await measure({
      readSum: () => K().readSum(x, n),
      'norm, 1 tensor': () => utils.clipGradNorm(grads[0], 1e30),
      'norm, 1000 tensors': () => utils.clipGradNorm(grads[1], 1e30),
      'norm p=3': () => utils.clipGradNorm(grads[0], 1e30, { normType: 3 }),
    }, { time: TIME });
    const bytes = n * 4;
    for (const name of ['norm, 1 tensor', 'norm, 1000 tensors', 'norm p=3']) {
      rows.push([isa, name, fmt.n(n), fmt.ms(t[name]), fmt.gbs(bytes, t[name]), fmt.gbs(bytes, t.readSum), fmt.pct(t.readSum / t[name])]);
    }
  }
  backend.use('reference');
  const small = params(1 << 20, 1);
  const tr = await measure({ 'reference norm': () => utils.clipGradNorm(small, 1e30) }, { time: Math.min(TIME, 300) });
  backend.use('native');
  rows.push(['reference', 'norm, 1 tensor', fmt.n(1 << 20), fmt.ms(tr['reference norm']), fmt.gbs((1 << 20) * 4, tr['reference norm']), '', '']);
  table(`clipGradNorm (p=2 unless stated), ${backend.info().threads} threads`, ['backend', 'case', 'elements', 'ms', 'GB/s', 'readSum GB/s', '% of readSum'], rows);
}
