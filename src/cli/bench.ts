// deepfit bench: runs the benchmark suites (bench/run.mjs) in a child process.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export function runBench(argv: string[], err: (s: string) => void): number {
  const script = path.resolve(__dirname, '../../bench/run.mjs');
  if (!fs.existsSync(script)) {
    err(`deepfit bench: ${script} not found; the benchmarks ship with the source repository, not the npm package`);
    return 1;
  }
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}
