// deepfit bench: runs the benchmark suites (bench/run.mjs) in a child process.
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export function runBench(argv: string[], err: (s: string) => void): number {
  const script = path.resolve(__dirname, '../../bench/run.mjs');
  if (!fs.existsSync(script)) {
    // An installed package has no bench/ (nor tinybench): the suites run from a clone of the repository.
    const msg = `deepfit bench: the benchmark suites ship with the source repository, not the npm package; in a clone, run 'npm run bench [suite...]'`;
    if (argv.includes('--help') || argv.includes('-h')) {
      err(`usage: deepfit bench [suite...]\n\n${msg.replace(/^deepfit bench: t/, 'T')}.`);
      return 0;
    }
    err(msg);
    return 1;
  }
  const r = spawnSync(process.execPath, ['--expose-gc', script, ...argv], { stdio: 'inherit' });
  return r.status ?? 1;
}
