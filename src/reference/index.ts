// The pure TypeScript reference backend: every native kernel, argument for
// argument, computing the same bits. Each float operation is rounded with
// Math.fround, per-step scalars arrive precomputed, reductions use the fixed
// order of reduce.ts.
import type { Kernels } from '../backend/kernels';
import * as clip from './clip';
import * as mathfn from './mathfn';
import * as memory from './memory';
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
  mathEval: mathfn.mathEval,
};
