// The addon is loaded once per process and shared by every worker_thread: its
// thread pool and kernel table are process-wide. These tests run the built
// package (dist/) in child processes, so a crash or a hang fails the test
// instead of taking vitest down: several workers using the addon for the first
// time at once, workers resizing the pool while others compute, and
// cross-entropy labels in a SharedArrayBuffer that another thread rewrites.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'child_process';
import * as path from 'path';

const root = path.resolve(__dirname, '..');

interface ChildResult {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a CommonJS script in a fresh Node process with DF_ROOT set to the package root. */
function runChild(script: string, timeoutMs: number, args: string[] = []): ChildResult {
  const r = spawnSync(process.execPath, ['-e', script, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    env: { ...process.env, DF_ROOT: root },
  });
  const err = r.error as NodeJS.ErrnoException | undefined;
  return { status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: err?.code === 'ETIMEDOUT' };
}

function describeChild(r: ChildResult): string {
  return `status ${r.status}, signal ${r.signal}${r.timedOut ? ' (timed out: hung)' : ''}\nstdout: ${r.stdout.slice(-2000)}\nstderr: ${r.stderr.slice(-2000)}`;
}

/** The last line of stdout as JSON. */
function report<T>(r: ChildResult): T {
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]) as T;
}

// Spawns WORKERS workers at once. Each makes a seeded Linear(256, 256), runs
// ROUNDS forwards of a fixed [64, 256] input on the native backend (large
// enough for the pool), optionally calling setThreads between them, then the
// same forward on the reference backend, and reports whether every native
// output matched it bit for bit and a hash of the output. The main thread
// prints one JSON line with every worker's report.
const WORKERS_SCRIPT = String.raw`
const { Worker } = require('worker_threads');
const WORKERS = 12;
const worker = String.raw${'`'}
const { parentPort, workerData } = require('worker_threads');
const d = require(workerData.root);
const { rounds, resize, id } = workerData;
// Loading the package does not touch the pool; wait here until every worker
// has loaded it, so that their first uses start together.
const go = new Int32Array(workerData.go);
parentPort.postMessage('ready');
Atomics.wait(go, 0, 0);
d.manualSeed(1234);
const lin = new d.nn.Linear(256, 256);
const x = new Float32Array(64 * 256);
for (let i = 0; i < x.length; i++) x[i] = ((i * 7919) % 1000) / 500 - 1;
const input = new d.Tensor(x, [64, 256]);
const outs = [];
for (let i = 0; i < rounds; i++) {
  if (resize) d.backend.setThreads(1 + ((id + i) % 3));
  outs.push(lin.forward(input).data);
}
d.backend.use('reference');
const ref = lin.forward(input).data; // a view: outputs may sit at an offset in an aligned allocation
const want = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
const same = outs.every((o) => { const u = new Uint32Array(o.buffer, o.byteOffset, o.length); return u.every((v, i) => v === want[i]); });
let h = 2166136261;
for (const v of want) h = Math.imul(h ^ v, 16777619) >>> 0;
parentPort.postMessage({ same, hash: h });
${'`'};
const opts = JSON.parse(process.argv[1] || '{}');
const go = new Int32Array(new SharedArrayBuffer(4));
const reports = [];
let live = WORKERS, ready = 0;
for (let id = 0; id < WORKERS; id++) {
  const w = new Worker(worker, { eval: true, workerData: { root: process.env.DF_ROOT, id, go: go.buffer, rounds: opts.rounds, resize: opts.resize } });
  w.on('message', (m) => {
    if (m !== 'ready') reports.push(m);
    else if (++ready === WORKERS) { Atomics.store(go, 0, 1); Atomics.notify(go, 0); }
  });
  w.on('error', (e) => { reports.push({ error: String(e && e.stack || e) }); });
  w.on('exit', () => { if (--live === 0) console.log(JSON.stringify(reports)); });
}
`;

interface WorkerReport {
  same?: boolean;
  hash?: number;
  error?: string;
}

function runWorkers(opts: { rounds: number; resize: boolean }, timeoutMs: number): WorkerReport[] {
  const res = runChild(WORKERS_SCRIPT, timeoutMs, [JSON.stringify(opts)]);
  expect(res.status, describeChild(res)).toBe(0);
  return report<WorkerReport[]>(res);
}

function expectAllCorrect(reports: WorkerReport[]): void {
  expect(reports.length).toBe(12);
  for (const rep of reports) {
    expect(rep.error).toBeUndefined();
    expect(rep.same, 'native output equals the reference bit for bit').toBe(true);
  }
  expect(new Set(reports.map((rep) => rep.hash)).size, 'every worker computed the same output').toBe(1);
}

describe('worker_threads sharing the addon', () => {
  // Each repetition is a fresh process, so each one is a real first use of the
  // pool. A hang is caught by the child's timeout (generous for a loaded
  // 2-core machine; a healthy run takes well under a second or two).
  it('first use from many workers at once finishes with correct results', () => {
    for (let rep = 0; rep < 3; rep++) expectAllCorrect(runWorkers({ rounds: 4, resize: false }, 30_000));
  }, 120_000);

  it('workers resizing the pool while others run jobs finish with correct results', () => {
    expectAllCorrect(runWorkers({ rounds: 12, resize: true }, 30_000));
  }, 60_000);
});

// The main thread calls CrossEntropyLoss.forward for about a second while a
// worker flips the last label between a valid class and 0x7fffffff with
// Atomics.store. Every call must throw a RangeError (a label seen out of range)
// or return a finite loss; the process must not crash. Prints one JSON line.
const LABELS_SCRIPT = String.raw`
const { Worker } = require('worker_threads');
const d = require(process.env.DF_ROOT);
const N = 2000, C = 100, DURATION = 1000;
const sab = new SharedArrayBuffer(4 * N), labels = new Int32Array(sab);
const stop = new Int32Array(new SharedArrayBuffer(4));
const w = new Worker(String.raw${'`'}
  const { workerData } = require('worker_threads');
  const l = new Int32Array(workerData.sab), stop = new Int32Array(workerData.stop);
  while (Atomics.load(stop, 0) === 0) {
    for (let k = 0; k < 64; k++) { Atomics.store(l, l.length - 1, 0x7fffffff); Atomics.store(l, l.length - 1, 0); }
  }
${'`'}, { eval: true, workerData: { sab, stop: stop.buffer } });
w.on('online', () => {
  const x = new d.Tensor(new Float32Array(N * C), [N, C]), ce = new d.nn.CrossEntropyLoss();
  let calls = 0, finite = 0, rangeErrors = 0;
  const bad = [];
  const t0 = Date.now();
  while (Date.now() - t0 < DURATION) {
    calls++;
    try {
      const v = ce.forward(x, labels);
      if (Number.isFinite(v)) finite++;
      else bad.push(String(v));
    } catch (e) {
      if (e instanceof RangeError) rangeErrors++;
      else bad.push(String(e));
    }
  }
  Atomics.store(stop, 0, 1);
  w.terminate().then(() => console.log(JSON.stringify({ calls, finite, rangeErrors, bad: bad.slice(0, 5) })));
});
`;

describe('cross-entropy labels in a SharedArrayBuffer', () => {
  it('labels rewritten by another thread during the call never crash: a RangeError or a finite loss', () => {
    const r = runChild(LABELS_SCRIPT, 30_000);
    expect(r.signal, describeChild(r)).toBeNull();
    expect(r.status, describeChild(r)).toBe(0);
    const rep = report<{ calls: number; finite: number; rangeErrors: number; bad: string[] }>(r);
    expect(rep.bad).toEqual([]);
    expect(rep.calls).toBeGreaterThan(0);
    expect(rep.finite + rep.rangeErrors).toBe(rep.calls);
  }, 60_000);
});

// Workers step optimizers and clip gradients in a tight loop while the main
// thread exits or terminates them. A native call can then fail (JavaScript can
// no longer run in the stopping worker), and its error must not abort the process.
const STOP_SCRIPT = String.raw`
const { Worker } = require('worker_threads');
const mode = process.argv[1];
const worker = String.raw${'`'}
const { parentPort, workerData } = require('worker_threads');
const { Parameter, optim, utils } = require(workerData.root);
const p = new Parameter(new Float32Array(16), [16]);
p.grad.fill(1);
const o = new optim.SGD([p], { lr: 0.1 });
parentPort.postMessage('ready');
for (let i = 0; ; i++) {
  o.step();
  if (i % 2) utils.clipGradNorm([p], 1);
}
${'`'};
const ws = [];
let ready = 0;
for (let i = 0; i < 4; i++) {
  const w = new Worker(worker, { eval: true, workerData: { root: process.env.DF_ROOT } });
  w.on('error', () => {});
  w.on('message', () => {
    if (++ready === 4) setTimeout(() => (mode === 'exit' ? process.exit(0) : ws.forEach((x) => x.terminate())), 10 + Math.random() * 40);
  });
  ws.push(w);
}
`;

describe('stopping workers in the middle of native calls', () => {
  for (const mode of ['exit', 'terminate']) {
    it(`${mode === 'exit' ? 'process.exit' : 'worker.terminate'} while workers step optimizers never aborts the process`, () => {
      // Before the fix about half the runs aborted (SIGABRT); ten runs all exiting cleanly is the check.
      for (let run = 0; run < 10; run++) {
        const r = runChild(STOP_SCRIPT, 30_000, [mode]);
        expect(r.signal, describeChild(r)).toBeNull();
        expect(r.status, describeChild(r)).toBe(0);
      }
    }, 120_000);
  }
});
