// Atomic file replacement: a temporary file in the same directory, fsync,
// rename over the target, fsync of the directory. An interrupted write leaves
// the previous file whole (checkpoints, the metrics log rewritten on resume,
// the report).
import * as fs from 'fs';
import * as path from 'path';

function fsyncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot open or fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

let writes = 0;

/** Replaces `file` with `pieces` (written in order) so that nothing at `file` changes unless all of it reached the disk. */
export function writeFileAtomic(file: string, pieces: readonly (Uint8Array | string)[]): void {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${++writes}.tmp`);
  const fd = fs.openSync(tmp, 'wx', 0o644);
  try {
    try {
      for (const piece of pieces) {
        const p = typeof piece === 'string' ? Buffer.from(piece) : piece;
        for (let off = 0; off < p.length; ) off += fs.writeSync(fd, p, off, p.length - off);
      }
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // already gone
    }
    throw e;
  }
  fsyncDir(dir);
}

/**
 * Creates `dir` and any missing parents, one level at a time. (Node's
 * recursive mkdir can spin forever under a pseudo file system such as /proc,
 * where mkdir fails with ENOENT on a parent that exists.)
 */
export function makeDirs(dir: string): void {
  const target = path.resolve(dir);
  const missing: string[] = [];
  for (let d = target; !fs.existsSync(d); d = path.dirname(d)) {
    missing.unshift(d);
    if (path.dirname(d) === d) break;
  }
  for (const d of missing) {
    try {
      fs.mkdirSync(d);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}
