// The deepfit command: train (default recipe, --json, the run directory),
// predict, resume, the backends agreeing, verify, and the error messages.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { createRunDir, runTrain } from '../src/cli/train';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'dist/cli/main.js');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-cli-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function deepfit(...args: string[]): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
const lines = (s: string) => s.trim().split('\n');
const metricLines = (dir: string) =>
  lines(fs.readFileSync(path.join(dir, 'metrics.jsonl'), 'utf8')).map((l) => {
    const { seconds, samplesPerSec, ...rest } = JSON.parse(l);
    return rest;
  });
const SMALL = ['--hidden', '32', '--batch-size', '64', '--lr', '0.01'];

describe('deepfit train', () => {
  it('with no options trains the digits recipe to >= 95% and ends with the test accuracy line', () => {
    const out = path.join(tmp, 'default');
    const r = deepfit('train', '--out', out);
    expect(r.code, r.stderr).toBe(0);
    const ls = lines(r.stdout);
    expect(ls[0]).toMatch(/^deepfit train: digits, 1078\/359\/360 samples \(train\/val\/test\), 64 features, 10 classes; MLP 64-256-128-10, adamw, cosine schedule/);
    expect(ls[1]).toMatch(/^epoch +train loss +train acc +val loss +val acc +lr +seconds$/);
    expect(ls[2]).toMatch(/^ +1 +\d+\.\d{4} +\d\.\d{4} +\d+\.\d{4} +\d\.\d{4} +\d\.\d\de-\d +\d+\.\d\d$/);
    const last = ls[ls.length - 1];
    expect(last).toMatch(/^test accuracy: \d\.\d{4}$/);
    expect(Number(last.split(': ')[1])).toBeGreaterThanOrEqual(0.95);
    for (const f of ['metrics.jsonl', 'checkpoint.safetensors', 'last.safetensors', 'report.html']) expect(fs.existsSync(path.join(out, f)), f).toBe(true);
    // The run directory prints relative to the working directory, as the README shows it.
    expect(ls[ls.length - 2]).toBe('run directory: default (metrics.jsonl, checkpoint.safetensors, last.safetensors, report.html)');
    const html = fs.readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).toContain('Test confusion matrix');
    expect(html.match(/class="series"/g)?.length).toBe(5);
  }, 60_000);

  it('--json prints one JSON summary; metrics.jsonl has one line per epoch', () => {
    const out = path.join(tmp, 'json');
    const r = deepfit('train', ...SMALL, '--epochs', '3', '--out', out, '--json');
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s.epochs).toBe(3);
    expect(s.testAccuracy).toBeGreaterThan(0.8);
    expect(s.config.model.hidden).toEqual([32]);
    // `best` is the epoch whose weights are kept and tested, `last` where training stopped.
    expect(s.best.epoch).toBe(s.bestEpoch);
    expect(s.best.valLoss).toBe(metricLines(out).find((m) => m.epoch === s.bestEpoch).valLoss);
    expect(s.last.epoch).toBe(3);
    expect(s).not.toHaveProperty('final');
    expect(s.config).not.toHaveProperty('dataDir'); // digits reads no IDX directory
    expect(metricLines(out).map((m) => m.epoch)).toEqual([1, 2, 3]);
  }, 60_000);

  it('--backend reference gives the same metrics as native', () => {
    const a = path.join(tmp, 'native');
    const b = path.join(tmp, 'reference');
    expect(deepfit('train', ...SMALL, '--epochs', '2', '--out', a, '--json').code).toBe(0);
    expect(deepfit('train', ...SMALL, '--epochs', '2', '--out', b, '--json', '--backend', 'reference').code).toBe(0);
    expect(metricLines(b)).toEqual(metricLines(a));
  }, 60_000);

  it('--resume continues a run and matches an uninterrupted one', () => {
    // A constant lr, so a run cut at epoch 2 and one planned for 4 epochs see the same schedule.
    const straight = path.join(tmp, 'straight');
    const cut = path.join(tmp, 'cut');
    expect(deepfit('train', ...SMALL, '--schedule', 'none', '--epochs', '4', '--out', straight, '--json').code).toBe(0);
    expect(deepfit('train', ...SMALL, '--schedule', 'none', '--epochs', '2', '--out', cut, '--json').code).toBe(0);
    const r = deepfit('train', '--resume', cut, '--epochs', '4', '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).epochs).toBe(4);
    expect(metricLines(cut)).toEqual(metricLines(straight));
    expect(deepfit('train', '--resume', path.join(tmp, 'nothing-here')).stderr).toMatch(/--resume: no checkpoint at/);
    expect(deepfit('train', '--resume', cut, '--lr', '0.1').stderr).toMatch(/--resume continues with the run's saved config, so --lr cannot change it/);
  }, 90_000);

  it('--resume of a run that stopped early trains nothing more and changes no file', () => {
    const out = path.join(tmp, 'stopped');
    const first = deepfit('train', ...SMALL, '--lr', '0.05', '--patience', '1', '--epochs', '60', '--out', out, '--json');
    expect(first.code, first.stderr).toBe(0);
    const s = JSON.parse(first.stdout);
    expect(s.stopReason).toBe('early-stopping');
    expect(s.epochs).toBeLessThan(60);
    const before = ['metrics.jsonl', 'last.safetensors', 'checkpoint.safetensors'].map((f) => fs.readFileSync(path.join(out, f)));
    const again = deepfit('train', '--resume', out, '--json');
    expect(again.code, again.stderr).toBe(0);
    const r = JSON.parse(again.stdout);
    expect([r.epochs, r.stopReason, r.bestEpoch, r.testAccuracy]).toEqual([s.epochs, 'early-stopping', s.bestEpoch, s.testAccuracy]);
    const after = ['metrics.jsonl', 'last.safetensors', 'checkpoint.safetensors'].map((f) => fs.readFileSync(path.join(out, f)));
    expect(after).toEqual(before);
  }, 60_000);

  it('a loss that is not finite from the first epoch writes no checkpoint, says so and exits 1', () => {
    const out = path.join(tmp, 'diverged');
    const r = deepfit('train', '--optimizer', 'sgd', '--lr', '1e9', '--no-batchnorm', '--epochs', '3', '--out', out);
    expect(r.code).toBe(1);
    const ls = lines(r.stdout);
    expect(r.stdout).toMatch(/training stopped and the initial weights were kept/);
    expect(ls[ls.length - 3]).toMatch(/^no epoch finished \(stopped: non-finite-loss\), so no checkpoint was written/);
    expect(ls[ls.length - 2]).toBe('run directory: diverged (metrics.jsonl, report.html)');
    expect(fs.existsSync(path.join(out, 'checkpoint.safetensors'))).toBe(false);
  }, 60_000);

  it.runIf(fs.existsSync('/proc/self'))('--out under a pseudo file system is an error, not a hang', () => {
    const r = deepfit('train', ...SMALL, '--epochs', '1', '--out', '/proc/deepfit-run');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("deepfit train: ENOENT: no such file or directory, mkdir '/proc/deepfit-run'\n");
  }, 60_000);

  it('tampered run metadata is one line naming the file, checked before anything large is built or copied', () => {
    const run = path.join(tmp, 'tamper-src');
    expect(deepfit('train', ...SMALL, '--epochs', '1', '--out', run, '--json').code).toBe(0);
    /** A copy of a checkpoint with its `meta` JSON changed (same tensors). */
    const tamper = (from: string, to: string, change: (meta: any) => void) => {
      const raw = fs.readFileSync(from);
      const n = Number(raw.readBigUInt64LE(0));
      const header = JSON.parse(raw.toString('utf8', 8, 8 + n));
      const meta = JSON.parse(header.__metadata__.meta);
      change(meta);
      header.__metadata__.meta = JSON.stringify(meta);
      let json = JSON.stringify(header);
      while (Buffer.byteLength(json) % 8) json += ' ';
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(Buffer.byteLength(json)));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.writeFileSync(to, Buffer.concat([len, Buffer.from(json), raw.subarray(8 + n)]));
      return to;
    };
    const badSchedule = tamper(path.join(run, 'last.safetensors'), path.join(tmp, 'tamper1', 'last.safetensors'), (m) => (m.config.schedule = 'bogus'));
    const r = deepfit('train', '--resume', badSchedule, '--out', path.join(tmp, 'tamper1-new'));
    expect([r.code, r.stderr]).toEqual([2, `${badSchedule}: its saved config cannot be rebuilt (its schedule "bogus" is unknown)\n`]);
    expect(fs.existsSync(path.join(tmp, 'tamper1-new', 'last.safetensors'))).toBe(false);
    const huge = tamper(path.join(run, 'checkpoint.safetensors'), path.join(tmp, 'tamper2', 'checkpoint.safetensors'), (m) => (m.model.hidden = [60000, 60000]));
    const p = deepfit('predict', '--checkpoint', huge, '--input', path.join(root, 'data', 'digits.csv.gz'));
    expect(p.code).toBe(2);
    expect(p.stderr).toMatch(/its metadata does not describe the network it holds \(its model config needs 3604440000 weights but the file holds \d+ values\)\n$/);
  }, 60_000);

  it('DEEPFIT_BACKEND sets the default backend; a bad value is one line', () => {
    const env = { ...process.env, DEEPFIT_BACKEND: 'reference' };
    const r = spawnSync(process.execPath, [bin, 'train', ...SMALL, '--epochs', '1', '--out', path.join(tmp, 'envref')], { cwd: tmp, encoding: 'utf8', env });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toMatch(/reference backend$/);
    const bad = spawnSync(process.execPath, [bin, 'train'], { cwd: tmp, encoding: 'utf8', env: { ...process.env, DEEPFIT_BACKEND: 'bogus' } });
    expect(bad.status).toBe(1);
    expect(bad.stderr).toBe(`deepfit train: DEEPFIT_BACKEND must be one of 'native', 'reference', got "bogus"\n`);
  }, 60_000);
});

