// The package loads by name both ways: require('deepfit') and import.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
function node(args: string[], env: Record<string, string> = {}): string {
  return execFileSync(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('package', () => {
  it("require('deepfit') works", () => {
    const out = node(['-e', "const d = require('deepfit'); const t = new d.Tensor([1,2,3,4],[2,2]); console.log(JSON.stringify({b: d.backend.current(), s: t.shape, isa: d.backend.info().isa}))"]);
    const r = JSON.parse(out);
    expect(r.b).toBe('native');
    expect(r.s).toEqual([2, 2]);
    expect(typeof r.isa).toBe('string');
  });

  it("import { ... } from 'deepfit' works", () => {
    const out = node(['--input-type=module', '-e', "import { backend, Tensor } from 'deepfit'; import d from 'deepfit'; console.log(JSON.stringify({b: backend.current(), same: d.Tensor === Tensor}))"]);
    expect(JSON.parse(out)).toEqual({ b: 'native', same: true });
  });

  it('the types compile in a project without @types/node', () => {
    // A consumer's own types only: nothing in the public declarations may need Node's (Buffer, NodeJS.*).
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deepfit-types-'));
    try {
      fs.mkdirSync(path.join(dir, 'node_modules'));
      fs.symlinkSync(root, path.join(dir, 'node_modules', 'deepfit'), 'dir');
      fs.writeFileSync(path.join(dir, 'a.ts'), [
        "import { nn, optim, data, fit, Tensor, backend, save, load, utils, lrScheduler, init, confusionMatrix } from 'deepfit';",
        "import type { FitOptions, FitResult, BackendInfo } from 'deepfit';",
        'const m = new nn.Sequential(new nn.Linear(4, 3));',
        'const o = new optim.AdamW(m.parameters(), { lr: 1e-3 });',
        'const y: Tensor = m.forward(new Tensor(new Float32Array(8), [2, 4]));',
        "const e: Uint8Array = data.encodeIdx({ dtype: 'uint8', shape: [1], data: new Uint8Array(1) });",
        'const f: Partial<FitOptions> = { epochs: 1 };',
        'const i: BackendInfo = backend.info();',
        'export const all = [m, o, y, e, f, i, fit, save, load, utils, lrScheduler, init, confusionMatrix] as const;',
        'export type R = FitResult;',
      ].join('\n'));
      const config = { compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', lib: ['es2022'], types: [], noEmit: true }, files: ['a.ts'] };
      fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify(config));
      const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
      execFileSync(process.execPath, [tsc, '-p', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  it('DEEPFIT_ISA forces an ISA, and an unknown one is a clear error', () => {
    const out = node(['-e', "console.log(require('deepfit').backend.info().isa)"], { DEEPFIT_ISA: 'scalar' });
    expect(out.trim()).toBe('scalar');
    expect(() => node(['-e', "require('deepfit').backend.info()"], { DEEPFIT_ISA: 'sse9' })).toThrow(/DEEPFIT_ISA="sse9" is not an instruction set \(they are scalar, avx2, avx512, neon\); expected one of/s);
  });

  it('DEEPFIT_BACKEND=reference starts on the reference backend', () => {
    const out = node(['-e', "console.log(require('deepfit').backend.current())"], { DEEPFIT_BACKEND: 'reference' });
    expect(out.trim()).toBe('reference');
  });
});
