// What the trainer persists and measures through other modules: checkpoint
// files (safetensors) and the global gradient norm.
import { load, save } from '../checkpoint';
import type { Module, StateDict } from '../nn/module';
import type { Parameter } from '../tensor';
import { clipGradNorm } from '../utils';
import type { OptimizerLike, SchedulerLike } from './types';

/** The largest finite float32: as maxNorm it measures the norm without clipping a finite one. */
const FLOAT32_MAX = 3.4028234663852886e38;

/** The global L2 norm of the gradients before clipping; clips to maxNorm when given. */
export function gradNorm(params: Parameter[], maxNorm?: number): number {
  return clipGradNorm(params, maxNorm ?? FLOAT32_MAX);
}

export function saveCheckpoint(file: string, parts: { model: Module; optimizer: OptimizerLike; scheduler?: SchedulerLike; meta: Record<string, unknown> }): void {
  save(file, parts as never);
}

export function loadCheckpoint(file: string): { model?: StateDict; optimizer?: unknown; scheduler?: unknown; meta: Record<string, unknown> } {
  const ck = load(file);
  const meta = ck.meta !== null && typeof ck.meta === 'object' && !Array.isArray(ck.meta) ? (ck.meta as Record<string, unknown>) : {};
  return { model: ck.model, optimizer: ck.optimizer, scheduler: ck.scheduler, meta };
}
