// Command-line parsing on util.parseArgs (strict), with errors that say what
// went wrong and hint at the closest known option.
import * as fs from 'fs';
import { parseArgs } from 'util';
import { isDecimal } from '../errors';

export class UsageError extends Error {}

type OptionSpec = { type: 'string' | 'boolean'; short?: string; default?: string | boolean };
export type Spec = Record<string, OptionSpec & { help: string; arg?: string }>;

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length][b.length];
}

/** Names other tools use for an option, mapped to ours (checked before the edit distance). */
const SYNONYMS: Record<string, string> = {
  'learning-rate': 'lr',
  wd: 'weight-decay',
  bs: 'batch-size',
  batch: 'batch-size',
  optim: 'optimizer',
  scheduler: 'schedule',
  'lr-schedule': 'schedule',
  'hidden-layers': 'hidden',
  layers: 'hidden',
  act: 'activation',
  'batch-norm': 'batchnorm',
  output: 'out',
  'output-dir': 'out',
  model: 'checkpoint',
  'grad-clip': 'clip-grad-norm',
  'clip-norm': 'clip-grad-norm',
  'early-stopping': 'patience',
};

/** The known name closest to `name`, if it is close enough to be a likely typo. */
export function closest(name: string, known: string[]): string | undefined {
  const synonym = SYNONYMS[name];
  if (synonym && known.includes(synonym)) return synonym;
  let best: string | undefined;
  let bestD = Infinity;
  for (const k of known) {
    const dist = editDistance(name, k);
    if (dist < bestD) [best, bestD] = [k, dist];
  }
  return bestD <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
}

/**
 * `--lr -1` reads to parseArgs as an option missing its value followed by an
 * unknown option; joining it into `--lr=-1` lets the value check say what is
 * wrong with -1 instead.
 */
function attachNegativeValues(argv: string[], spec: Spec): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].startsWith('--') ? argv[i].slice(2) : undefined;
    const next = argv[i + 1];
    if (name && spec[name]?.type === 'string' && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${argv[i]}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** Parses argv for one command; unknown options and stray positionals are UsageErrors. */
export function parse(command: string, argv: string[], spec: Spec): Record<string, string | boolean | undefined> {
  const options = Object.fromEntries(
    Object.entries(spec).map(([k, v]) => [k, { type: v.type, ...(v.short ? { short: v.short } : {}), ...(v.default !== undefined ? { default: v.default } : {}) }]),
  );
  try {
    const args = attachNegativeValues(argv, spec);
    const { values, positionals } = parseArgs({ args, options: options as never, strict: true, allowPositionals: true });
    if (positionals.length) throw new UsageError(`deepfit ${command}: unexpected argument '${positionals[0]}'. Run 'deepfit ${command} --help' for the options.`);
    return values as Record<string, string | boolean | undefined>;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    const msg = (e as Error).message;
    const unknown = msg.match(/Unknown option '(-{1,2}[^']+)'/)?.[1];
    if (unknown) {
      const guess = closest(unknown.replace(/^-+/, ''), Object.keys(spec));
      throw new UsageError(`deepfit ${command}: unknown option ${unknown}.${guess ? ` Did you mean --${guess}?` : ''} Run 'deepfit ${command} --help' for the options.`);
    }
    const first = msg.split('\n')[0].replace(/\.$/, '');
    throw new UsageError(`deepfit ${command}: ${first}. Run 'deepfit ${command} --help' for the options.`);
  }
}

/** The options section of a command's help. */
export function helpText(spec: Spec): string {
  const rows = Object.entries(spec).map(([k, v]) => [`--${k}${v.type === 'string' ? ` ${v.arg ?? 'VALUE'}` : ''}`, v.help]);
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([a, b]) => `  ${a.padEnd(w)}  ${b}`).join('\n');
}

/** A numeric option: `min` and `max` are inclusive bounds, `positive` requires > 0. */
export function number(v: string | boolean | undefined, name: string, { min = -Infinity, max = Infinity, integer = false, positive = false } = {}): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  // A plain decimal only (not '', '0x10' or 'Infinity', which Number() also reads).
  const bad = typeof v !== 'string' || !isDecimal(v.trim()) || !Number.isFinite(x) || x < min || x > max || (positive && !(x > 0)) || (integer && !Number.isSafeInteger(x));
  if (bad) {
    const top = max < Infinity ? `<= ${max}` : integer && Math.abs(x) > Number.MAX_SAFE_INTEGER ? `<= ${Number.MAX_SAFE_INTEGER}` : '';
    const bounds = [positive ? '> 0' : min > -Infinity ? `>= ${min}` : '', top].filter(Boolean).join(' and ');
    throw new UsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}${bounds ? ` ${bounds}` : ''}, got '${v}'`);
  }
  return x;
}

export function oneOf<T extends string>(v: string | boolean | undefined, name: string, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) {
    const guess = typeof v === 'string' ? closest(v, [...allowed]) : undefined;
    throw new UsageError(`--${name} must be one of ${allowed.join('|')}, got '${v}'${guess ? ` (did you mean ${guess}?)` : ''}`);
  }
  return v as T;
}

/** The value of a file option (--checkpoint, --input, --dataset): an existing file, else a usage error naming the option. */
export function existingFile(file: string, name: string): string {
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new UsageError(`--${name}: no file at ${file}`);
  if (!st.isFile()) throw new UsageError(`--${name} must be a file, got ${st.isDirectory() ? 'the directory' : 'the special file'} ${file}`);
  return file;
}
