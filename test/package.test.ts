// The package loads by name both ways: require('deepfit') and import.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'child_process';
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
