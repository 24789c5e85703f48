// deepfit verify: native-against-reference parity on this machine. Each check
// runs one kernel family through the public API on fixed inputs, under every
// native ISA and under the reference backend, and compares the bits.
import { backend } from '../index';
import { helpText, parse, Spec } from './args';
import { PARITY_CHECKS, ParityCheck } from './parity';

export const VERIFY_SPEC: Spec = {
  json: { type: 'boolean', help: 'print the results as JSON' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

function bitsEqual(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function runUnder(backendName: 'native' | 'reference', isa: string | undefined, fn: () => Float32Array[]): Float32Array[] {
  backend.use(backendName);
  if (isa) backend.setIsa(isa);
  return fn();
}

function compareNative(check: ParityCheck, isa: string, want: Float32Array[]): { pass: boolean; detail: string } {
  try {
    const got = runUnder('native', isa, check.run);
    const bad = got.findIndex((g, i) => !bitsEqual(g, want[i]));
    if (bad >= 0 || got.length !== want.length) return { pass: false, detail: `output ${bad} differs` };
    return { pass: true, detail: `${got.reduce((a, g) => a + g.length, 0)} values identical` };
  } catch (e) {
    return { pass: false, detail: (e as Error).message };
  }
}

/** Runs every check; returns rows of [family, isa, pass]. Exit code 1 if any fails. */
export function runVerify(argv: string[], out: (s: string) => void): number {
  const v = parse('verify', argv, VERIFY_SPEC);
  if (v.help) {
    out(`usage: deepfit verify\n\nRuns every kernel family under each native ISA and the reference backend and compares the results bit for bit.\n\n${helpText(VERIFY_SPEC)}`);
    return 0;
  }
  backend.use('native');
  const isas = backend.info().available;
  const rows: { family: string; isa: string; pass: boolean; detail: string }[] = [];
  for (const check of PARITY_CHECKS) {
    let want: Float32Array[] | undefined;
    let refError = '';
    try {
      want = runUnder('reference', undefined, check.run);
    } catch (e) {
      refError = `reference failed: ${(e as Error).message}`;
    }
    for (const isa of isas) rows.push({ family: check.family, isa, ...(want ? compareNative(check, isa, want) : { pass: false, detail: refError }) });
  }
  backend.use('native');
  backend.setIsa(isas[isas.length - 1]);
  const failed = rows.filter((r) => !r.pass).length;
  if (v.json) out(JSON.stringify({ pass: failed === 0, rows }));
  else {
    const w = Math.max(6, ...rows.map((r) => r.family.length));
    out(`${'kernel'.padEnd(w)}  ${'isa'.padEnd(6)}  result  detail`);
    for (const r of rows) out(`${r.family.padEnd(w)}  ${r.isa.padEnd(6)}  ${r.pass ? 'pass  ' : 'FAIL  '}  ${r.detail}`);
    out(failed ? `${failed} of ${rows.length} checks FAILED` : `all ${rows.length} checks passed: native matches the reference bit for bit on ${isas.join(', ')}`);
  }
  return failed ? 1 : 0;
}
