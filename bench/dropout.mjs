// Dropout forward and backward on 16M elements, one thread, against the
// in-process copy bandwidth (memory kernel `copy`: read n floats, write n into
// an existing array), per ISA; and native against the reference at 1M.
// "inplace" writes into existing arrays like copy does; "new output" also pays
// for a fresh 64 MB output (page faults), as a plain forward does.
import { measure, table, fmt } from './lib.mjs';
import deepfit from '../dist/index.js';
import { K } from '../dist/backend/index.js';

const { backend, Generator, nn, Tensor } = deepfit;

function cases(n) {
  const x = new Tensor(new Float32Array(n).map((_, i) => (i % 101) - 50));
  const g = new Tensor(new Float32Array(n).fill(1));
  const m = new nn.Dropout(0.5, { generator: new Generator(1) });
  const mi = new nn.Dropout(0.5, { generator: new Generator(1), inplace: true });
  m.forward(x);
  mi.forward(x);
  return { x, g, m, mi };
}

export async function run() {
  const n = 16 * 1024 * 1024;
  const { x, g, m, mi } = cases(n);
  const dst = new Float32Array(n);
  const rows = [];
  backend.use('native');
  const threads = backend.info().threads;
  backend.setThreads(1);
  // Bytes moved: copy 8 per element; forward reads x, writes y and 1 mask bit; backward reads g and the bit, writes dx.
  const bytes = { copy: 8 * n, forward: 8.125 * n, backward: 8.125 * n };
  for (const isa of backend.info().available) {
    backend.setIsa(isa);
    const t = await measure({
      copy: () => K().copy(dst, x.data, n),
      'forward, inplace': () => mi.forward(x),
      'backward, inplace': () => mi.backward(g),
      'forward, new output': () => m.forward(x),
      'backward, new output': () => m.backward(g),
    }, { time: 500 });
    for (const name of ['forward, inplace', 'backward, inplace', 'forward, new output', 'backward, new output']) {
      const b = bytes[name.split(',')[0]];
      rows.push([isa, name, fmt.n(n), fmt.ms(t[name]), fmt.gbs(b, t[name]), fmt.gbs(bytes.copy, t.copy),
        fmt.pct((b / t[name]) / (bytes.copy / t.copy))]);
    }
  }
  table('Dropout p=0.5, 1 thread, 16M elements', ['ISA', 'pass', 'elements', 'ms', 'GB/s', 'copy GB/s', '% of copy'], rows);

  const small = 1 << 20;
  const s = cases(small);
  const tasks = { forward: () => s.mi.forward(s.x), backward: () => s.mi.backward(s.g) };
  const tn = await measure(tasks, { time: 300 });
  backend.use('reference');
  const tr = await measure(tasks, { time: 300, iterations: 3 });
  backend.use('native');
  backend.setThreads(threads);
  table(`Dropout native (${backend.info().isa}, 1 thread) vs reference, 1M elements, inplace`, ['pass', 'native ms', 'reference ms', 'speedup'],
    ['forward', 'backward'].map((k) => [k, fmt.ms(tn[k]), fmt.ms(tr[k]), fmt.ratio(tr[k] / tn[k])]));
}
