// npm run bench [suite...]: runs the benchmark suites (all by default) and
// prints markdown tables. Needs the build (npm install builds it).
import { machine } from './lib.mjs';

const suites = {
  dropout: () => import('./dropout.mjs'),
  batchnorm: () => import('./batchnorm.mjs'),
  init: () => import('./init.mjs'),
  clip: () => import('./clip.mjs'),
  optim: () => import('./optim.mjs'),
  peers: () => import('./peers.mjs'),
  gemm: () => import('./gemm.mjs'),
  train: () => import('./train.mjs'),
};

const want = process.argv.slice(2);
if (want.includes('--help') || want.includes('-h')) {
  console.log(`usage: npm run bench [suite...]   (or: deepfit bench [suite...])

Runs the named benchmark suites (all by default) and prints markdown tables.
Suites: ${Object.keys(suites).join(', ')}.
DEEPFIT_BENCH_TIME=<ms> shortens each measurement (the default gives stable figures).`);
  process.exit(0);
}
const names = want.length ? want : Object.keys(suites);
console.log(`Machine: ${machine()}\n`);
for (const name of names) {
  if (!suites[name]) {
    console.error(`unknown suite '${name}'; expected one of: ${Object.keys(suites).join(', ')}`);
    process.exit(2);
  }
  const mod = await suites[name]();
  await mod.run();
}
