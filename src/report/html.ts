// report.html: one self-contained page per run (inline CSS and SVG, no
// scripts, no network) with the curves, the config, the final metrics, the
// diagnostics and the test confusion matrix.
import type { Diagnostic, EpochResult } from '../train/types';
import { escapeXml as esc, lineChart } from './svg';

export interface ReportInput {
  title: string;
  /** Shown as a key/value table. */
  config: Record<string, unknown>;
  history: EpochResult[];
  /** Final metrics, e.g. test accuracy; shown as a key/value table. */
  final: Record<string, number | string | null>;
  diagnostics: Diagnostic[];
  /** Test-set confusion matrix, counts[true][predicted], with class names. */
  confusion?: { matrix: number[][]; classes: string[] };
}

const TRAIN = '#1f77b4';
const VAL = '#ff7f0e';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1000px;color:#222;padding:0 16px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.charts{display:flex;flex-wrap:wrap;gap:12px}.chart{background:#fff;border:1px solid #e3e3e3;border-radius:4px}
.chart .title{font-weight:600;font-size:14px}.chart .tick{font-size:11px;fill:#555}.chart .label{font-size:12px;fill:#333}
.chart .legend{font-size:12px}.chart .axis{stroke:#444}.chart .grid{stroke:#eee}
table{border-collapse:collapse}td,th{padding:3px 10px;border:1px solid #e3e3e3;text-align:left}
table.kv td:first-child{color:#555}table.cm td{text-align:right;min-width:34px}table.cm th{background:#f6f6f6}
.diag{border-left:4px solid #e0a800;padding:6px 12px;margin:8px 0;background:#fffbea}.diag.error{border-color:#c62828;background:#fdecea}
.ok{color:#2e7d32}.muted{color:#777}`;

function cell(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && !Number.isInteger(v)) return v.toFixed(4);
  return JSON.stringify(v) ?? '';
}

function kvTable(obj: Record<string, unknown>): string {
  const rows = Object.entries(obj).map(([k, v]) => `<tr><td>${esc(k)}</td><td>${esc(cell(v))}</td></tr>`);
  return `<table class="kv">${rows.join('')}</table>`;
}

function charts(h: EpochResult[]): string {
  const pts = (f: (r: EpochResult) => number | null): [number, number][] => h.map((r) => [r.epoch, f(r) ?? NaN]);
  const hasVal = h.some((r) => r.valLoss !== null);
  // A log axis shows the decays of step, exp and plateau as straight lines; it needs every lr > 0.
  const logLr = h.every((r) => r.lr > 0);
  const pair = (train: (r: EpochResult) => number | null, val: (r: EpochResult) => number | null) => [
    { name: 'train', points: pts(train), color: TRAIN },
    ...(hasVal ? [{ name: 'val', points: pts(val), color: VAL }] : []),
  ];
  return [
    lineChart({ title: 'Loss', xLabel: 'epoch', yLabel: 'loss (cross-entropy)', series: pair((r) => r.trainLoss, (r) => r.valLoss) }),
    lineChart({ title: 'Accuracy', xLabel: 'epoch', yLabel: 'accuracy', series: pair((r) => r.trainAccuracy, (r) => r.valAccuracy) }),
    lineChart({ title: 'Learning rate', xLabel: 'epoch', yLabel: logLr ? 'learning rate (log scale)' : 'learning rate', logY: logLr, series: [{ name: 'lr', points: pts((r) => r.lr), color: TRAIN }] }),
  ].join('');
}

function confusionTable(c: NonNullable<ReportInput['confusion']>): string {
  const max = Math.max(1, ...c.matrix.flat());
  const head = `<tr><th>true \\ predicted</th>${c.classes.map((n) => `<th>${esc(n)}</th>`).join('')}</tr>`;
  const rows = c.matrix.map((row, i) => {
    const cells = row.map((v, j) => {
      const a = (v / max).toFixed(3);
      const color = i === j ? `rgba(46,125,50,${a})` : `rgba(198,40,40,${a})`;
      return `<td style="background:${color}">${v}</td>`;
    });
    return `<tr><th>${esc(c.classes[i])}</th>${cells.join('')}</tr>`;
  });
  return `<table class="cm">${head}${rows.join('')}</table>`;
}

function diagnosticsHtml(ds: Diagnostic[]): string {
  if (!ds.length) return '<p class="ok">No warning signs: the loss fell, gradients stayed bounded, no dead layers, no growing train/val gap.</p>';
  return ds
    .map(
      (d) =>
        `<div class="diag ${d.severity}"><b>${esc(d.severity)} · epoch ${d.epoch}</b>: ${esc(d.message)}<br>` +
        `<span class="muted">likely causes:</span> ${esc(d.causes.join('; '))}<br><span class="muted">try:</span> ${esc(d.fixes.join('; '))}</div>`,
    )
    .join('');
}

function historyTable(h: EpochResult[]): string {
  const f = (v: number | null, n = 4) => (v === null ? '—' : v.toFixed(n));
  const head = '<tr><th>epoch</th><th>train loss</th><th>train acc</th><th>val loss</th><th>val acc</th><th>lr</th><th>grad norm</th><th>seconds</th></tr>';
  const rows = h.map(
    (r) => `<tr><td>${r.epoch}</td><td>${f(r.trainLoss)}</td><td>${f(r.trainAccuracy)}</td><td>${f(r.valLoss)}</td><td>${f(r.valAccuracy)}</td><td>${r.lr.toExponential(2)}</td><td>${f(r.gradNorm, 3)}</td><td>${f(r.seconds, 2)}</td></tr>`,
  );
  return `<table class="cm">${head}${rows.join('')}</table>`;
}

export function renderReport(r: ReportInput): string {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(r.title)}</title><style>${CSS}</style></head>
<body>
<h1>${esc(r.title)}</h1>
<p class="muted">${r.history.length} epochs</p>
<h2>Final metrics</h2>${kvTable(r.final)}
<h2>Curves</h2><div class="charts">${charts(r.history)}</div>
<h2>Diagnostics</h2>${diagnosticsHtml(r.diagnostics)}
${r.confusion ? `<h2>Test confusion matrix</h2>${confusionTable(r.confusion)}` : ''}
<h2>Epochs</h2>${historyTable(r.history)}
<h2>Config</h2>${kvTable(r.config)}
</body></html>
`;
}
