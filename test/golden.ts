// Reads the PyTorch fixtures in test/golden/ (written by its Python scripts).
import * as fs from 'fs';
import * as path from 'path';

function revive(_key: string, v: unknown): unknown {
  if (v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return v;
}

export function loadGolden<T = any>(name: string): T {
  const file = path.join(__dirname, 'golden', `${name}.json`);
  return JSON.parse(fs.readFileSync(file, 'utf8'), revive) as T;
}
