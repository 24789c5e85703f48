// The pure TypeScript reference backend: every native kernel, argument for
// argument, computing the same bits. Each float operation is rounded with
// Math.fround, per-step scalars arrive precomputed, reductions use the fixed
// order of reduce.ts.
import type { Kernels } from '../backend/kernels';
import * as clip from './clip';
import * as activation from './activation';
import * as batchnorm from './batchnorm';
import * as gemm from './gemm';
import * as loss from './loss';
import * as mathfn from './mathfn';
import * as memory from './memory';
import * as optim from './optim';
import * as qr from './qr';
import * as random from './random';
import { makeTensorList } from './tensor-list';

export const referenceKernels: Kernels = {
  makeTensorList,
  touch4: memory.touch4,
  copy: memory.copy,
  readSum: memory.readSum,
  allFinite: memory.allFinite as Kernels['allFinite'],
  normPowSum: clip.normPowSum as Kernels['normPowSum'],
  scaleList: clip.scaleList as Kernels['scaleList'],
  clampList: clip.clampList as Kernels['clampList'],
  addScaledList: clip.addScaledList as Kernels['addScaledList'],
  adamStep: optim.adamStep as Kernels['adamStep'],
  sgdStep: optim.sgdStep as Kernels['sgdStep'],
  rmspropStep: optim.rmspropStep as Kernels['rmspropStep'],
  adagradStep: optim.adagradStep as Kernels['adagradStep'],
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
  gemm: gemm.gemm,
  colSumAcc: gemm.colSumAcc,
  fmaPeak: gemm.fmaPeak,
  activationForward: activation.activationForward,
  activationBackward: activation.activationBackward,
  crossEntropy: loss.crossEntropy,
  mse: loss.mse,
};
