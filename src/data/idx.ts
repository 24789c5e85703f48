// IDX files (the MNIST / Fashion-MNIST format), gzipped or not.
// Layout: bytes 0-1 are zero, byte 2 the element type, byte 3 the number of
// dimensions; then one big-endian uint32 size per dimension; then the
// elements, big-endian, row-major. The file must hold exactly that many bytes.
import * as fs from 'fs';
import * as zlib from 'zlib';
import { checkFilePath, checkInteger, checkObject, describe } from '../errors';

export type IdxData = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  /** 'uint8', 'int8', 'int16', 'int32', 'float32' or 'float64'. */
  dtype: string;
  shape: number[];
  data: IdxData;
}

const TYPES: Record<number, { dtype: string; bytes: number; make: (n: number) => IdxData; read: (v: DataView, o: number) => number }> = {
  0x08: { dtype: 'uint8', bytes: 1, make: (n) => new Uint8Array(n), read: (v, o) => v.getUint8(o) },
  0x09: { dtype: 'int8', bytes: 1, make: (n) => new Int8Array(n), read: (v, o) => v.getInt8(o) },
  0x0b: { dtype: 'int16', bytes: 2, make: (n) => new Int16Array(n), read: (v, o) => v.getInt16(o) },
  0x0c: { dtype: 'int32', bytes: 4, make: (n) => new Int32Array(n), read: (v, o) => v.getInt32(o) },
  0x0d: { dtype: 'float32', bytes: 4, make: (n) => new Float32Array(n), read: (v, o) => v.getFloat32(o) },
  0x0e: { dtype: 'float64', bytes: 8, make: (n) => new Float64Array(n), read: (v, o) => v.getFloat64(o) },
};

/** Reads a file, gunzipping it when it starts with the gzip magic bytes. @internal */
export function readMaybeGzip(path: string): Buffer {
  checkFilePath(path, 'path');
  const raw = fs.readFileSync(path);
  if (raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      return zlib.gunzipSync(raw);
    } catch (e) {
      throw new Error(`${path}: not a valid gzip file (${(e as Error).message}); the download may be truncated`);
    }
  }
  return raw;
}

/** Parses IDX bytes (already gunzipped). `name` labels the errors. */
export function parseIdx(buf: Uint8Array, name = 'IDX data'): IdxArray {
  if (!(buf instanceof Uint8Array)) throw new TypeError(`buf must be a Uint8Array (or Buffer), got ${describe(buf)}`);
  if (buf.length < 4) throw new Error(`${name}: truncated IDX file: ${buf.length} bytes, the header alone needs 4`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const type = TYPES[buf[2]];
  if (buf[0] !== 0 || buf[1] !== 0 || !type || buf[3] === 0) {
    const magic = view.getUint32(0).toString(16).padStart(8, '0');
    throw new Error(
      `${name}: bad IDX magic number 0x${magic}; expected 0x0000TTDD with type TT in 08 (uint8), 09, 0B, 0C, 0D, 0E and DD >= 1 dimensions (e.g. 0x00000803 for images)`,
    );
  }
  const ndim = buf[3];
  const headerBytes = 4 + 4 * ndim;
  if (buf.length < headerBytes) throw new Error(`${name}: truncated IDX file: ${buf.length} bytes, the header of ${ndim} dimensions needs ${headerBytes}`);
  const shape: number[] = [];
  let count = 1;
  for (let k = 0; k < ndim; k++) {
    shape.push(view.getUint32(4 + 4 * k));
    count *= shape[k];
  }
  const expected = headerBytes + count * type.bytes;
  if (buf.length < expected) {
    throw new Error(`${name}: truncated IDX file: shape [${shape.join(', ')}] of ${type.dtype} needs ${expected} bytes, the file has ${buf.length}`);
  }
  if (buf.length > expected) {
    throw new Error(`${name}: IDX file has ${buf.length - expected} trailing bytes after shape [${shape.join(', ')}] of ${type.dtype}; the sizes in the header are wrong`);
  }
  let data: IdxData;
  if (type.bytes === 1) {
    data = type.make(count);
    (data as Uint8Array).set(buf.subarray(headerBytes, expected));
  } else {
    data = type.make(count);
    for (let i = 0, o = headerBytes; i < count; i++, o += type.bytes) data[i] = type.read(view, o);
  }
  return { dtype: type.dtype, shape, data };
}

/** Reads an IDX file (gzipped or not) and validates its header and size. */
export function loadIdx(path: string): IdxArray {
  return parseIdx(readMaybeGzip(path), path);
}

/** Serialises an array as IDX bytes (big-endian), e.g. to write test files. */
export function encodeIdx(arr: IdxArray): Uint8Array {
  checkObject(arr, 'arr');
  if (!Array.isArray(arr.shape)) throw new TypeError(`arr.shape must be an array of dimensions, got ${describe(arr.shape)}`);
  if (!ArrayBuffer.isView(arr.data)) throw new TypeError(`arr.data must be a typed array, got ${describe(arr.data)}`);
  const code = Number(Object.keys(TYPES).find((k) => TYPES[Number(k)].dtype === arr.dtype));
  if (!code) throw new RangeError(`dtype must be one of ${Object.values(TYPES).map((t) => t.dtype).join(', ')}, got ${describe(arr.dtype)}`);
  const t = TYPES[code];
  if (arr.shape.length < 1 || arr.shape.length > 255) throw new RangeError(`arr.shape must have 1 to 255 dimensions, got ${arr.shape.length}`);
  arr.shape.forEach((d, k) => checkInteger(d, `arr.shape[${k}]`, 0, 0xffffffff));
  const size = arr.shape.reduce((a, d) => a * d, 1);
  if (size !== arr.data.length) throw new RangeError(`arr.shape [${arr.shape.join(', ')}] holds ${size} elements but arr.data has ${arr.data.length}`);
  const header = 4 + 4 * arr.shape.length;
  const buf = Buffer.alloc(header + arr.data.length * t.bytes);
  buf[2] = code;
  buf[3] = arr.shape.length;
  arr.shape.forEach((d, k) => buf.writeUInt32BE(d, 4 + 4 * k));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const setters: Record<string, (o: number, v: number) => void> = {
    uint8: (o, v) => view.setUint8(o, v),
    int8: (o, v) => view.setInt8(o, v),
    int16: (o, v) => view.setInt16(o, v),
    int32: (o, v) => view.setInt32(o, v),
    float32: (o, v) => view.setFloat32(o, v),
    float64: (o, v) => view.setFloat64(o, v),
  };
  for (let i = 0; i < arr.data.length; i++) setters[arr.dtype](header + i * t.bytes, arr.data[i]);
  return buf;
}
