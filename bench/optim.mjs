// Optimizer steps: Adam, AdamW and SGD with momentum at 4K..16M parameters,
// native on every ISA and the reference (up to 1M), against the touch4
// bandwidth ceiling (AdamW's traffic with trivial arithmetic) measured in the
// same process; the native/reference ratio at 1M; and the multi-tensor cost,
// 1,000 parameters of 1,000 elements against one of 1,000,000.
//
// Bytes per parameter: Adam/AdamW read p, g, exp_avg, exp_avg_sq and write
// three back (28 B); SGD with momentum reads p, g, buf and writes two (20 B).
//
// Parameters and the touch4 arrays come from the library's allocation helper,
// as gradients and optimizer state do, so both sides of the ratio see the same
// memory layout (alignment and page offsets change bandwidth by up to ~40%).
import deepfit from '../dist/index.js';
import backendModule from '../dist/backend/index.js';
import allocModule from '../dist/alloc.js';
import { measure, measureRounds, medianRound, table, fmt } from './lib.mjs';

const { optim, Parameter, backend } = deepfit;
const { K } = backendModule;
const { alignedFloat32 } = allocModule;

const SIZES = [1 << 12, 1 << 16, 1 << 20, 1 << 24];
const REFERENCE_MAX = 1 << 20;
// DEEPFIT_BENCH_TIME (ms per task) shortens a run; the default gives stable figures.
const TIME = Number(process.env.DEEPFIT_BENCH_TIME ?? 300);
const OPTIMIZERS = {
  Adam: { bytes: 28, make: (ps) => new optim.Adam(ps) },
  AdamW: { bytes: 28, make: (ps) => new optim.AdamW(ps) },
  'SGD-momentum': { bytes: 20, make: (ps) => new optim.SGD(ps, { lr: 1e-3, momentum: 0.9 }) },
};

function params(count, n) {
  return Array.from({ length: count }, (_, k) => {
    const p = new Parameter(alignedFloat32(n));
    for (let i = 0; i < n; i++) p.data[i] = Math.sin(i + k);
    for (let i = 0; i < n; i++) p.grad[i] = Math.cos(3 * i + k) * 1e-2;
    return p;
  });
}

/** Seconds per step of each optimizer at size n (and of touch4 when native). */
async function stepTimes(n, withCeiling) {
  const tasks = {};
  for (const [name, o] of Object.entries(OPTIMIZERS)) {
    const opt = o.make(params(1, n));
    tasks[name] = () => opt.step();
  }
  if (withCeiling) {
    const [a, b, c, d] = [0, 1, 2, 3].map(() => alignedFloat32(n).fill(1e-3));
    tasks.touch4 = () => K().touch4(a, b, c, d, n);
  }
  return measure(tasks, { time: TIME, warmupTime: Math.min(TIME, 50) });
}

async function throughput(isas) {
  const rows = [];
  const at1M = {};
  for (const isa of [...isas, 'reference']) {
    if (isa === 'reference') backend.use('reference');
    else {
      backend.use('native');
      backend.setIsa(isa);
    }
    for (const n of SIZES) {
      if (isa === 'reference' && n > REFERENCE_MAX) continue;
      const t = await stepTimes(n, isa !== 'reference');
      if (n === 1 << 20) at1M[isa] = t;
      const ceiling = t.touch4 ? (28 * n) / t.touch4 : undefined;
      const cells = Object.entries(OPTIMIZERS).map(([name, o]) => {
        const gbs = (o.bytes * n) / t[name];
        return `${fmt.ms(t[name])} ms, ${(gbs / 1e9).toFixed(1)} GB/s${ceiling ? ` (${fmt.pct(gbs / ceiling)})` : ''}`;
      });
      rows.push([isa, fmt.n(n), ceiling ? (ceiling / 1e9).toFixed(1) : '–', ...cells]);
    }
  }
  backend.use('native');
  table('Optimizer step: time, GB/s and % of the touch4 ceiling', ['backend', 'params', 'touch4 GB/s', ...Object.keys(OPTIMIZERS)], rows);
  return at1M;
}

function ratios(at1M, isas) {
  const ref = at1M.reference;
  const rows = isas.map((isa) => [isa, ...Object.keys(OPTIMIZERS).map((name) => fmt.ratio(ref[name] / at1M[isa][name]))]);
  table('Native speed-up over the reference at 1M parameters', ['ISA', ...Object.keys(OPTIMIZERS)], rows);
}

// Both steps work in the L3 cache, so the pair is measured in ROUNDS rounds
// and the median round's ratio is reported with the lowest and highest.
const ROUNDS = 7;

async function multiTensor(isa) {
  backend.setIsa(isa);
  const many = new optim.AdamW(params(1000, 1000));
  const one = new optim.AdamW(params(1, 1_000_000));
  const rounds = await measureRounds({ many: () => many.step(), one: () => one.step() }, ROUNDS, { time: TIME, warmupTime: Math.min(TIME, 50) });
  const m = medianRound(rounds, (t) => t.many / t.one);
  table(`Multi-tensor AdamW step (${isa}, ${backend.getThreads()} threads, median of ${ROUNDS} rounds)`, ['1,000 × 1,000', '1 × 1,000,000', 'ratio (goal ≤ 1.3)', 'lowest – highest ratio'], [
    [`${fmt.ms(m.round.many)} ms`, `${fmt.ms(m.round.one)} ms`, fmt.ratio(m.ratio), `${fmt.ratio(m.lowest)} – ${fmt.ratio(m.highest)}`],
  ]);
}

export async function run() {
  backend.use('native');
  const isas = backend.info().available;
  const at1M = await throughput(isas);
  ratios(at1M, isas);
  await multiTensor(isas[isas.length - 1]);
}
