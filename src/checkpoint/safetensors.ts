// The safetensors container: an 8-byte little-endian header length, a JSON
// header ({name: {dtype, shape, data_offsets}} plus "__metadata__" of string
// values), then the tensors' raw little-endian bytes, back to back.
//
// parse() checks everything before returning anything: header length against
// the file size, the JSON, dtypes, shapes against byte ranges, and that the
// ranges tile the data area exactly (no overlap, no gap, nothing left over).
import * as os from 'os';

export type DType = 'F32' | 'F64' | 'I64';
const DTYPE_BYTES: Record<DType, number> = { F32: 4, F64: 8, I64: 8 };

export interface RawTensor {
  dtype: DType;
  shape: number[];
  /** The values as float32 (F64 rounded, I64 converted; I64 beyond 2^53 is rejected). */
  data: Float32Array;
}

export interface TensorToWrite {
  dtype: 'F32' | 'I64';
  shape: number[];
  data: Float32Array;
}

/** Headers beyond this are refused (as the safetensors library does): a corrupt length must not allocate gigabytes. */
const MAX_HEADER = 100 * 1024 * 1024;
const LITTLE_ENDIAN = os.endianness() === 'LE';

export class CheckpointFormatError extends Error {
  constructor(path: string, what: string) {
    super(`${path}: not a valid checkpoint: ${what}`);
    this.name = 'CheckpointFormatError';
  }
}

function tensorBytes(t: TensorToWrite): Uint8Array {
  if (t.dtype === 'I64') {
    const out = new BigInt64Array(t.data.length);
    t.data.forEach((v, i) => (out[i] = BigInt(v)));
    return bytesLE(new Uint8Array(out.buffer), 8);
  }
  return bytesLE(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), 4);
}

// The host's bytes in little-endian order (a copy-free view on LE hosts).
function bytesLE(b: Uint8Array, width: number): Uint8Array {
  if (LITTLE_ENDIAN) return b;
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i += width) for (let j = 0; j < width; j++) out[i + j] = b[i + width - 1 - j];
  return out;
}

/**
 * The pieces of a safetensors file: the 8-byte length and padded header, then
 * each tensor's bytes, in the order given. Written one after another.
 */
export function encode(tensors: [string, TensorToWrite][], metadata: Record<string, string>): Uint8Array[] {
  const header: Record<string, unknown> = { __metadata__: metadata };
  const bodies: Uint8Array[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const bytes = tensorBytes(t);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes.length] };
    offset += bytes.length;
    bodies.push(bytes);
  }
  let json = JSON.stringify(header);
  // Pad with spaces so the data starts 8-byte aligned, as the safetensors writer does.
  const raw = Buffer.from(json, 'utf8');
  json += ' '.repeat((8 - (raw.length % 8)) % 8);
  const head = Buffer.from(json, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(head.length));
  return [len, head, ...bodies];
}

function isIntArray(v: unknown, len?: number): v is number[] {
  return Array.isArray(v) && (len === undefined || v.length === len) && v.every((x) => Number.isSafeInteger(x) && x >= 0);
}

function decodeTensor(file: Buffer, start: number, dtype: DType, n: number): Float32Array {
  const out = new Float32Array(n);
  if (dtype === 'F32' && LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(file.subarray(start, start + 4 * n));
    return out;
  }
  for (let i = 0; i < n; i++) {
    if (dtype === 'F32') out[i] = file.readFloatLE(start + 4 * i);
    else if (dtype === 'F64') out[i] = file.readDoubleLE(start + 8 * i);
    else {
      const v = file.readBigInt64LE(start + 8 * i);
      if (v > 9007199254740991n || v < -9007199254740991n) throw new RangeError(`integer ${v} does not fit a float`);
      out[i] = Number(v);
    }
  }
  return out;
}

export interface Parsed {
  metadata: Record<string, string>;
  tensors: Map<string, RawTensor>;
}

