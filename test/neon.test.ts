// The kernels must at least compile for aarch64 NEON. This cross-compiles every
// kernel file the way CMakeLists.txt builds the neon table, when an aarch64
// cross compiler is installed (Debian: g++-aarch64-linux-gnu).
import { describe, it, expect } from 'vitest';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const CXX = process.env.DEEPFIT_AARCH64_CXX || 'aarch64-linux-gnu-g++';
const haveCross = spawnSync(CXX, ['--version'], { stdio: 'ignore' }).status === 0;
const kernelDir = path.join(root, 'native', 'kernels');
const files = fs.readdirSync(kernelDir).filter((f) => f.endsWith('.cc'));

describe.skipIf(!haveCross)(`NEON build (${CXX})`, () => {
  it.each(files)('%s compiles for aarch64 with DF_ISA=neon', (file) => {
    const args = ['-std=c++17', '-O2', '-ffp-contract=off', '-DDF_ISA=neon', '-Wall', '-Werror', `-I${path.join(root, 'native')}`,
      '-c', path.join(kernelDir, file), '-o', '/dev/null'];
    expect(() => execFileSync(CXX, args, { stdio: 'pipe' })).not.toThrow();
  }, 60_000);

  const drivers = fs.readdirSync(path.join(root, 'native')).filter((f) => f.endsWith('.cc'));
  const napiInc = [path.dirname(require.resolve('node-api-headers/package.json')) + '/include', require('node-addon-api').include.replace(/"/g, '')];
  it.each(drivers)('driver %s compiles for aarch64 (scalar + neon tables)', (file) => {
    const args = ['-std=c++17', '-O2', '-ffp-contract=off', '-DDF_ARM=1', '-DDF_HAVE_scalar=1', '-DDF_HAVE_neon=1', '-DNAPI_VERSION=8',
      '-DNAPI_CPP_EXCEPTIONS', '-Wall', '-Werror', `-I${path.join(root, 'native')}`, ...napiInc.map((d) => `-I${d}`),
      '-c', path.join(root, 'native', file), '-o', '/dev/null'];
    expect(() => execFileSync(CXX, args, { stdio: 'pipe' })).not.toThrow();
  }, 60_000);
});

if (!haveCross) {
  it.skip(`NEON build: ${CXX} not installed (apt-get install g++-aarch64-linux-gnu to run this check)`, () => {});
}
