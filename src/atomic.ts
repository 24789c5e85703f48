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

/** Symbolic links followed before giving up (Linux's limit). */
const MAX_LINKS = 40;

/** The directory with every link in its path resolved (as it is, when it does not exist: the write then fails with ENOENT). */
function realDir(dir: string): string {
  try {
    return fs.realpathSync(dir);
  } catch {
    return dir;
  }
}

/**
 * The file a write to `file` should replace: `file` itself, or where its
 * chain of symbolic links ends (which need not exist yet), so that replacing
 * it keeps the link and changes what the link points at.
 */
function resolveLinks(file: string): string {
  let p = path.resolve(file);
  for (let i = 0; ; i++) {
    const st = fs.lstatSync(p, { throwIfNoEntry: false });
    if (!st?.isSymbolicLink()) return p;
    if (i === MAX_LINKS) throw Object.assign(new Error(`ELOOP: too many symbolic links encountered, open '${file}'`), { code: 'ELOOP', path: file });
    // A relative target is relative to the link's real directory, which may itself be reached through links.
    p = path.resolve(realDir(path.dirname(p)), fs.readlinkSync(p));
  }
}

/** Gives the temporary file the replaced file's permission bits, where the file system lets us (it stays 0600 otherwise). */
function keepMode(fd: number, mode: number): void {
  try {
    fs.fchmodSync(fd, mode & 0o777);
  } catch {
    // A file system without Unix modes (FAT, some network mounts): the rename still replaces the file.
  }
}

/**
 * Replaces `file` with `pieces` (written in order) so that nothing at `file`
 * changes unless all of it reached the disk. A symbolic link stays a link:
 * the file it points at is the one replaced (the temporary file is made in
 * that file's directory). A replaced file keeps its permission bits; a new
 * one gets 0644 less the umask.
 */
export function writeFileAtomic(file: string, pieces: readonly (Uint8Array | string)[]): void {
  const target = resolveLinks(file);
  const dir = path.dirname(target);
  const existing = fs.statSync(target, { throwIfNoEntry: false });
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${++writes}.tmp`);
  // Private until it holds the new contents and the old file's mode.
  const fd = fs.openSync(tmp, 'wx', existing ? 0o600 : 0o644);
  try {
    try {
      if (existing) keepMode(fd, existing.mode);
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
