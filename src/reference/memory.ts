// Reference versions of the memory kernels (native/kernels/memory.cc).
import { lane8Sum, REDUCE_CHUNK } from './reduce';
import type { RefTensorList } from './tensor-list';

const f = Math.fround;

export function touch4(a: Float32Array, b: Float32Array, c: Float32Array, d: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const x = d[i];
    a[i] = f(a[i] + x);
    b[i] = f(b[i] + x);
    c[i] = f(c[i] + x);
  }
}

export function copy(dst: Float32Array, src: Float32Array, n: number): void {
  dst.set(n === src.length ? src : src.subarray(0, n));
}

export function readSum(x: Float32Array, n: number): number {
  let s = 0;
  for (let b = 0; b < n; b += REDUCE_CHUNK) s += lane8Sum(b, Math.min(n, b + REDUCE_CHUNK), (i) => x[i]);
  return s;
}

export function allFinite(list: RefTensorList, l: number): boolean {
  for (const a of list.lists[l]) {
    for (let i = 0; i < a.length; i++) if (!Number.isFinite(a[i])) return false;
  }
  return true;
}
