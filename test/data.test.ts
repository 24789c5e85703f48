// data.*: IDX and CSV parsing (incl. broken files), splits, standardization, batching.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as zlib from 'zlib';
import { data } from '../src';

const { Dataset, DataLoader, Standardizer } = data;
const DIGITS = path.resolve(__dirname, '../data/digits.csv.gz');
let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-data-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Buffer | string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, bytes);
  return p;
};

function toyDataset(n: number, d: number, classes: number): InstanceType<typeof Dataset> {
  const x = Float32Array.from({ length: n * d }, (_, i) => (i * 7919) % 101);
  const y = Int32Array.from({ length: n }, (_, i) => i % classes);
  return new Dataset(x, y, d);
}

describe('loadIdx', () => {
  const images = { dtype: 'uint8', shape: [3, 2, 2], data: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 250, 255]) };

  it('reads plain and gzipped files with their shape, big-endian', () => {
    const raw = data.encodeIdx(images);
    expect([...raw.subarray(0, 8)]).toEqual([0, 0, 8, 3, 0, 0, 0, 3]);
    for (const p of [file('a-idx3-ubyte', raw), file('a-idx3-ubyte.gz', zlib.gzipSync(raw))]) {
      const r = data.loadIdx(p);
      expect(r.dtype).toBe('uint8');
      expect(r.shape).toEqual([3, 2, 2]);
      expect([...r.data]).toEqual([...images.data]);
    }
    const ints = { dtype: 'int32', shape: [3], data: Int32Array.from([1, -2, 0x01020304]) };
    const r = data.loadIdx(file('i.idx', data.encodeIdx(ints)));
    expect([...r.data]).toEqual([1, -2, 0x01020304]);
    const f = { dtype: 'float32', shape: [2], data: Float32Array.from([1.5, -0.25]) };
    expect([...data.loadIdx(file('f.idx', data.encodeIdx(f))).data]).toEqual([1.5, -0.25]);
  });

  it('rejects truncated files, bad magic, trailing bytes and broken gzip with clear errors', () => {
    const raw = data.encodeIdx(images);
    expect(() => data.loadIdx(file('t1', raw.subarray(0, raw.length - 1)))).toThrow(/truncated IDX file: shape \[3, 2, 2\] of uint8 needs 28 bytes, the file has 27/);
    expect(() => data.loadIdx(file('t2', raw.subarray(0, 6)))).toThrow(/truncated IDX file: 6 bytes, the header of 3 dimensions needs 16/);
    expect(() => data.loadIdx(file('t3', raw.subarray(0, 2)))).toThrow(/truncated IDX file: 2 bytes/);
    expect(() => data.loadIdx(file('t4.gz', zlib.gzipSync(raw.subarray(0, 20))))).toThrow(/truncated IDX file/);
    const bad = Buffer.from(raw);
    bad[0] = 0x50;
    expect(() => data.loadIdx(file('m1', bad))).toThrow(/bad IDX magic number 0x50000803/);
    const badType = Buffer.from(raw);
    badType[2] = 0x07;
    expect(() => data.loadIdx(file('m2', badType))).toThrow(/bad IDX magic number 0x00000703/);
    expect(() => data.loadIdx(file('m3', Buffer.concat([raw, Buffer.from([1, 2])])))).toThrow(/2 trailing bytes/);
    const gz = zlib.gzipSync(raw);
    expect(() => data.loadIdx(file('g.gz', gz.subarray(0, gz.length - 10)))).toThrow(/not a valid gzip file/);
    expect(() => data.loadIdx(path.join(dir, 'absent'))).toThrow(/ENOENT/);
  });

  it('pairs images and labels into a Dataset, and names the install command when files are missing', () => {
    const d = path.join(dir, 'mnist');
    fs.mkdirSync(d);
    const labels = { dtype: 'uint8', shape: [3], data: Uint8Array.from([1, 0, 9]) };
    for (const split of ['train', 't10k']) {
      fs.writeFileSync(path.join(d, `${split}-images-idx3-ubyte.gz`), zlib.gzipSync(data.encodeIdx(images)));
      fs.writeFileSync(path.join(d, `${split}-labels-idx1-ubyte`), data.encodeIdx(labels));
    }
    const { train, test } = data.loadMnistDir(d);
    expect(train.shape).toEqual([3, 4]);
    expect(train.sampleShape).toEqual([2, 2]);
    expect([...test.labels]).toEqual([1, 0, 9]);
    expect(train.features[11]).toBe(255);
    expect(() => data.loadMnistDir(dir)).toThrow(/apt-get install dataset-fashion-mnist.*\/usr\/share\/datasets\/fashion-mnist/);
  });
});

