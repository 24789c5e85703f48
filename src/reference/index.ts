// The pure TypeScript reference backend: every native kernel, argument for
// argument, computing the same bits. Each float operation is rounded with
// Math.fround, per-step scalars arrive precomputed, reductions use the fixed
// order of reduce.ts.
import type { Kernels } from '../backend/kernels';
import * as batchnorm from './batchnorm';
import * as mathfn from './mathfn';
import * as memory from './memory';
import * as qr from './qr';
import * as random from './random';
import { makeTensorList } from './tensor-list';

export const referenceKernels: Kernels = {
  makeTensorList,
  touch4: memory.touch4,
  copy: memory.copy,
  readSum: memory.readSum,
  allFinite: memory.allFinite as Kernels['allFinite'],
  mathEval: mathfn.mathEval,
  philox: random.philox,
  randUniform: random.randUniform,
  randNormal: random.randNormal,
  randTruncNormal: random.randTruncNormal,
  dropoutForward: random.dropoutForward,
  dropoutBackward: random.dropoutBackward,
  orthogonal: qr.orthogonal,
  bnStats: batchnorm.bnStats,
  bnBackwardSums: batchnorm.bnBackwardSums,
  bnApply: batchnorm.bnApply,
  bnBackwardApply: batchnorm.bnBackwardApply,
};
