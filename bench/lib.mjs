// Shared benchmark plumbing: tinybench runs, the machine's description, and
// markdown tables. Every suite measures side by side in one process, so ratios
// compare like with like.
import { Bench } from 'tinybench';
import * as os from 'os';
import * as fs from 'fs';

/** Mean seconds per call of each task, measured in one tinybench run. */
export async function measure(tasks, { time = 300, warmupTime = 50, iterations = 5 } = {}) {
  const bench = new Bench({ time, warmupTime, iterations, throws: true });
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn);
  await bench.run();
  const out = {};
  for (const t of bench.tasks) {
    const r = t.result;
    if (!r || r.state === 'errored' || r.error) throw r?.error ?? new Error(`${t.name} failed`);
    const mean = r.latency?.mean ?? r.mean; // ms
    out[t.name] = mean / 1e3;
  }
  return out;
}

/**
 * measure() `rounds` times, side by side each time. Work that runs in the
 * caches is shifted by other tenants of a shared machine by up to ±30% from
 * one measurement to the next, so ratios come from the median round.
 */
export async function measureRounds(tasks, rounds, opts) {
  const out = [];
  for (let r = 0; r < rounds; r++) out.push(await measure(tasks, opts));
  return out;
}

/** The round whose ratio(round) is the median, with the lowest and highest ratios. */
export function medianRound(results, ratio) {
  const sorted = results.map((r) => ({ r, q: ratio(r) })).sort((a, b) => a.q - b.q);
  const mid = sorted[sorted.length >> 1];
  return { round: mid.r, ratio: mid.q, lowest: sorted[0].q, highest: sorted[sorted.length - 1].q };
}

export function machine() {
  let cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  try {
    const flags = fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^flags\s*:(.*)$/m)?.[1] ?? '';
    if (flags.includes('avx512f')) cpu += ', AVX-512';
    else if (flags.includes('avx2')) cpu += ', AVX2';
  } catch {}
  return `${cpu}, ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.platform()} ${os.arch()}`;
}

/** Prints a markdown table; rows are arrays of cells. */
export function table(title, header, rows) {
  const lines = [`### ${title}`, '', `| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) lines.push(`| ${r.join(' | ')} |`);
  const text = lines.join('\n') + '\n';
  console.log(text);
  return text;
}

export const fmt = {
  n: (x) => (x >= 1 << 20 ? `${x / (1 << 20)}M` : x >= 1024 ? `${x / 1024}K` : String(x)),
  ms: (s) => (s * 1e3).toFixed(s < 1e-3 ? 4 : 3),
  gbs: (bytes, s) => (bytes / s / 1e9).toFixed(1),
  ratio: (x) => `${x.toFixed(x < 10 ? 2 : 1)}×`,
  pct: (x) => `${(100 * x).toFixed(0)}%`,
};