describe('deepfit train recipes', () => {
  it('runs every optimizer, schedule and activation, with and without BatchNorm and clipping', () => {
    const combos = [
      ['--optimizer', 'sgd', '--schedule', 'step'],
      ['--optimizer', 'momentum', '--schedule', 'exp', '--activation', 'tanh'],
      ['--optimizer', 'adam', '--schedule', 'onecycle', '--activation', 'gelu', '--clip-grad-norm', '1'],
      ['--optimizer', 'rmsprop', '--lr', '1e-3', '--schedule', 'plateau', '--activation', 'leakyrelu', '--no-batchnorm'],
      ['--optimizer', 'adagrad', '--schedule', 'none', '--activation', 'sigmoid', '--dropout', '0'],
    ];
    for (const args of combos) {
      const out: string[] = [];
      runTrain([...args, '--hidden', '24,16', '--epochs', '3', '--out', path.join(tmp, args[1])], (s) => void out.push(s));
      const last = out[out.length - 1];
      expect(last, args.join(' ')).toMatch(/^test accuracy: \d\.\d{4}$/);
      expect(Number(last.slice(15)), args.join(' ')).toBeGreaterThan(0.3); // well above chance (0.1) after 3 epochs
    }
  }, 60_000);
});

describe('deepfit predict', () => {
  it('prints one class per row and the accuracy when rows carry labels', () => {
    const rows = lines(zlib.gunzipSync(fs.readFileSync(path.join(root, 'data/digits.csv.gz'))).toString()).slice(0, 25);
    const withLabels = path.join(tmp, 'rows.csv');
    fs.writeFileSync(withLabels, rows.join('\n') + '\n');
    const ck = path.join(tmp, 'default', 'checkpoint.safetensors');
    const r = deepfit('predict', '--checkpoint', ck, '--input', withLabels);
    expect(r.code, r.stderr).toBe(0);
    const preds = lines(r.stdout);
    expect(preds.length).toBe(25);
    const right = preds.filter((p, i) => p === rows[i].split(',').pop()).length;
    expect(right).toBeGreaterThanOrEqual(22);
    expect(r.stderr).toMatch(new RegExp(`accuracy: ${(right / 25).toFixed(4)} \\(25 rows with labels\\)`));
    const featuresOnly = path.join(tmp, 'features.csv');
    fs.writeFileSync(featuresOnly, rows.map((l) => l.split(',').slice(0, 64).join(',')).join('\n'));
    const j = deepfit('predict', '--checkpoint', ck, '--input', featuresOnly, '--json');
    expect(JSON.parse(j.stdout).classes).toEqual(preds);
    expect(deepfit('predict', '--checkpoint', ck, '--input', path.join(root, 'package.json')).stderr).toMatch(/expected 64 feature columns/);
    expect(deepfit('predict', '--input', featuresOnly).stderr).toMatch(/--checkpoint RUN_DIR\|FILE is required/);
  }, 60_000);
});