describe('loadCsv', () => {
  it('loads the shipped digits: 1797 samples, 64 features, label last', () => {
    const ds = data.loadCsv(DIGITS);
    expect(ds.shape).toEqual([1797, 64]);
    expect(ds.numClasses).toBe(10);
    expect(ds.labels[0]).toBe(0);
    expect([...ds.features.subarray(0, 4)]).toEqual([0, 0, 5, 13]);
    expect(ds.classCounts().every((c) => c > 170 && c < 190)).toBe(true);
  });

  it('takes a header, a named or indexed label column, and rejects bad rows', () => {
    const p = file('h.csv', 'label,a,b\n1,0.5,2\n0,-1,3\n');
    const ds = data.loadCsv(p, { labelColumn: 'label' });
    expect([...ds.labels]).toEqual([1, 0]);
    expect([...ds.features]).toEqual([0.5, 2, -1, 3]);
    expect([...data.loadCsv(p, { labelColumn: 0 }).labels]).toEqual([1, 0]);
    expect(() => data.loadCsv(p, { labelColumn: 'y' })).toThrow(/labelColumn 'y' is not a column/);
    expect(() => data.loadCsv(p, { labelColumn: 5 })).toThrow(RangeError);
    expect(() => data.loadCsv(file('r.csv', '1,2,0\n1,2\n'))).toThrow(/r\.csv:2: expected 3 columns, got 2/);
    expect(() => data.loadCsv(file('n.csv', '1,2,0\n1,x,0\n'))).toThrow(/n\.csv:2: column 2 is not a finite number/);
    expect(() => data.loadCsv(file('l.csv', '1,2,0.5\n'))).toThrow(/l\.csv:1: the label must be a class index, an integer in \[0, 65536\), got "0\.5"/);
    expect(() => data.loadCsv(file('big.csv', '1,2,70000\n'))).toThrow(/big\.csv:1: the label must be a class index/);
    expect(() => data.loadCsv(file('e.csv', '\n'))).toThrow(/empty/);
    expect(() => data.loadCsv(file('h.csv', 'a,b,label\n'))).toThrow(/h\.csv: no data rows after the header line \(a,b,label\)$/);
    // A first row with any number is data: its bad cell is reported, not taken as a header.
    expect(() => data.loadCsv(file('h1.csv', '1,NaN,0\n2,3,1\n'))).toThrow(/h1\.csv:1: column 2 is not a finite number \(float32\): "NaN"/);
    expect(() => data.loadCsv(file('hex.csv', '0x10,1,0\n'))).toThrow(/hex\.csv:1: column 1 is not a finite number/);
    expect(() => data.loadCsv(file('f32.csv', '1e39,1,0\n'))).toThrow(/f32\.csv:1: column 1 is not a finite number \(float32\): "1e39"/);
    expect(data.loadCsv(file('cr.csv', '1,2,0\r3,4,1\r5,6,0\r')).shape).toEqual([3, 2]);
    // pandas' default header for unnamed columns: numbers and one name.
    const pd = data.loadCsv(file('pd.csv', '0,1,label\n1,2,0\n3,4,1\n'), { labelColumn: 'label' });
    expect([pd.n, pd.d, ...pd.labels]).toEqual([2, 2, 0, 1]);
    expect(() => data.loadCsv(file('inf.csv', '1,inf,0\n2,3,1\n'))).toThrow(/inf\.csv:1: column 2 is not a finite number/);
    expect(() => data.loadCsv(p, { labelCol: 0 } as never)).toThrow(/unknown option 'labelCol'/);
  });
});

describe('split', () => {
  const ds = toyDataset(1000, 3, 4);

  it('defaults to 60/20/20, covers every sample once, and is deterministic', () => {
    const s = data.split(ds, { seed: 3 });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([600, 200, 200]);
    const firsts = (p: InstanceType<typeof Dataset>) => Array.from({ length: p.n }, (_, i) => p.features[i * 3]);
    const again = data.split(ds, { seed: 3 });
    expect(firsts(again.val)).toEqual(firsts(s.val));
    expect(firsts(data.split(ds, { seed: 4 }).val)).not.toEqual(firsts(s.val));
    const keys = (p: InstanceType<typeof Dataset>) => Array.from({ length: p.n }, (_, i) => `${p.features[i * 3]},${p.features[i * 3 + 1]},${p.features[i * 3 + 2]}`);
    const all = new Set([...keys(s.train), ...keys(s.val), ...keys(s.test)]);
    expect(all.size).toBe(new Set(keys(ds)).size);
  });

  it('stratify keeps class proportions in each part', () => {
    const skewed = new Dataset(new Float32Array(500), Int32Array.from({ length: 500 }, (_, i) => (i < 400 ? 0 : 1)), 1);
    const s = data.split(skewed, { stratify: true, seed: 1 });
    expect(s.train.classCounts()).toEqual([240, 60]);
    expect(s.val.classCounts()).toEqual([80, 20]);
    expect(s.test.classCounts()).toEqual([80, 20]);
  });

  it('stratify on small classes keeps the parts at the sizes of a plain split', () => {
    // 2 samples in each of 10 classes: rounding each class alone would give 20/0/0 or 10/0/10.
    const tiny = new Dataset(new Float32Array(20), Int32Array.from({ length: 20 }, (_, i) => i % 10), 1);
    const s = data.split(tiny, { stratify: true });
    expect([s.train.n, s.val.n, s.test.n]).toEqual([12, 4, 4]);
    for (const c of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
      expect(s.train.classCounts()[c] + (s.val.classCounts()[c] ?? 0) + (s.test.classCounts()[c] ?? 0)).toBe(2);
      expect(s.train.classCounts()[c]).toBeGreaterThanOrEqual(1);
    }
    const tv = data.splitTrainVal(tiny, { val: 0.1, stratify: true });
    expect([tv.train.n, tv.val.n]).toEqual([18, 2]);
  });

  it('carves val out of train for datasets with their own test set', () => {
    const { train, val } = data.splitTrainVal(ds, { val: 0.1, stratify: true });
    expect([train.n, val.n]).toEqual([900, 100]);
    expect(val.classCounts()).toEqual([25, 25, 25, 25]);
  });

  it('validates fractions', () => {
    expect(() => data.split(ds, { train: 0.5 })).toThrow(/train \+ val \+ test must be 1/);
    expect(() => data.split(ds, { train: -0.2, val: 0.6, test: 0.6 })).toThrow(/train must be/);
    expect(() => data.split(ds, { seed: 1.5 })).toThrow(/seed must be an integer/);
    expect(() => data.split({} as never)).toThrow(TypeError);
  });
});

