// Random initialization throughput on 16M elements, one thread (per core),
// per ISA: uniform, normal (Box-Muller), and the reference at 1M.
import { measure, table, fmt } from './lib.mjs';
import deepfit from '../dist/index.js';

const { backend, Generator, init, Tensor } = deepfit;

export async function run() {
  const n = 16 * 1024 * 1024;
  const t = Tensor.zeros([n]);
  const generator = new Generator(1);
  const rows = [];
  backend.use('native');
  const threads = backend.info().threads;
  backend.setThreads(1);
  for (const isa of backend.info().available) {
    backend.setIsa(isa);
    const r = await measure({
      uniform: () => init.uniform(t, { generator }),
      normal: () => init.normal(t, { generator }),
    }, { time: 500 });
    for (const k of ['uniform', 'normal']) rows.push([isa, k, fmt.n(n), fmt.ms(r[k]), (n / r[k] / 1e9).toFixed(2)]);
  }
  const small = Tensor.zeros([1 << 20]);
  backend.use('reference');
  const r = await measure({
    uniform: () => init.uniform(small, { generator }),
    normal: () => init.normal(small, { generator }),
  }, { time: 300, iterations: 3 });
  for (const k of ['uniform', 'normal']) rows.push(['reference', k, fmt.n(1 << 20), fmt.ms(r[k]), (small.size / r[k] / 1e9).toFixed(3)]);
  backend.use('native');
  backend.setThreads(threads);
  table('Random init, 1 thread', ['backend', 'fill', 'elements', 'ms', 'G values/s'], rows);
}
