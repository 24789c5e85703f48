// Loads the native addon on first use. node-gyp-build looks for a local build
// (build/Release) and then prebuilds/<platform>-<arch>/. If neither loads, the
// error says what was tried and how to build; we never fall back to the
// reference backend silently.
import * as path from 'path';
import type { NativeAddon } from './kernels';

const ROOT = path.resolve(__dirname, '..', '..');
let addon: NativeAddon | undefined;
let loadError: Error | undefined;

/**
 * The addon failed to load. `fallback` is the last line of the message (how to
 * run without the addon, in code); the CLI swaps it for its own option.
 */
export class NativeAddonError extends Error {
  constructor(readonly problem: string, readonly fallback: string, cause: Error) {
    super(`${problem}\n  ${fallback}`, { cause });
    this.name = 'NativeAddonError';
  }
}

export function loadNative(): NativeAddon {
  if (addon) return addon;
  if (loadError) throw loadError;
  try {
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    const gyp = require('node-gyp-build') as (dir: string) => unknown;
    const a = gyp(ROOT) as NativeAddon;
    applyIsaOverride(a);
    addon = a;
    return a;
  } catch (e) {
    const cause = e as Error;
    if (cause instanceof RangeError) {
      loadError = cause;
      throw cause;
    }
    loadError = new NativeAddonError(
      `deepfit: the native addon could not be loaded.\n` +
        `  Tried: ${path.join(ROOT, 'build', 'Release')} and ${path.join(ROOT, 'prebuilds', `${process.platform}-${process.arch}`)}\n` +
        `  Cause: ${cause.message.split('\n')[0]}\n` +
        `  Build it (needs cmake >= 3.15 and a C++17 compiler): 'npm rebuild deepfit' in a project that depends on deepfit ` +
        `(it reruns deepfit's install script), 'npm run build:native' in a checkout of deepfit itself.`,
      `Or call backend.use('reference') to run the pure TypeScript kernels.`,
      cause,
    );
    throw loadError;
  }
}

function applyIsaOverride(a: NativeAddon): void {
  const want = process.env.DEEPFIT_ISA;
  if (want === undefined || want === '') return;
  const available = a.info().available;
  if (!a.setIsa(want)) throw isaError(`DEEPFIT_ISA=${JSON.stringify(want)}`, want, available);
}

const ISAS = ['scalar', 'avx2', 'avx512', 'neon'];

/** The error for an ISA that cannot be selected: not an ISA name at all, or one this machine lacks. */
export function isaError(label: string, want: string, available: string[]): RangeError {
  const problem = ISAS.includes(want) ? 'is not available on this machine' : `is not an instruction set (they are ${ISAS.join(', ')})`;
  return new RangeError(`${label} ${problem}; expected one of ${available.map((s) => `'${s}'`).join(', ')}`);
}

export function nativeLoaded(): boolean {
  return addon !== undefined;
}
