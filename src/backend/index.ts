// Backend control: which kernels the whole library calls, the native ISA, and
// the thread count.
import { checkInteger, checkOneOf } from '../errors';
import { referenceKernels } from '../reference';
import type { Kernels, NativeAddon } from './kernels';
import { isaError, loadNative } from './native';

export type BackendName = 'native' | 'reference';
export const BACKENDS: readonly BackendName[] = ['native', 'reference'];

// DEEPFIT_BACKEND is read at the first use, not at import, so a bad value is
// an error where the caller can catch it.
let chosen: BackendName | undefined;
let active: Kernels | undefined;

function currentName(): BackendName {
  if (chosen) return chosen;
  const env = process.env.DEEPFIT_BACKEND;
  chosen = env === undefined || env === '' ? 'native' : checkOneOf(env, 'DEEPFIT_BACKEND', BACKENDS);
  return chosen;
}

/** The kernels of the backend in use (loads the addon on first native use). */
export function K(): Kernels {
  if (active) return active;
  active = currentName() === 'native' ? loadNative() : referenceKernels;
  return active;
}

export interface BackendInfo {
  /** The backend in use. */
  backend: BackendName;
  /** The native instruction set in use ('scalar', 'avx2', 'avx512', 'neon'), or null if the addon is not loaded. */
  isa: string | null;
  /** Native instruction sets this machine supports, best last. */
  available: string[];
  /** Native thread-pool size (the reference backend runs on one thread). */
  threads: number;
  version: string;
}

function packageVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  return (require('../../package.json') as { version: string }).version;
}

function tryNative(): NativeAddon | undefined {
  try {
    return loadNative();
  } catch (e) {
    if (currentName() === 'native') throw e;
    return undefined;
  }
}

export const backend = {
  /** Switches the whole library to 'native' or 'reference'. */
  use(name: BackendName): void {
    checkOneOf(name, 'backend', BACKENDS);
    if (name === 'native') loadNative(); // fail here, clearly, rather than at the first kernel call
    chosen = name;
    active = undefined;
  },
  /** The backend in use. */
  current(): BackendName {
    return currentName();
  },
  /** `{ isa, available, threads, version }` of the native addon, plus the backend in use. */
  info(): BackendInfo {
    const a = tryNative();
    if (!a) return { backend: currentName(), isa: null, available: [], threads: 1, version: packageVersion() };
    return { backend: currentName(), ...a.info() };
  },
  /** Sets the native thread-pool size (>= 1). Results never depend on it. */
  setThreads(n: number): void {
    checkInteger(n, 'threads', 1, 1024);
    loadNative().setThreads(n);
  },
  /** The native thread-pool size. */
  getThreads(): number {
    return loadNative().info().threads;
  },
  /** The machine's default thread count (one per core). */
  defaultThreads(): number {
    return loadNative().defaultThreads();
  },
  /**
   * Selects a native ISA for this process, like DEEPFIT_ISA does at load time.
   * An ISA this machine cannot run is a RangeError.
   */
  setIsa(isa: string): void {
    const a = loadNative();
    const available = a.info().available;
    if (typeof isa !== 'string') throw new TypeError(`isa must be a string, one of ${available.join(', ')}`);
    if (!a.setIsa(isa)) throw isaError(`isa ${JSON.stringify(isa)}`, isa, available);
  },
};
