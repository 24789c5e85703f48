// Line charts as inline SVG: axes with ticks and labels, one path per series,
// a legend. No scripts and no external resources, so a report works offline.

export interface Series {
  name: string;
  /** [x, y] points; non-finite y values break the line. */
  points: [number, number][];
  color: string;
}

export interface ChartSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Logarithmic y axis (for learning rates). */
  logY?: boolean;
}

const W = 460;
const H = 280;
const M = { left: 64, right: 16, top: 34, bottom: 46 };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) as number;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return out;
}

/** Ticks for a log10 axis spanning [lo, hi] (in log10 units): decades, plus 2× and 5× when few decades fit. */
export function logTicks(lo: number, hi: number): number[] {
  const inRange = (v: number) => v >= lo - 1e-9 && v <= hi + 1e-9;
  const decades: number[] = [];
  const finer: number[] = [];
  for (let k = Math.floor(lo); k <= Math.ceil(hi); k++) {
    if (inRange(k)) decades.push(k);
    for (const m of [1, 2, 5]) if (inRange(k + Math.log10(m))) finer.push(k + Math.log10(m));
  }
  return decades.length >= 3 || finer.length > 7 ? decades : finer;
}

function fmtTick(v: number, log: boolean): string {
  if (log) return Number(v.toPrecision(1)).toExponential(0);
  if (v === 0) return '0';
  return Math.abs(v) >= 1000 || Math.abs(v) < 0.01 ? v.toExponential(1) : String(Number(v.toPrecision(3)));
}

function extent(values: number[]): [number, number] {
  const finite = values.filter(Number.isFinite);
  if (!finite.length) return [0, 1];
  let lo = Math.min(...finite);
  let hi = Math.max(...finite);
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

export function lineChart(spec: ChartSpec): string {
  const log = !!spec.logY;
  const ty = (y: number) => (log ? (y > 0 ? Math.log10(y) : NaN) : y);
  const xs = spec.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = spec.series.flatMap((s) => s.points.map((p) => ty(p[1])));
  const [x0, x1] = extent(xs);
  let [y0, y1] = extent(ys);
  if (!log) [y0, y1] = [y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05];
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number) => M.left + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number) => M.top + ph - ((y - y0) / (y1 - y0)) * ph;
  const parts: string[] = [];
  parts.push(`<text x="${M.left}" y="18" class="title">${escapeXml(spec.title)}</text>`);
  const xticks = niceTicks(x0, x1, 6).filter((v) => Number.isInteger(v) || x1 - x0 < 6);
  const yticks = log ? logTicks(y0, y1) : niceTicks(y0, y1, 5);
  for (const v of xticks) {
    const x = sx(v).toFixed(1);
    parts.push(`<line x1="${x}" y1="${M.top + ph}" x2="${x}" y2="${M.top + ph + 4}" class="axis"/><text x="${x}" y="${M.top + ph + 17}" text-anchor="middle" class="tick">${fmtTick(v, false)}</text>`);
  }
  for (const v of yticks) {
    const y = sy(v).toFixed(1);
    parts.push(`<line x1="${M.left}" y1="${y}" x2="${M.left + pw}" y2="${y}" class="grid"/><text x="${M.left - 6}" y="${y}" dy="4" text-anchor="end" class="tick">${fmtTick(log ? 10 ** v : v, log)}</text>`);
  }
  parts.push(`<line x1="${M.left}" y1="${M.top + ph}" x2="${M.left + pw}" y2="${M.top + ph}" class="axis"/><line x1="${M.left}" y1="${M.top}" x2="${M.left}" y2="${M.top + ph}" class="axis"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 8}" text-anchor="middle" class="label">${escapeXml(spec.xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" class="label">${escapeXml(spec.yLabel)}</text>`);
  spec.series.forEach((s, i) => {
    let d = '';
    let pen = false;
    for (const [x, yRaw] of s.points) {
      const y = ty(yRaw);
      if (!Number.isFinite(y)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`;
      pen = true;
    }
    if (s.points.length === 1 && d) d += `h0.01`;
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2" stroke-linecap="round" class="series" data-series="${escapeXml(s.name)}"/>`);
    // Legend entries sit in the top margin, right-aligned, clear of the data.
    const lx = M.left + pw - 70 * (spec.series.length - i);
    const ly = M.top - 6;
    parts.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${s.color}" stroke-width="2"/><text x="${lx + 24}" y="${ly + 4}" class="legend">${escapeXml(s.name)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(spec.title)}" class="chart">${parts.join('')}</svg>`;
}