describe('deepfit errors and other commands', () => {
  it('an unknown option is an error with a hint', () => {
    const r = deepfit('train', '--learning-rate', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deepfit train: unknown option --learning-rate\. Did you mean --lr\? Run 'deepfit train --help'/);
    expect(deepfit('train', '--epoch', '3').stderr).toMatch(/unknown option --epoch\. Did you mean --epochs\?/);
    expect(deepfit('train', '--optimizer', 'adamx').stderr).toMatch(/--optimizer must be one of sgd\|momentum\|adam\|adamw\|rmsprop\|adagrad, got 'adamx' \(did you mean adam/);
    expect(deepfit('train', '--lr', 'fast').stderr).toMatch(/--lr must be a number >= 0, got 'fast'/);
    expect(deepfit('trian').stderr).toMatch(/unknown command 'trian'\. Did you mean 'train'\?/);
    expect(deepfit('train', '--help').stdout).toMatch(/--clip-grad-norm X/);
  });

  it('says exactly how to get Fashion-MNIST when it is missing', () => {
    const r = deepfit('train', '--dataset', 'fashion-mnist', '--data-dir', path.join(tmp, 'no-such-dir'));
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Fashion-MNIST not found in .*no-such-dir.*apt-get install dataset-fashion-mnist.*\/usr\/share\/datasets\/fashion-mnist/s);
  });

  it('verify prints a pass/fail table and passes', () => {
    const r = deepfit('verify');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^kernel +isa +result/);
    expect(r.stdout).toMatch(/all \d+ checks passed/);
  }, 60_000);
});

