// Reference versions of the optimizer steps (native/kernels/optim.cc): the
// same float32 operations in the same order, each rounded with Math.fround.
// Scalars arrive in double and are rounded once, like the native cast.
import { OPT } from '../backend/optim-abi';
import type { RefTensorList } from './tensor-list';

const f = Math.fround;

// Stored NaNs are the one quiet NaN, as in the native kernels (see canon() there).
function canon(x: number): number {
  return x !== x ? NaN : x;
}

// torch.maximum: NaN in either operand gives NaN (selected, so its bits carry).
function nanMax(kept: number, candidate: number): number {
  return candidate > kept || candidate !== candidate ? candidate : kept;
}

export function adamStep(list: RefTensorList, scalars: Float64Array, perTensor: Float64Array, flags: number): void {
  const [params, grads, ms, vs, vmaxs] = list.lists;
  const b1 = f(scalars[0]), omb1 = f(scalars[1]), b2 = f(scalars[2]), omb2 = f(scalars[3]);
  const eps = f(scalars[4]), wd = f(scalars[5]), scale = f(scalars[6]);
  const max = (flags & OPT.MAXIMIZE) !== 0, l2 = (flags & OPT.WEIGHT_DECAY) !== 0;
  const dec = (flags & OPT.DECOUPLED) !== 0, ams = (flags & OPT.AMSGRAD) !== 0;
  for (let t = 0; t < params.length; t++) {
    const p = params[t], g = grads[t], m = ms[t], v = vs[t], vmax = ams ? vmaxs[t] : v;
    const nss = f(perTensor[2 * t]), bc2s = f(perTensor[2 * t + 1]);
    for (let i = 0; i < p.length; i++) {
      let pi = p[i];
      if (dec) pi = f(pi * scale);
      let gi = max ? -g[i] : g[i];
      if (l2) gi = f(gi + f(wd * pi));
      const mi = f(f(m[i] * b1) + f(omb1 * gi));
      let vi = f(f(v[i] * b2) + f(f(omb2 * gi) * gi));
      m[i] = canon(mi);
      v[i] = canon(vi);
      if (ams) {
        vi = nanMax(vmax[i], vi);
        vmax[i] = canon(vi);
      }
      const denom = f(f(f(Math.sqrt(vi)) / bc2s) + eps);
      p[i] = canon(f(pi + f(f(nss * mi) / denom)));
    }
  }
}

export function sgdStep(list: RefTensorList, scalars: Float64Array, perTensor: Float64Array, flags: number): void {
  const [params, grads, bufs] = list.lists;
  const nlr = f(scalars[0]), wd = f(scalars[1]), mom = f(scalars[2]), omd = f(scalars[3]);
  const max = (flags & OPT.MAXIMIZE) !== 0, l2 = (flags & OPT.WEIGHT_DECAY) !== 0;
  const useMom = (flags & OPT.MOMENTUM) !== 0, nesterov = (flags & OPT.NESTEROV) !== 0;
  for (let t = 0; t < params.length; t++) {
    const p = params[t], g = grads[t], buf = useMom ? bufs[t] : p;
    const first = useMom && perTensor[t] !== 0;
    for (let i = 0; i < p.length; i++) {
      const pi = p[i];
      let d = max ? -g[i] : g[i];
      if (l2) d = f(d + f(wd * pi));
      if (useMom) {
        const b = first ? d : f(f(buf[i] * mom) + f(omd * d));
        buf[i] = canon(b);
        d = nesterov ? f(d + f(mom * b)) : b;
      }
      p[i] = canon(f(pi + f(nlr * d)));
    }
  }
}

export function rmspropStep(list: RefTensorList, scalars: Float64Array, _perTensor: Float64Array, flags: number): void {
  const centered = (flags & OPT.CENTERED) !== 0, useMom = (flags & OPT.MOMENTUM) !== 0;
  const [params, grads, sqs] = list.lists;
  const gavgs = centered ? list.lists[3] : sqs, bufs = useMom ? list.lists[centered ? 4 : 3] : sqs;
  const nlr = f(scalars[0]), al = f(scalars[1]), oma = f(scalars[2]), eps = f(scalars[3]);
  const wd = f(scalars[4]), mom = f(scalars[5]);
  const max = (flags & OPT.MAXIMIZE) !== 0, l2 = (flags & OPT.WEIGHT_DECAY) !== 0;
  for (let t = 0; t < params.length; t++) {
    const p = params[t], g = grads[t], sq = sqs[t], gavg = gavgs[t], buf = bufs[t];
    for (let i = 0; i < p.length; i++) {
      const pi = p[i];
      let gi = max ? -g[i] : g[i];
      if (l2) gi = f(gi + f(wd * pi));
      const s = f(f(sq[i] * al) + f(f(oma * gi) * gi));
      sq[i] = canon(s);
      let avg: number;
      if (centered) {
        const ga = f(f(gavg[i] * al) + f(oma * gi));
        gavg[i] = canon(ga);
        avg = f(Math.sqrt(f(s - ga * ga))); // in double, like the native kernel: PyTorch fuses this multiply-add
      } else {
        avg = f(Math.sqrt(s));
      }
      avg = f(avg + eps);
      if (useMom) {
        const b = f(f(buf[i] * mom) + f(gi / avg));
        buf[i] = canon(b);
        p[i] = canon(f(pi + f(nlr * b)));
      } else {
        p[i] = canon(f(pi + f(f(nlr * gi) / avg)));
      }
    }
  }
}

export function adagradStep(list: RefTensorList, scalars: Float64Array, perTensor: Float64Array, flags: number): void {
  const [params, grads, sums] = list.lists;
  const wd = f(scalars[0]), eps = f(scalars[1]);
  const max = (flags & OPT.MAXIMIZE) !== 0, l2 = (flags & OPT.WEIGHT_DECAY) !== 0;
  for (let t = 0; t < params.length; t++) {
    const p = params[t], g = grads[t], sum = sums[t];
    const nclr = f(perTensor[t]);
    for (let i = 0; i < p.length; i++) {
      const pi = p[i];
      let gi = max ? -g[i] : g[i];
      if (l2) gi = f(gi + f(wd * pi));
      const s = f(sum[i] + f(gi * gi));
      sum[i] = canon(s);
      const sd = f(f(Math.sqrt(s)) + eps);
      p[i] = canon(f(pi + f(f(nclr * gi) / sd)));
    }
  }
}
