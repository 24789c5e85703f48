// Gradient norms and checkpoint files, as the trainer uses them.
// Interim implementations until utils.clipGradNorm and save/load are available.
import * as fs from 'fs';
import type { Module, StateDict } from '../nn/module';
import { Parameter, Tensor } from '../tensor';

export function clipGradNorm(params: Parameter[], maxNorm: number): number {
  let s = 0;
  for (const p of params) for (let i = 0; i < p.grad.length; i++) s += p.grad[i] * p.grad[i];
  const norm = Math.sqrt(s);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const p of params) for (let i = 0; i < p.grad.length; i++) p.grad[i] = Math.fround(p.grad[i] * Math.fround(coef));
  return norm;
}

export interface CheckpointParts {
  model?: Module;
  optimizer?: { stateDict(): unknown };
  scheduler?: { stateDict(): unknown };
  meta?: Record<string, string>;
}

export function saveCheckpoint(path: string, parts: CheckpointParts): void {
  const model = parts.model ? Object.fromEntries(Object.entries(parts.model.stateDict()).map(([k, t]) => [k, { shape: t.shape, data: Array.from(t.data) }])) : undefined;
  const body = JSON.stringify({ model, optimizer: parts.optimizer?.stateDict(), scheduler: parts.scheduler?.stateDict(), meta: parts.meta });
  const tmp = `${path}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, body);
  fs.renameSync(tmp, path);
}

export function loadCheckpoint(path: string): { model?: StateDict; optimizer?: unknown; scheduler?: unknown; meta: Record<string, string> } {
  const j = JSON.parse(fs.readFileSync(path, 'utf8'));
  const model = j.model ? Object.fromEntries(Object.entries(j.model as Record<string, { shape: number[]; data: number[] }>).map(([k, v]) => [k, new Tensor(Float32Array.from(v.data), v.shape)])) : undefined;
  return { model, optimizer: j.optimizer, scheduler: j.scheduler, meta: j.meta ?? {} };
}
