// Numeric CSV files (gzipped or not): one sample a line, one column of class
// labels, every other column a feature. A first line that is not all numbers
// is taken as a header, so labelColumn can also be a column name.
import { checkKnownKeys, checkObject, describe } from '../errors';
import { Dataset } from './dataset';
import { readMaybeGzip } from './idx';

export interface CsvOptions {
  /** The label column: an index (negative counts from the end; default -1, the last) or a header name. */
  labelColumn?: number | string;
}

function splitLine(line: string): string[] {
  return line.split(',').map((s) => s.trim());
}

function isNumeric(s: string): boolean {
  return s !== '' && Number.isFinite(Number(s));
}

function resolveLabelColumn(labelColumn: number | string, header: string[] | undefined, cols: number, path: string): number {
  if (typeof labelColumn === 'string') {
    if (!header) throw new RangeError(`labelColumn '${labelColumn}' is a name but ${path} has no header line; pass a column index`);
    const i = header.indexOf(labelColumn);
    if (i < 0) throw new RangeError(`labelColumn '${labelColumn}' is not a column of ${path} (columns: ${header.join(', ')})`);
    return i;
  }
  if (!Number.isInteger(labelColumn) || labelColumn >= cols || labelColumn < -cols) {
    throw new RangeError(`labelColumn must be an integer in [${-cols}, ${cols - 1}] for ${path} (${cols} columns), got ${describe(labelColumn)}`);
  }
  return labelColumn < 0 ? cols + labelColumn : labelColumn;
}

/** Loads a numeric CSV into a Dataset; bad rows are an Error naming the line. */
export function loadCsv(path: string, opts: CsvOptions = {}): Dataset {
  checkKnownKeys(checkObject(opts, 'options'), 'loadCsv', ['labelColumn']);
  const labelColumn = opts.labelColumn ?? -1;
  if (typeof labelColumn !== 'number' && typeof labelColumn !== 'string') {
    throw new TypeError(`labelColumn must be a column index or a header name, got ${describe(labelColumn)}`);
  }
  const lines = readMaybeGzip(path).toString('utf8').split(/\r?\n/);
  let first = 0;
  while (first < lines.length && lines[first].trim() === '') first++;
  if (first === lines.length) throw new Error(`${path}: the CSV file is empty`);
  let header: string[] | undefined;
  const firstCells = splitLine(lines[first]);
  if (!firstCells.every(isNumeric)) {
    header = firstCells;
    first++;
  }
  const cols = firstCells.length;
  if (cols < 2) throw new Error(`${path}: a CSV needs at least 2 columns (features and a label), line ${first + 1} has ${cols}`);
  const lc = resolveLabelColumn(labelColumn, header, cols, path);
  const d = cols - 1;
  const feats: number[] = [];
  const labels: number[] = [];
  for (let li = first; li < lines.length; li++) {
    if (lines[li].trim() === '') continue;
    const cells = splitLine(lines[li]);
    if (cells.length !== cols) throw new Error(`${path}:${li + 1}: expected ${cols} columns, got ${cells.length}`);
    for (let c = 0; c < cols; c++) {
      const v = Number(cells[c]);
      if (!isNumeric(cells[c])) throw new Error(`${path}:${li + 1}: column ${c + 1} is not a finite number: ${JSON.stringify(cells[c])}`);
      if (c === lc) {
        if (!Number.isInteger(v) || v < 0 || v > 0x7fffffff) throw new Error(`${path}:${li + 1}: the label must be an integer >= 0, got ${cells[c]}`);
        labels.push(v);
      } else feats.push(v);
    }
  }
  if (!labels.length) throw new RangeError(`${path}: no data rows${header ? ` after the header line (${header.join(',')})` : ''}`);
  return new Dataset(Float32Array.from(feats), Int32Array.from(labels), d);
}

/**
 * Loads rows of d features for prediction. Rows of d + 1 columns carry a
 * trailing label, returned as labels (all rows must agree).
 */
export function loadCsvFeatures(path: string, d: number): { features: Float32Array; n: number; labels?: Int32Array } {
  const lines = readMaybeGzip(path).toString('utf8').split(/\r?\n/);
  const rows: [number, string[]][] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== '') rows.push([i + 1, splitLine(line)]);
  });
  if (rows.length && !rows[0][1].every(isNumeric)) rows.shift();
  if (!rows.length) throw new RangeError(`${path}: no data rows to predict (a first line that is not all numbers is taken as a header)`);
  const cols = rows.length ? rows[0][1].length : d;
  if (cols !== d && cols !== d + 1) throw new Error(`${path}:${rows[0][0]}: expected ${d} feature columns (or ${d + 1} with a trailing label), got ${cols}`);
  const out = new Float32Array(rows.length * d);
  const labels = cols === d + 1 ? new Int32Array(rows.length) : undefined;
  rows.forEach(([lineNo, cells], r) => {
    if (cells.length !== cols) throw new Error(`${path}:${lineNo}: expected ${cols} columns, got ${cells.length}`);
    cells.forEach((cell, c) => {
      if (!isNumeric(cell)) throw new Error(`${path}:${lineNo}: column ${c + 1} is not a finite number: ${JSON.stringify(cell)}`);
      if (c < d) out[r * d + c] = Number(cell);
      else (labels as Int32Array)[r] = Number(cell);
    });
  });
  return { features: out, n: rows.length, labels };
}
