// Reference versions of the clipping kernels (native/kernels/clip.cc and the
// combination order of native/bind_clip.cc); |x|^p uses the shared exp/log
// of mathfn.ts, so it agrees with the C++ bit for bit.
import { exp, log } from './mathfn';
import { reduceFixed } from './reduce';
import type { RefTensorList } from './tensor-list';

const f = Math.fround;

/** |x|^p for p > 0, as abs_pow in clip.cc. */
export function absPow(x: number, p: number): number {
  const a = Math.abs(x);
  if (a === 0 || a !== a || a === Infinity) return a === 0 ? 0 : a;
  return exp(p * log(a));
}

function maxAbs(x: Float32Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a !== a) return NaN;
    if (a > m) m = a;
  }
  return m;
}

export function normPowSum(list: RefTensorList, l: number, p: number): number {
  const arrays = list.lists[l];
  if (p === Infinity) {
    let m = 0;
    for (const x of arrays) {
      const v = maxAbs(x);
      m = v !== v || m !== m ? NaN : Math.max(m, v);
    }
    return m;
  }
  const term = p === 1 ? (x: Float32Array) => (i: number) => Math.abs(x[i])
    : p === 2 ? (x: Float32Array) => (i: number) => x[i] * x[i]
    : (x: Float32Array) => (i: number) => absPow(x[i], p);
  let total = 0;
  for (const x of arrays) total += reduceFixed(x.length, term(x));
  return total;
}

export function scaleList(list: RefTensorList, l: number, c: number): void {
  const cf = f(c);
  for (const x of list.lists[l]) for (let i = 0; i < x.length; i++) x[i] = f(x[i] * cf);
}

export function clampList(list: RefTensorList, l: number, lo: number, hi: number): void {
  const lf = f(lo), hf = f(hi);
  for (const x of list.lists[l]) {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      if (v !== v) continue;
      x[i] = v < lf ? lf : v > hf ? hf : v;
    }
  }
}

export function addScaledList(list: RefTensorList, dst: number, src: number, a: number): void {
  const af = f(a);
  const ds = list.lists[dst], ss = list.lists[src];
  ds.forEach((g, t) => {
    const w = ss[t];
    for (let i = 0; i < g.length; i++) g[i] = f(g[i] + f(af * w[i]));
  });
}
