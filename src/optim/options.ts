// Hyperparameter rules, in one place: each optimizer lists its options with a
// kind and a PyTorch default; every check (constructor, each step, loading a
// state dict) goes through checkOption.
import { checkBoolean, checkNumber, checkRange, describe } from '../errors';

/**
 * rate: a finite number >= 0 (lr, eps, weightDecay, momentum...); number: any
 * finite number (dampening); flag: a boolean; betas: [beta1, beta2], each in [0, 1).
 */
export type OptionKind = 'rate' | 'number' | 'flag' | 'betas';
export type OptionValue = number | boolean | [number, number];

export interface OptionSpec {
  kind: OptionKind;
  /** undefined: required (SGD's lr). */
  default?: OptionValue;
}

export type OptionSpecs = Record<string, OptionSpec>;

/** Options every optimizer has besides its own. */
export function commonOptions(lr: number | undefined): OptionSpecs {
  return {
    lr: { kind: 'rate', default: lr },
    maximize: { kind: 'flag', default: false },
    skipNonFinite: { kind: 'flag', default: false },
  };
}

function checkBetas(v: unknown, name: string): [number, number] {
  if (!Array.isArray(v) || v.length !== 2) throw new TypeError(`${name} must be an array [beta1, beta2], got ${describe(v)}`);
  v.forEach((b, i) => {
    checkNumber(b, `${name}[${i}]`);
    if (!(b >= 0 && b < 1)) throw new RangeError(`${name}[${i}] must be a number in [0, 1), got ${describe(b)}`);
  });
  return [v[0], v[1]];
}

/** Validates one option value; returns it as stored (betas copied). */
export function checkOption(spec: OptionSpec, v: unknown, name: string): OptionValue {
  switch (spec.kind) {
    case 'rate':
      if (v === undefined) throw new TypeError(`${name} is required: a finite number >= 0`);
      return checkRange(v, name, 0, Infinity, 'a finite number >= 0');
    case 'number':
      return checkRange(v, name, -Infinity, Infinity, 'a finite number');
    case 'flag':
      return checkBoolean(v, name);
    case 'betas':
      return checkBetas(v, name);
  }
}

/** A copy of an option value (betas is an array). */
export function copyOption(v: unknown): unknown {
  return Array.isArray(v) ? [...v] : v;
}