describe('Standardizer', () => {
  it('fits on train only, maps train to mean 0 / std 1, constant features to 0, and round-trips through JSON', () => {
    const ds = data.loadCsv(DIGITS);
    const { train, test } = data.split(ds, { stratify: true, seed: 0 });
    const z = new Standardizer().fit(train);
    const t = z.transform(train);
    for (const j of [10, 20, 36]) {
      let s = 0;
      let s2 = 0;
      for (let i = 0; i < t.n; i++) {
        s += t.features[i * 64 + j];
        s2 += t.features[i * 64 + j] ** 2;
      }
      expect(Math.abs(s / t.n)).toBeLessThan(1e-5);
      expect(Math.abs(s2 / t.n - 1)).toBeLessThan(1e-4);
    }
    expect(z.std[0]).toBe(1); // pixel 0 is always 0 in digits
    expect(t.features[0]).toBe(0);
    const z2 = Standardizer.fromJSON(JSON.stringify(z.toJSON()));
    expect(Buffer.from(z2.transform(test).features.buffer).equals(Buffer.from(z.transform(test).features.buffer))).toBe(true);
    expect(() => new Standardizer().transform(test)).toThrow(/call fit\(\)/);
    expect(() => z.transform(new Dataset(new Float32Array(3), new Int32Array(1), 3))).toThrow(/fitted on 64 features, got 3/);
  });
});

describe('DataLoader', () => {
  const ds = toyDataset(10, 2, 3);
  const ids = (b: { x: { data: Float32Array } }) => Array.from({ length: b.x.data.length / 2 }, (_, i) => b.x.data[i * 2]);

  it('batches in order by default, with a short last batch unless dropLast', () => {
    const dl = new DataLoader(ds, { batchSize: 4 });
    const batches = [...dl];
    expect(dl.length).toBe(3);
    expect(batches.map((b) => b.x.shape)).toEqual([[4, 2], [4, 2], [2, 2]]);
    expect([...batches[2].y]).toEqual([2, 0]);
    expect(ids(batches[0])).toEqual([0, 1, 2, 3].map((i) => ds.features[i * 2]));
    const dropped = new DataLoader(ds, { batchSize: 4, dropLast: true });
    expect([...dropped].length).toBe(2);
    expect(dropped.length).toBe(2);
    expect([...new DataLoader(new Dataset(new Float32Array(0), new Int32Array(0), 2), { batchSize: 4 })].length).toBe(0);
  });

  it('shuffles deterministically from the seed, differently each epoch, and resumes with setEpoch', () => {
    const order = (dl: InstanceType<typeof DataLoader>) => [...dl].flatMap(ids);
    const a = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    const e0 = order(a);
    const e1 = order(a);
    expect([...e0].sort((p, q) => p - q)).toEqual(Array.from({ length: 10 }, (_, i) => ds.features[i * 2]).sort((p, q) => p - q));
    expect(e1).not.toEqual(e0);
    const b = new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 7 });
    expect(order(b)).toEqual(e0);
    b.setEpoch(1);
    expect(order(b)).toEqual(e1);
    expect(order(new DataLoader(ds, { batchSize: 3, shuffle: true, seed: 8 }))).not.toEqual(e0);
  });

  it('validates its options', () => {
    expect(() => new DataLoader(ds, { batchSize: 0 })).toThrow(/batchSize must be an integer >= 1/);
    expect(() => new DataLoader(ds, { shuffle: 1 } as never)).toThrow(/shuffle must be a boolean/);
    expect(() => new DataLoader(ds, { batch: 2 } as never)).toThrow(/unknown option 'batch'/);
    expect(() => new DataLoader([] as never)).toThrow(TypeError);
  });
});
