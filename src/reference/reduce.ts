// The fixed reduction order shared with native/table.h: chunks of REDUCE_CHUNK
// elements; inside a chunk element i goes to double lane (i mod 8); lanes combine
// as ((l0+l1)+(l2+l3))+((l4+l5)+(l6+l7)); chunk results add up in order from 0.
// JS numbers are doubles, so these sums are bit-identical to the C++ ones.

export const REDUCE_CHUNK = 65536;

/** Sum of term(i) for i in [begin, end), one chunk (end - begin <= REDUCE_CHUNK). */
export function lane8Sum(begin: number, end: number, term: (i: number) => number): number {
  let l0 = 0, l1 = 0, l2 = 0, l3 = 0, l4 = 0, l5 = 0, l6 = 0, l7 = 0;
  let i = begin;
  for (; i + 8 <= end; i += 8) {
    l0 += term(i); l1 += term(i + 1); l2 += term(i + 2); l3 += term(i + 3);
    l4 += term(i + 4); l5 += term(i + 5); l6 += term(i + 6); l7 += term(i + 7);
  }
  const rest = end - i;
  if (rest > 0) l0 += term(i);
  if (rest > 1) l1 += term(i + 1);
  if (rest > 2) l2 += term(i + 2);
  if (rest > 3) l3 += term(i + 3);
  if (rest > 4) l4 += term(i + 4);
  if (rest > 5) l5 += term(i + 5);
  if (rest > 6) l6 += term(i + 6);
  return ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
}

/** Sum of term(i) for i in [0, n) in the fixed order. */
export function reduceFixed(n: number, term: (i: number) => number): number {
  let s = 0;
  for (let b = 0; b < n; b += REDUCE_CHUNK) s += lane8Sum(b, Math.min(n, b + REDUCE_CHUNK), term);
  return s;
}
