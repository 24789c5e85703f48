// Argument checks, in one place. Every public entry point validates with these,
// so a bad input is a TypeError (wrong kind of value) or a RangeError (right
// kind, wrong value) whose message names the argument and the expected form.
import * as fs from 'fs';
import * as path from 'path';

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}` + ('length' in v ? ` of length ${(v as Float32Array).length}` : '');
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v);
  return typeof v === 'object' ? `an object (${(v as object).constructor?.name ?? 'Object'})` : typeof v;
}

// A plain decimal number as text (no hex, binary, octal, Infinity or blanks).
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Whether s is a plain decimal number ('1', '-2.5', '3e-4'), the form CSV cells and CLI values take. */
export function isDecimal(s: string): boolean {
  return DECIMAL.test(s);
}

/** Whether k is a parameter index as a state-dict key: '0' or a decimal without leading zeros, below 2^53 (not '', '00', ' 1', '0x1' or '1e0'). */
export function isIndexKey(k: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(k) && Number.isSafeInteger(Number(k));
}

export function checkFloat32Array(v: unknown, name: string): Float32Array {
  if (!(v instanceof Float32Array)) throw new TypeError(`${name} must be a Float32Array, got ${describe(v)}`);
  return v;
}

export function checkNumber(v: unknown, name: string): number {
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be a number, got ${describe(v)}`);
  return v;
}

/** A finite number >= min (and <= max when given). */
export function checkRange(v: unknown, name: string, min: number, max = Infinity, what?: string): number {
  const form = what ?? (max === Infinity ? `a finite number >= ${min}` : `a number in [${min}, ${max}]`);
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be ${form}, got ${describe(v)}`);
  if (!Number.isFinite(v) || v < min || v > max) throw new RangeError(`${name} must be ${form}, got ${describe(v)}`);
  return v;
}

export function checkNonNegative(v: unknown, name: string): number {
  return checkRange(v, name, 0, Infinity, 'a finite number >= 0');
}

export function checkInteger(v: unknown, name: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const form = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min} and < 2^53` : `an integer in [${min}, ${max}]`;
  if (typeof v !== 'number' || Number.isNaN(v)) throw new TypeError(`${name} must be ${form}, got ${describe(v)}`);
  if (!Number.isInteger(v) || v < min || v > max) throw new RangeError(`${name} must be ${form}, got ${describe(v)}`);
  return v;
}

export function checkBoolean(v: unknown, name: string): boolean {
  if (typeof v !== 'boolean') throw new TypeError(`${name} must be a boolean, got ${describe(v)}`);
  return v;
}

export function checkOneOf<T extends string>(v: unknown, name: string, allowed: readonly T[]): T {
  if (typeof v !== 'string') throw new TypeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  if (!allowed.includes(v as T)) throw new RangeError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${describe(v)}`);
  return v as T;
}

export function checkObject(v: unknown, name: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new TypeError(`${name} must be an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** Rejects option keys the callee does not know (a typo would otherwise be ignored silently). */
export function checkKnownKeys(opts: Record<string, unknown>, name: string, known: readonly string[]): void {
  for (const k of Object.keys(opts)) {
    if (!known.includes(k)) throw new RangeError(`${name}: unknown option '${k}' (${known.length ? `known: ${known.join(', ')}` : 'it takes no options'})`);
  }
}

function shapeText(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A tensor shape equal to `expected` (e.g. a gradient matching its output). */
export function checkShapeEquals(shape: readonly number[], expected: readonly number[], name: string): void {
  if (shape.length !== expected.length || shape.some((d, i) => d !== expected[i])) {
    throw new RangeError(`${name} must have shape ${shapeText(expected)}, got ${shapeText(shape)}`);
  }
}

/** A tensor of rank >= 1 whose last dimension is `last` (the feature dimension). */
export function checkLastDim(shape: readonly number[], last: number, name: string, what: string): void {
  if (shape.length < 1 || shape[shape.length - 1] !== last) {
    throw new RangeError(`${name} must have shape [..., ${last}] (last dimension = ${what}), got ${shapeText(shape)}`);
  }
}

/**
 * A path to read or write a file at. Node's EISDIR/ENOENT messages name
 * neither the argument nor (for directories) the path, so the two mistakes a
 * user makes, a directory instead of a file and a missing parent directory
 * (when the caller will not create it), are checked here; a missing file is left to fs (ENOENT + path).
 */
export function checkFilePath(v: unknown, name: string, parentMustExist = false): string {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${name} must be a non-empty file path, got ${describe(v)}`);
  if (fs.statSync(v, { throwIfNoEntry: false })?.isDirectory()) throw new RangeError(`${name} must be a file, got the directory ${v}`);
  if (parentMustExist) {
    const dir = path.dirname(path.resolve(v));
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (!st) throw new RangeError(`${name}: the directory ${dir} does not exist`);
    if (!st.isDirectory()) throw new RangeError(`${name}: ${dir} is a file, not a directory`);
  }
  return v;
}

/** A directory path that may not exist yet (it is created), but must not be a file. */
export function checkDirPath(v: unknown, name: string): string {
  if (typeof v !== 'string' || v === '') throw new TypeError(`${name} must be a directory path, got ${describe(v)}`);
  const st = fs.statSync(v, { throwIfNoEntry: false });
  if (st && !st.isDirectory()) throw new RangeError(`${name} must be a directory, got the file ${v}`);
  return v;
}
