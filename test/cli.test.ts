// The deepfit command: train (default recipe, --json, the run directory),
// predict, resume, the backends agreeing, verify, and the error messages.
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { runTrain } from '../src/cli/train';

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
    expect(deepfit('predict', '--input', featuresOnly).stderr).toMatch(/--checkpoint FILE is required/);
  }, 60_000);
});

describe('deepfit errors and other commands', () => {
  it('an unknown option is an error with a hint', () => {
    const r = deepfit('train', '--learning-rate', '0.1');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/deepfit train: unknown option --learning-rate\..*Run 'deepfit train --help'/);
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
