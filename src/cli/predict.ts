// deepfit predict: class predictions for the rows of a CSV file.
import { loadCsvFeatures } from '../data/csv';
import { predict } from '../train/evaluate';
import { existingFile, helpText, parse, Spec, UsageError } from './args';
import { loadTrained } from './run';

export const PREDICT_SPEC: Spec = {
  checkpoint: { type: 'string', arg: 'RUN_DIR|FILE', help: "a run directory of 'deepfit train' (its checkpoint.safetensors) or a checkpoint file it wrote" },
  input: { type: 'string', arg: 'FILE.csv', help: 'rows of features (a trailing label column is allowed and reported as accuracy)' },
  json: { type: 'boolean', help: 'print one JSON object instead of one prediction a line' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

export function runPredict(argv: string[], out: (s: string) => void, err: (s: string) => void): void {
  const v = parse('predict', argv, PREDICT_SPEC);
  if (v.help) return out(`usage: deepfit predict --checkpoint RUN_DIR|FILE --input FILE.csv [--json]\n\n${helpText(PREDICT_SPEC)}`);
  if (!v.checkpoint) throw new UsageError('deepfit predict: --checkpoint RUN_DIR|FILE is required');
  if (!v.input) throw new UsageError('deepfit predict: --input FILE.csv is required');
  const { model, standardizer, classes, modelConfig } = loadTrained(v.checkpoint as string);
  const d = modelConfig.inputs;
  const { features, n, labels } = loadCsvFeatures(existingFile(v.input as string, 'input'), d);
  const preds = predict(model, standardizer.transformArray(features, d), d);
  let accuracy: number | undefined;
  if (labels) accuracy = n ? preds.reduce((a, p, i) => a + (p === labels[i] ? 1 : 0), 0) / n : NaN;
  if (v.json) {
    out(JSON.stringify({ predictions: Array.from(preds), classes: Array.from(preds, (p) => classes[p]), ...(accuracy !== undefined ? { accuracy } : {}) }));
    return;
  }
  for (const p of preds) out(String(classes[p] ?? p));
  if (accuracy !== undefined) err(`accuracy: ${accuracy.toFixed(4)} (${n} rows with labels)`);
}
