// The one place the library allocates Float32Arrays for its own buffers
// (gradients, optimizer state, module outputs), laid out for the kernels:
//
// - 64-byte aligned, so no 512-bit load or store spans two cache lines (Node's
//   large buffers start 16 bytes past a 64-byte boundary);
// - large arrays staggered within the 4 KiB page: each new one starts at the
//   next of 8 offsets (multiples of 512 bytes, consecutive ones 1 KiB apart,
//   which measured better than 512 bytes apart). Large buffers are separate mappings
//   that would all start at the same page offset, and a kernel streaming
//   several of them in lockstep (an optimizer step: param, grad, two moments)
//   then stalls on loads that look as if they depend on the other arrays'
//   stores (4K aliasing). Measured: the touch4 ceiling at 16M elements goes
//   from about 28 to about 40 GB/s on Zen 4.
//
// Layout never changes results: kernels index elements, never addresses.
import { loadNative } from './backend/native';

const STAGGER_MIN_BYTES = 64 * 1024;
let nextSlot = 0;

/** 0, 1024, 2048, 3072, 512, 1536, 2560, 3584, then again. */
function staggerOffset(): number {
  const k = nextSlot++ % 8;
  return (k % 4) * 1024 + (k >> 2) * 512;
}

type AddressMod = (x: Float32Array) => number;
let addressMod: AddressMod | null | undefined;

/** The addon's address query, or null where the addon cannot load (reference only: layout is moot). */
function addressModFn(): AddressMod | null {
  if (addressMod === undefined) {
    try {
      const a = loadNative();
      addressMod = (x) => a.addressMod(x);
    } catch {
      addressMod = null;
    }
  }
  return addressMod;
}

/** n elements inside a larger allocation, placed as described above. */
function place(n: number, allocate: (elements: number) => Float32Array): Float32Array {
  if (n === 0) return new Float32Array(0);
  const mod = addressModFn();
  if (!mod) return allocate(n);
  const stagger = n * 4 >= STAGGER_MIN_BYTES;
  const raw = allocate(n + (stagger ? 4096 + 64 : 64) / 4);
  const base = mod(raw);
  const target = stagger ? staggerOffset() : Math.ceil(base / 64) * 64;
  const shift = (((target - base) % 4096) + 4096) % 4096;
  return new Float32Array(raw.buffer, raw.byteOffset + shift, n);
}

/** A zero-filled Float32Array of n elements, placed as described above. */
export function alignedFloat32(n: number): Float32Array {
  return place(n, (m) => new Float32Array(m));
}

/** Below this many bytes, zero-filling costs nothing worth saving. */
const UNINITIALIZED_MIN_BYTES = 64 * 1024;

/**
 * A Float32Array of n elements with unspecified contents, aligned as
 * described above: a large one is allocated without zero-filling (its own
 * buffer, never Node's shared Buffer pool), which saves a full write pass over
 * large outputs; the rest of its buffer, outside the view, is zeroed, so no
 * stale memory is reachable through .buffer. Never use it for an array that is
 * not entirely overwritten.
 */
export function uninitializedFloat32(n: number): Float32Array {
  if (n * 4 < UNINITIALIZED_MIN_BYTES) return alignedFloat32(n);
  const view = place(n, (m) => new Float32Array(Buffer.allocUnsafeSlow(m * 4).buffer, 0, m));
  const all = new Uint8Array(view.buffer);
  all.fill(0, 0, view.byteOffset);
  all.fill(0, view.byteOffset + view.byteLength);
  return view;
}

// Small gradients are views into shared zero-filled blocks, handed out in
// order, each on its own 64-byte boundary (as Node's small Buffers share a
// pool, and as PyTorch's DDP can make gradients views into one bucket). The
// gradients of parameters made one after another then lie back to back, and an
// optimizer step streams through them as through one array: separate small
// allocations leave gaps (other allocations between them) at which the
// hardware prefetchers lose the stream. Measured: an AdamW step over 1,000
// parameters of 1,000 elements takes about 20% less time.
//
// Detaching (transferring) a shared block detaches every gradient in it, so
// code that transfers a gradient's buffer should transfer a copy.
const SHARED_MAX_BYTES = 16 * 1024;
const BLOCK_ELEMENTS = (256 * 1024) / 4;
let block: Float32Array | null = null;
let blockUsed = 0; // elements

/** A zero-filled Float32Array of n elements for a gradient, 64-byte aligned (small ones share a block). */
export function gradientFloat32(n: number): Float32Array {
  if (n === 0 || n * 4 > SHARED_MAX_BYTES) return alignedFloat32(n);
  const take = Math.ceil(n / 16) * 16;
  if (block === null || blockUsed + take > block.length) {
    block = alignedFloat32(BLOCK_ELEMENTS);
    blockUsed = 0;
  }
  const out = block.subarray(blockUsed, blockUsed + n);
  blockUsed += take;
  return out;
}

/** One array a kernel works on, its name for errors, and whether the kernel writes it. */
export interface ArrayUse {
  a: Float32Array;
  name: string;
  writes: boolean;
}

/**
 * Throws a RangeError naming two of the arrays that share memory where one of
 * them is written (two Parameters made on one array, a gradient that is a view
 * of the data). Native kernels update the arrays of a list in parallel and
 * assume they are disjoint, so such a list would give results that depend on
 * the thread count. Arrays that are only read may share memory.
 */
export function checkNoOverlap(uses: readonly ArrayUse[]): void {
  const byBuffer = new Map<ArrayBufferLike, ArrayUse[]>();
  for (const u of uses) {
    if (u.a.length === 0) continue;
    const list = byBuffer.get(u.a.buffer);
    if (list) list.push(u);
    else byBuffer.set(u.a.buffer, [u]);
  }
  const end = (u: ArrayUse) => u.a.byteOffset + u.a.byteLength;
  for (const list of byBuffer.values()) {
    if (list.length < 2) continue;
    list.sort((x, y) => x.a.byteOffset - y.a.byteOffset);
    let lastWritten: ArrayUse | null = null; // of those before, the written one reaching furthest
    let last: ArrayUse | null = null; // of those before, the one reaching furthest
    for (const u of list) {
      const other = lastWritten && u.a.byteOffset < end(lastWritten) ? lastWritten : u.writes && last && u.a.byteOffset < end(last) ? last : null;
      if (other) {
        throw new RangeError(`${u.name} shares memory with ${other.name}, and the kernel writes one of them; give each its own array (to tie weights, use one Parameter in both places)`);
      }
      if (u.writes && (!lastWritten || end(u) > end(lastWritten))) lastWritten = u;
      if (!last || end(u) > end(last)) last = u;
    }
  }
}