/** Parses and checks a whole safetensors file. Every problem is a CheckpointFormatError naming it. @internal */
export function parse(file: Buffer, path: string, allowed: readonly DType[] = ['F32', 'F64', 'I64']): Parsed {
  const bad = (what: string) => new CheckpointFormatError(path, what);
  if (file.length < 8) throw bad(`the file has ${file.length} bytes, fewer than the 8-byte header length`);
  const headerLen = file.readBigUInt64LE(0);
  if (headerLen > BigInt(file.length - 8)) throw bad(`the header length ${headerLen} runs past the end of the file (${file.length} bytes)`);
  if (headerLen > BigInt(MAX_HEADER)) throw bad(`the header length ${headerLen} exceeds ${MAX_HEADER} bytes`);
  const dataStart = 8 + Number(headerLen);
  let header: unknown;
  try {
    header = JSON.parse(file.toString('utf8', 8, dataStart));
  } catch (e) {
    throw bad(`the header is not valid JSON (${(e as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) throw bad('the header is not a JSON object');
  const h = header as Record<string, unknown>;
  const metadata = checkMetadata(h.__metadata__, bad);
  const dataLen = file.length - dataStart;
  const entries: { name: string; dtype: DType; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, v] of Object.entries(h)) {
    if (name === '__metadata__') continue;
    const e = v as Record<string, unknown>;
    if (e === null || typeof e !== 'object') throw bad(`tensor '${name}' is not an object`);
    if (!allowed.includes(e.dtype as DType)) throw bad(`tensor '${name}' has dtype ${JSON.stringify(e.dtype)}; expected one of ${allowed.join(', ')}`);
    if (!isIntArray(e.shape)) throw bad(`tensor '${name}' has shape ${JSON.stringify(e.shape)}; expected an array of non-negative integers`);
    if (!isIntArray(e.data_offsets, 2) || e.data_offsets[0] > e.data_offsets[1]) throw bad(`tensor '${name}' has data_offsets ${JSON.stringify(e.data_offsets)}; expected [begin, end] with begin <= end`);
    const dtype = e.dtype as DType;
    const [begin, end] = e.data_offsets;
    const count = e.shape.reduce((a, b) => a * b, 1);
    if ((end - begin) !== count * DTYPE_BYTES[dtype]) throw bad(`tensor '${name}': shape [${e.shape.join(', ')}] of ${dtype} needs ${count * DTYPE_BYTES[dtype]} bytes but data_offsets span ${end - begin}`);
    if (end > dataLen) throw bad(`tensor '${name}' ends at byte ${end}, past the data (${dataLen} bytes)`);
    entries.push({ name, dtype, shape: e.shape, begin, end });
  }
  checkTiling(entries, dataLen, bad);
  const tensors = new Map<string, RawTensor>();
  for (const e of entries) {
    try {
      tensors.set(e.name, { dtype: e.dtype, shape: e.shape, data: decodeTensor(file, dataStart + e.begin, e.dtype, (e.end - e.begin) / DTYPE_BYTES[e.dtype]) });
    } catch (err) {
      throw bad(`tensor '${e.name}': ${(err as Error).message}`);
    }
  }
  return { metadata, tensors };
}

function checkMetadata(v: unknown, bad: (what: string) => Error): Record<string, string> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw bad('__metadata__ is not an object');
  for (const [k, x] of Object.entries(v)) if (typeof x !== 'string') throw bad(`__metadata__.${k} is not a string`);
  return v as Record<string, string>;
}

// The byte ranges, sorted, must cover [0, dataLen) exactly once.
function checkTiling(entries: { name: string; begin: number; end: number }[], dataLen: number, bad: (what: string) => Error): void {
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  let prev = '';
  for (const e of sorted) {
    if (e.begin < at) throw bad(`tensor '${e.name}' overlaps '${prev}' (bytes ${e.begin}..${at})`);
    if (e.begin > at) throw bad(`there is a gap of ${e.begin - at} bytes before tensor '${e.name}'`);
    at = e.end;
    prev = e.name;
  }
  if (at !== dataLen) throw bad(`${dataLen - at} bytes after the last tensor belong to no tensor`);
}