describe('deepfit run directories', () => {
  it('a default run directory is new: a counter suffix when the time stamp is taken', () => {
    const base = path.join(tmp, 'stamp', 'digits-20261203-202644');
    fs.mkdirSync(base, { recursive: true });
    expect(createRunDir(base)).toBe(`${base}-2`);
    expect(createRunDir(base)).toBe(`${base}-3`);
    expect(fs.statSync(`${base}-3`).isDirectory()).toBe(true);
    const cwd = path.join(tmp, 'stamp');
    const run = () => spawnSync(process.execPath, [bin, 'train', ...SMALL, '--epochs', '1'], { cwd, encoding: 'utf8' }).stdout;
    const [a, b] = [run(), run()].map((o) => lines(o)[lines(o).length - 2].match(/^run directory: (runs\/digits-\d{8}-\d{6}(-\d+)?) \(/)?.[1]);
    expect(a).toBeDefined();
    expect(b).not.toBe(a);
  }, 60_000);

  it('--out onto a directory that holds files is an error unless --force', () => {
    const out = path.join(tmp, 'taken');
    fs.mkdirSync(out);
    fs.writeFileSync(path.join(out, 'notes.txt'), 'mine');
    const r = deepfit('train', ...SMALL, '--epochs', '1', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--out .*taken already holds files \(another run\?\); choose a new directory, add --force to replace its files, or --resume it/);
    expect(fs.readdirSync(out)).toEqual(['notes.txt']);
    const forced = deepfit('train', ...SMALL, '--epochs', '1', '--out', out, '--force', '--json');
    expect(forced.code, forced.stderr).toBe(0);
    expect(fs.existsSync(path.join(out, 'checkpoint.safetensors'))).toBe(true);
  }, 60_000);

  it('--resume --out NEWDIR makes a complete run directory even when no new epoch beats the best', () => {
    // lr 0 without BatchNorm or dropout: the weights never change, so epoch 1 stays the best.
    const first = path.join(tmp, 'frozen');
    const next = path.join(tmp, 'frozen-more');
    expect(deepfit('train', ...SMALL, '--lr', '0', '--no-batchnorm', '--dropout', '0', '--schedule', 'none', '--epochs', '1', '--out', first, '--json').code).toBe(0);
    const r = deepfit('train', '--resume', first, '--epochs', '2', '--out', next, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).bestEpoch).toBe(1);
    for (const f of ['metrics.jsonl', 'checkpoint.safetensors', 'last.safetensors', 'report.html']) expect(fs.existsSync(path.join(next, f)), f).toBe(true);
    expect(fs.readFileSync(path.join(next, 'checkpoint.safetensors'))).toEqual(fs.readFileSync(path.join(first, 'checkpoint.safetensors')));
    const features = path.join(tmp, 'frozen.csv');
    fs.writeFileSync(features, lines(zlib.gunzipSync(fs.readFileSync(path.join(root, 'data/digits.csv.gz'))).toString()).slice(0, 3).join('\n'));
    expect(deepfit('predict', '--checkpoint', next, '--input', features).code).toBe(0);
  }, 60_000);

  it('--resume refuses a new --epochs for schedules laid out over the epoch count', () => {
    for (const [schedule, why] of [['cosine', /it anneals the lr to 0 at epoch 2/], ['onecycle', /its one cycle spans the batches of 2 epochs/], ['step', /it divides the lr by 10 every 1 epochs/]] as const) {
      const run = path.join(tmp, `shaped-${schedule}`);
      expect(deepfit('train', ...SMALL, '--schedule', schedule, '--epochs', '2', '--out', run, '--json').code).toBe(0);
      const r = deepfit('train', '--resume', run, '--epochs', '3');
      expect(r.code, schedule).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^--epochs 3 cannot resume this run: it was planned for 2 epochs and its ${schedule} schedule depends on that`));
      expect(r.stderr).toMatch(why);
      expect(metricLines(run).length).toBe(2); // untouched
    }
    const same = deepfit('train', '--resume', path.join(tmp, 'shaped-onecycle'), '--epochs', '2', '--json');
    expect(same.code, same.stderr).toBe(0);
    expect(deepfit('train', '--resume', path.join(tmp, 'shaped-cosine'), '--epochs', '1').stderr).toMatch(/--epochs 1 is fewer than the 2 epochs the run has already trained/);
  }, 60_000);
});

describe('deepfit in pipelines and installs', () => {
  it('stops quietly with status 0 when the reader of its output goes away', () => {
    const r = spawnSync('bash', ['-c', `set -o pipefail; "${process.execPath}" "${bin}" train ${SMALL.join(' ')} --epochs 3 --out piped | head -1`], { cwd: tmp, encoding: 'utf8' });
    expect(r.stdout).toMatch(/^deepfit train: digits/);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 60_000);

  it('bench --help lists the suites and DEEPFIT_BENCH_TIME', () => {
    const r = deepfit('bench', '--help');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^usage: /);
    expect(r.stdout).toMatch(/Suites: .*\bgemm\b.*\btrain\b/);
    expect(r.stdout).toContain('DEEPFIT_BENCH_TIME');
  });

  it('predict takes a run directory and says what is wrong with other paths', () => {
    const rows = path.join(tmp, 'rows.csv');
    expect(deepfit('predict', '--checkpoint', path.join(tmp, 'default'), '--input', rows).stdout).toBe(
      deepfit('predict', '--checkpoint', path.join(tmp, 'default', 'checkpoint.safetensors'), '--input', rows).stdout,
    );
    const empty = path.join(tmp, 'empty-dir');
    fs.mkdirSync(empty, { recursive: true });
    const r = deepfit('predict', '--checkpoint', empty, '--input', rows);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--checkpoint: the directory .*empty-dir has no checkpoint\.safetensors; pass a run directory written by 'deepfit train' or a checkpoint file/);
  }, 60_000);

  it('without the addon, says how to build it from a dependent project and suggests --backend reference', () => {
    // A copy of the package without build/ or prebuilds/, as an install whose build failed.
    const pkg = path.join(tmp, 'unbuilt');
    fs.cpSync(path.join(root, 'dist'), path.join(pkg, 'dist'), { recursive: true });
    fs.copyFileSync(path.join(root, 'package.json'), path.join(pkg, 'package.json'));
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(pkg, 'node_modules'));
    const r = spawnSync(process.execPath, [path.join(pkg, 'dist/cli/main.js'), 'train', '--epochs', '1'], { cwd: tmp, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^deepfit train: the native addon could not be loaded\./);
    expect(r.stderr).toContain(`'npm rebuild deepfit' in a project that depends on deepfit`);
    expect(r.stderr).toContain('Or add --backend reference to run the pure TypeScript kernels.');
    expect(r.stderr).not.toContain('backend.use');
    const lib = spawnSync(process.execPath, ['-e', `try { require(${JSON.stringify(path.join(pkg, 'dist'))}).backend.use('native') } catch (e) { console.log(e.message) }`], { encoding: 'utf8' });
    expect(lib.stdout).toContain(`'npm rebuild deepfit'`);
    expect(lib.stdout).toContain(`Or call backend.use('reference') to run the pure TypeScript kernels.`);
  });
});
