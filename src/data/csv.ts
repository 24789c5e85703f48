// Numeric CSV files (gzipped or not): one sample a line, one column of class
// labels, every other column a feature. A first line with a column name in
// it is taken as a header, so labelColumn can also be a column name.
import { checkKnownKeys, checkObject, describe, isDecimal } from '../errors';
import { Dataset, MAX_CLASSES } from './dataset';
import { readMaybeGzip } from './idx';

export interface CsvOptions {
  /** The label column: an index (negative counts from the end; default -1, the last) or a header name. */
  labelColumn?: number | string;
}

function splitLine(line: string): string[] {
  return line.split(',').map((s) => s.trim());
}

// A column name has a letter or an underscore and is not something JavaScript
// reads as a number (0x10, 1e5, Infinity) or a spelling of NaN or infinity:
// those are data cells gone wrong, reported as such rather than taken as names.
const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;
const isName = (c: string) => /[A-Za-z_]/.test(c) && Number.isNaN(Number(c)) && !NON_FINITE.test(c);

/**
 * The non-empty lines of a CSV file (\n, \r\n or \r endings) with their line
 * numbers, split into cells one line at a time by `each`. The first line is a
 * header when one of its cells is a name (`label`, `x1`, pandas' `0,1,...,label`),
 * so a data row with a bad number is reported, not taken as a header.
 */
function readLines(path: string): { header?: string[]; lines: [number, string][] } {
  const lines: [number, string][] = [];
  readMaybeGzip(path)
    .toString('utf8')
    .split(/\r\n|\n|\r/)
    .forEach((line, i) => {
      if (line.trim() !== '') lines.push([i + 1, line]);
    });
  if (!lines.length) throw new Error(`${path}: the CSV file is empty`);
  const first = splitLine(lines[0][1]);
  const isHeader = first.some(isName);
  if (isHeader) lines.shift();
  return { header: isHeader ? first : undefined, lines };
}

/** A feature cell: a decimal number that float32 can hold. */
function feature(cell: string, path: string, lineNo: number, col: number): number {
  const v = Number(cell);
  if (!isDecimal(cell) || !Number.isFinite(Math.fround(v))) {
    throw new Error(`${path}:${lineNo}: column ${col + 1} is not a finite number (float32): ${JSON.stringify(cell)}`);
  }
  return v;
}

/** A label cell: a class index. */
function label(cell: string, path: string, lineNo: number): number {
  const v = Number(cell);
  if (!isDecimal(cell) || !Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) {
    throw new Error(`${path}:${lineNo}: the label must be a class index, an integer in [0, ${MAX_CLASSES}), got ${JSON.stringify(cell)}`);
  }
  return v;
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
  const { header, lines } = readLines(path);
  const cols = lines.length ? splitLine(lines[0][1]).length : header!.length;
  if (cols < 2) throw new Error(`${path}: a CSV needs at least 2 columns (features and a label), line ${lines[0]?.[0] ?? 1} has ${cols}`);
  const lc = resolveLabelColumn(labelColumn, header, cols, path);
  if (!lines.length) throw new RangeError(`${path}: no data rows${header ? ` after the header line (${header.join(',')})` : ''}`);
  const d = cols - 1;
  const feats = new Float32Array(lines.length * d);
  const labels = new Int32Array(lines.length);
  lines.forEach(([lineNo, line], r) => {
    const cells = splitLine(line);
    if (cells.length !== cols) throw new Error(`${path}:${lineNo}: expected ${cols} columns, got ${cells.length}`);
    let j = 0;
    for (let c = 0; c < cols; c++) {
      if (c === lc) labels[r] = label(cells[c], path, lineNo);
      else feats[r * d + j++] = feature(cells[c], path, lineNo, c);
    }
  });
  return new Dataset(feats, labels, d);
}

/**
 * Loads rows of d features for prediction. Rows of d + 1 columns carry a
 * trailing label, returned as labels (all rows must agree).
 */
export function loadCsvFeatures(path: string, d: number): { features: Float32Array; n: number; labels?: Int32Array } {
  const { lines } = readLines(path);
  if (!lines.length) throw new RangeError(`${path}: no data rows to predict (the first line was a header)`);
  const cols = splitLine(lines[0][1]).length;
  if (cols !== d && cols !== d + 1) throw new Error(`${path}:${lines[0][0]}: expected ${d} feature columns (or ${d + 1} with a trailing label), got ${cols}`);
  const out = new Float32Array(lines.length * d);
  const labels = cols === d + 1 ? new Int32Array(lines.length) : undefined;
  lines.forEach(([lineNo, line], r) => {
    const cells = splitLine(line);
    if (cells.length !== cols) throw new Error(`${path}:${lineNo}: expected ${cols} columns, got ${cells.length}`);
    for (let c = 0; c < cols; c++) {
      if (c < d) out[r * d + c] = feature(cells[c], path, lineNo, c);
      else labels![r] = label(cells[c], path, lineNo);
    }
  });
  return { features: out, n: lines.length, labels };
}
