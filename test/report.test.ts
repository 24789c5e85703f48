// report.html: self-contained, and its charts really draw in a browser.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { renderReport, niceTicks } from '../src/report';
import { logTicks } from '../src/report/svg';
import type { EpochResult } from '../src/train/types';

// Looked up on PATH, as CI does before it decides to install one.
const CHROMIUM = ['chromium', 'chromium-browser', 'google-chrome']
  .flatMap((name) => (process.env.PATH ?? '').split(path.delimiter).filter(Boolean).map((dir) => path.join(dir, name)))
  .find((p) => fs.existsSync(p));

function history(n: number): EpochResult[] {
  return Array.from({ length: n }, (_, i) => ({
    epoch: i + 1,
    trainLoss: 2 / (i + 1),
    trainAccuracy: 1 - 0.5 / (i + 1),
    valLoss: 2.2 / (i + 1) + 0.01 * i,
    valAccuracy: 0.95 - 0.5 / (i + 1),
    lr: 1e-3 * Math.cos((i / n) * 1.5) + 1e-6,
    gradNorm: 1,
    maxGradNorm: 2,
    seconds: 0.5,
    samplesPerSec: 2000,
  }));
}

const input = {
  title: 'deepfit run <digits>',
  config: { dataset: 'digits', hidden: [256, 128], lr: 0.001 },
  history: history(12),
  final: { 'test accuracy': 0.975, 'test loss': 0.08 },
  diagnostics: [
    { kind: 'overfitting' as const, severity: 'warning' as const, epoch: 9, message: 'the gap grows', causes: ['big model'], fixes: ['dropout'] },
  ],
  confusion: { matrix: [[5, 1], [0, 7]], classes: ['0', '1'] },
};

describe('report', () => {
  it('is one offline HTML page with three labelled charts, the config, metrics, diagnostics and the confusion matrix', () => {
    const html = renderReport(input);
    expect(html).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)|<link /);
    expect(html.match(/<svg /g)?.length).toBe(3);
    expect(html).toContain('deepfit run &lt;digits&gt;');
    for (const label of ['loss (cross-entropy)', 'accuracy', 'learning rate (log scale)', 'epoch']) expect(html).toContain(`class="label">${label}<`);
    expect(html.match(/data-series="train"/g)?.length).toBe(2);
    expect(html.match(/data-series="val"/g)?.length).toBe(2);
    expect(html).toContain('test accuracy');
    expect(html).toContain('the gap grows');
    expect(html).toMatch(/<table class="cm"><tr><th>true \\ predicted<\/th><th>0<\/th><th>1<\/th><\/tr><tr><th>0<\/th><td[^>]*>5<\/td><td[^>]*>1<\/td>/);
    expect(html).toContain('[256,128]');
  });

  it('labels the lr axis log scale only when it is one (an lr of 0 keeps it linear)', () => {
    const zeroAtEnd = history(12).map((r, i) => (i === 11 ? { ...r, lr: 0 } : r));
    const html = renderReport({ ...input, history: zeroAtEnd });
    expect(html).toContain('class="label">learning rate<');
    expect(html).not.toContain('(log scale)');
  });

  it('picks round axis ticks', () => {
    expect(niceTicks(0, 1, 5).map((v) => Number(v.toFixed(9)))).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 12, 6)).toEqual([2, 4, 6, 8, 10, 12]);
    // A log axis: decades when three or more fit, else 1-2-5 steps.
    expect(logTicks(-6, -2)).toEqual([-6, -5, -4, -3, -2]);
    expect(logTicks(Math.log10(1.6e-4), Math.log10(3e-3)).map((v) => Number((10 ** v).toPrecision(3)))).toEqual([2e-4, 5e-4, 1e-3, 2e-3]);
  });

  it.skipIf(!CHROMIUM)('draws every chart path in headless Chromium', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-report-'));
    try {
      // The report has no scripts; this copy adds one that measures what the browser laid out.
      const probe = `<script>document.addEventListener('DOMContentLoaded',()=>{const r=[...document.querySelectorAll('path.series')].map(p=>{const b=p.getBBox();return [p.dataset.series,p.getTotalLength().toFixed(1),b.width.toFixed(1),b.height.toFixed(1)].join(':')});const o=document.createElement('pre');o.id='probe';o.textContent=r.join(' ');document.body.appendChild(o)});</script>`;
      const file = path.join(dir, 'report.html');
      fs.writeFileSync(file, renderReport(input).replace('</head>', probe + '</head>'));
      const dom = execFileSync(
        CHROMIUM!,
        ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', `--user-data-dir=${path.join(dir, 'profile')}`, '--dump-dom', `file://${file}`],
        { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60_000 },
      );
      const probeText = dom.match(/<pre id="probe">([^<]*)<\/pre>/)?.[1];
      expect(probeText, 'the probe script ran').toBeDefined();
      const paths = probeText!.split(' ').map((s) => s.split(':'));
      expect(paths.map((p) => p[0])).toEqual(['train', 'val', 'train', 'val', 'lr']);
      for (const [name, length, w, h] of paths) {
        expect(Number(length), `${name} path length`).toBeGreaterThan(100);
        expect(Number(w), `${name} width`).toBeGreaterThan(300);
        expect(Number(h), `${name} height`).toBeGreaterThan(20);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
if (!CHROMIUM) console.warn('report.test: Chromium not found (apt-get install chromium); skipping the browser rendering check');
