// Batch-norm forward in training against one read pass plus one copy pass of
// the input (memory kernels `readSum` and `copy`), measured in the same run,
// per ISA, on the thread pool.
import { measure, table, fmt } from './lib.mjs';
import deepfit from '../dist/index.js';
import { K } from '../dist/backend/index.js';

const { backend, nn, Tensor } = deepfit;

function input(shape) {
  const n = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Float32Array(n).map((_, i) => ((i * 7919) % 1000) / 250 - 2), shape);
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
    const dst = new Float32Array(n);
    const g = input(shape);
    const m = new nn[kind](shape[1]);
    m.forward(x);
    for (const isa of backend.info().available) {
      backend.setIsa(isa);
      const t = await measure({
        'read + copy': () => { K().readSum(x.data, n); K().copy(dst, x.data, n); },
        forward: () => m.forward(x),
        backward: () => m.backward(g),
      }, { time: 400 });
      rows.push([isa, `${kind} [${shape.join(', ')}]`, fmt.ms(t['read + copy']), fmt.ms(t.forward), fmt.ratio(t.forward / t['read + copy']), fmt.ms(t.backward)]);
    }
  }
  table(`BatchNorm training forward vs one read pass + one copy pass, ${backend.info().threads} threads`,
    ['ISA', 'case', 'read + copy ms', 'forward ms', 'forward / (read + copy)', 'backward ms'], rows);
}
