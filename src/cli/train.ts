// deepfit train: load and split the data, standardize it, build the recipe,
// fit with early stopping and checkpoints, evaluate on the test set, and write
// the run directory (metrics.jsonl, checkpoint.safetensors, report.html).
import * as fs from 'fs';
import * as path from 'path';
import { makeDirs, writeFileAtomic } from '../atomic';
import { backend, data, manualSeed, nn } from '../index';
import type { Dataset } from '../data/dataset';
import { renderReport } from '../report';
import { confusionMatrix, evaluate, fit, formatDiagnostic } from '../train';
import type { FitResult } from '../train/fit';
import type { EpochResult } from '../train/types';
import { existingFile, helpText, number, oneOf, parse, Spec, UsageError } from './args';
import { ACTIVATIONS, buildModel, buildOptimizer, buildScheduler, checkModelConfig, ModelConfig, OPTIMIZERS, SCHEDULES, stepSize } from './recipe';
import { loadRun } from './run';


export const TRAIN_SPEC: Spec = {
  dataset: { type: 'string', arg: 'digits|fashion-mnist|FILE.csv', help: 'the data (default digits, shipped with the package)' },
  'data-dir': { type: 'string', arg: 'DIR', help: `directory of the IDX files for fashion-mnist (default ${data.FASHION_MNIST_DIR})` },
  hidden: { type: 'string', arg: 'N,N,...', help: 'hidden layer widths (default 256,128)' },
  activation: { type: 'string', arg: ACTIVATIONS.join('|'), help: 'hidden activation (default relu)' },
  dropout: { type: 'string', arg: 'P', help: 'dropout after each hidden layer (default 0.3)' },
  batchnorm: { type: 'boolean', help: 'BatchNorm1d after each hidden Linear (the default)' },
  'no-batchnorm': { type: 'boolean', help: 'no BatchNorm' },
  optimizer: { type: 'string', arg: OPTIMIZERS.join('|'), help: 'default adamw' },
  lr: { type: 'string', arg: 'LR', help: 'learning rate (default 3e-3; 0.05 for sgd/momentum, 1e-2 for adagrad)' },
  'weight-decay': { type: 'string', arg: 'L', help: 'weight decay (default 1e-4)' },
  schedule: { type: 'string', arg: SCHEDULES.join('|'), help: 'learning-rate schedule (default cosine)' },
  epochs: { type: 'string', arg: 'N', help: 'maximum epochs (default 40 for digits, 25 for fashion-mnist)' },
  'batch-size': { type: 'string', arg: 'N', help: 'default 32 for digits, 128 for fashion-mnist' },
  'clip-grad-norm': { type: 'string', arg: 'X', help: 'clip the gradient L2 norm (default off)' },
  patience: { type: 'string', arg: 'N', help: 'early-stopping patience in epochs, on val loss (default 10)' },
  seed: { type: 'string', arg: 'N', help: 'seed of the split, init, dropout and shuffles (default 0)' },
  threads: { type: 'string', arg: 'N', help: 'native threads (default one per core)' },
  backend: { type: 'string', arg: 'native|reference', help: 'kernels to run (default native, or DEEPFIT_BACKEND)' },
  out: { type: 'string', arg: 'DIR', help: 'run directory, new or empty (default runs/<dataset>-<time>, with -2, -3... if taken)' },
  force: { type: 'boolean', help: 'let --out replace the files of an existing run directory' },
  resume: { type: 'string', arg: 'RUN_DIR|FILE', help: 'continue a run from its last checkpoint' },
  json: { type: 'boolean', help: 'print one JSON summary instead of the progress and the table' },
  help: { type: 'boolean', short: 'h', help: 'this help' },
};

/** What may accompany --resume: the rest is the run's saved config. */
const RESUME_OPTIONS = ['resume', 'epochs', 'out', 'force', 'backend', 'threads', 'json'];

/** Schedules whose learning-rate curve is laid out over the planned epoch count, and how. */
const EPOCH_SHAPED: Partial<Record<TrainConfig['schedule'], (epochs: number) => string>> = {
  cosine: (n) => `it anneals the lr to 0 at epoch ${n}`,
  onecycle: (n) => `its one cycle spans the batches of ${n} epochs`,
  step: (n) => `it divides the lr by 10 every ${stepSize(n)} epochs`,
};

export interface TrainConfig {
  dataset: string;
  /** Only for fashion-mnist. */
  dataDir?: string;
  model: Omit<ModelConfig, 'inputs' | 'classes'>;
  optimizer: (typeof OPTIMIZERS)[number];
  lr: number;
  weightDecay: number;
  schedule: (typeof SCHEDULES)[number];
  epochs: number;
  batchSize: number;
  clipGradNorm?: number;
  patience: number;
  seed: number;
}

function defaultLr(opt: TrainConfig['optimizer']): number {
  return opt === 'sgd' || opt === 'momentum' ? 0.05 : opt === 'adagrad' ? 1e-2 : 3e-3;
}

export function trainConfig(v: Record<string, string | boolean | undefined>): TrainConfig {
  const dataset = (v.dataset as string | undefined) ?? 'digits';
  const fashion = dataset === 'fashion-mnist';
  if (dataset !== 'digits' && !fashion && !/\.csv(\.gz)?$/i.test(dataset)) {
    throw new UsageError(`--dataset must be digits, fashion-mnist or a .csv file, got '${dataset}'`);
  }
  if (!fashion && dataset !== 'digits') existingFile(dataset, 'dataset');
  if (v['data-dir'] !== undefined && !fashion) throw new UsageError(`--data-dir only applies to --dataset fashion-mnist`);
  const hidden = ((v.hidden as string | undefined) ?? '256,128').split(',').map((s) => number(s.trim(), 'hidden', { min: 1, integer: true }) as number);
  if (v.batchnorm && v['no-batchnorm']) throw new UsageError('--batchnorm and --no-batchnorm contradict each other');
  const optimizer = oneOf(v.optimizer, 'optimizer', OPTIMIZERS) ?? 'adamw';
  const dropout = number(v.dropout, 'dropout', { min: 0 }) ?? 0.3;
  if (dropout >= 1) throw new UsageError(`--dropout must be in [0, 1), got '${v.dropout}'`);
  return {
    dataset,
    ...(fashion ? { dataDir: (v['data-dir'] as string | undefined) ?? data.FASHION_MNIST_DIR } : {}),
    model: { hidden, activation: oneOf(v.activation, 'activation', ACTIVATIONS) ?? 'relu', dropout, batchnorm: !v['no-batchnorm'] },
    optimizer,
    lr: number(v.lr, 'lr', { min: 0 }) ?? defaultLr(optimizer),
    weightDecay: number(v['weight-decay'], 'weight-decay', { min: 0 }) ?? 1e-4,
    schedule: oneOf(v.schedule, 'schedule', SCHEDULES) ?? 'cosine',
    epochs: number(v.epochs, 'epochs', { min: 1, integer: true }) ?? (fashion ? 25 : 40),
    batchSize: number(v['batch-size'], 'batch-size', { min: 1, integer: true }) ?? (fashion ? 128 : 32),
    clipGradNorm: number(v['clip-grad-norm'], 'clip-grad-norm', { positive: true }),
    patience: number(v.patience, 'patience', { min: 0, integer: true }) ?? 10,
    seed: number(v.seed, 'seed', { min: 0, max: 0xffffffff, integer: true }) ?? 0,
  };
}

interface Splits {
  train: Dataset;
  val: Dataset;
  test: Dataset;
  classes: string[];
}

const FASHION_CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

/** digits and CSV files: a 60/20/20 stratified split; fashion-mnist keeps its test set and carves val (10%) from train. */
export function loadSplits(c: TrainConfig): Splits {
  if (c.dataset === 'fashion-mnist') {
    const { train, test } = data.loadMnistDir(c.dataDir ?? data.FASHION_MNIST_DIR);
    const tv = data.splitTrainVal(train, { val: 0.1, stratify: true, seed: c.seed });
    return { ...tv, test, classes: FASHION_CLASSES };
  }
  const ds = data.loadCsv(c.dataset === 'digits' ? data.DIGITS_CSV : c.dataset);
  const s = data.split(ds, { train: 0.6, val: 0.2, test: 0.2, stratify: true, seed: c.seed });
  for (const [name, part] of Object.entries(s)) {
    if (part.n === 0) throw new UsageError(`--dataset ${c.dataset}: ${ds.n} samples are too few, the 60/20/20 split leaves the ${name} set empty`);
  }
  return { ...s, classes: Array.from({ length: ds.numClasses }, (_, i) => String(i)) };
}

function defaultOut(c: TrainConfig): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return path.join('runs', `${path.basename(c.dataset).replace(/\.csv(\.gz)?$/i, '')}-${stamp}`);
}

/**
 * Creates a new run directory at `base`, or `base-2`, `base-3`... when taken
 * (the time stamp has one-second resolution). mkdir without `recursive` fails
 * on an existing directory, so two runs started together never share one.
 */
export function createRunDir(base: string): string {
  makeDirs(path.dirname(path.resolve(base)));
  for (let k = 1; ; k++) {
    const dir = path.resolve(k === 1 ? base : `${base}-${k}`);
    try {
      fs.mkdirSync(dir);
      return dir;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
}

/** --out may name a new or empty directory, the resumed run's own, or anything with --force; never another run silently. */
function checkOutIsFree(dir: string, resumedDir: string | undefined, force: boolean): void {
  if (force || dir === resumedDir || !fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() || !fs.readdirSync(dir).length) return;
  throw new UsageError(`--out ${dir} already holds files (another run?); choose a new directory, add --force to replace its files, or --resume it`);
}

/** The epoch limit of a resumed run: a schedule laid out over the epochs cannot be stretched mid-run. */
function resumedEpochs(v: Record<string, string | boolean | undefined>, resumed: ReturnType<typeof loadRun>): number {
  const { schedule, epochs: planned } = resumed.config;
  const epochs = number(v.epochs, 'epochs', { min: 1, integer: true }) ?? planned;
  const done = resumed.history.length;
  if (epochs < done) throw new UsageError(`--epochs ${epochs} is fewer than the ${done} epochs the run has already trained`);
  const shape = EPOCH_SHAPED[schedule];
  if (epochs !== planned && shape) {
    throw new UsageError(
      `--epochs ${epochs} cannot resume this run: it was planned for ${planned} epochs and its ${schedule} schedule depends on that (${shape(planned)}), ` +
        `so a new limit would bend the lr curve mid-run. Resume with --epochs ${planned} (or without --epochs), or start a new run; ` +
        `only the none, exp and plateau schedules can take a new --epochs.`,
    );
  }
  return epochs;
}

/** Run directories print relative to the working directory when inside it. */
function shownPath(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : dir;
}

/** Resuming into a new directory: the best and last checkpoints come along, so the new directory is a complete run. */
function carryCheckpoints(from: string, to: string): void {
  if (path.resolve(from) === path.resolve(to)) return;
  makeDirs(to);
  for (const f of ['checkpoint.safetensors', 'last.safetensors']) {
    if (fs.existsSync(path.join(from, f))) fs.copyFileSync(path.join(from, f), path.join(to, f));
  }
}

const TABLE_HEAD = 'epoch  train loss  train acc  val loss  val acc        lr  seconds';
function tableRow(r: EpochResult): string {
  return `${String(r.epoch).padStart(5)}  ${r.trainLoss.toFixed(4).padStart(10)}  ${r.trainAccuracy.toFixed(4).padStart(9)}  ${(r.valLoss ?? NaN).toFixed(4).padStart(8)}  ${(r.valAccuracy ?? NaN).toFixed(4).padStart(7)}  ${r.lr.toExponential(2).padStart(8)}  ${r.seconds.toFixed(2).padStart(7)}`;
}

interface Session {
  config: TrainConfig;
  /** Unset until the run directory is created: a default one only once the data has loaded. */
  outDir?: string;
  json: boolean;
  resumed?: ReturnType<typeof loadRun>;
}

/** The run directory may not exist yet, but neither it nor a directory above it may be a file. */
function checkOutDir(dir: string): void {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir, { throwIfNoEntry: false });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw new UsageError(`--out: a part of ${dir} is a file, not a directory`);
    throw e;
  }
  if (st && !st.isDirectory()) throw new UsageError(`--out must be a directory, got the file ${dir}`);
}

/** Reads the options (or the resumed run's config) and selects the backend. */
function startSession(v: Record<string, string | boolean | undefined>): Session {
  if (v.resume) {
    const recipeOptions = Object.keys(v).filter((k) => !RESUME_OPTIONS.includes(k) && v[k] !== undefined);
    if (recipeOptions.length) {
      throw new UsageError(`--resume continues with the run's saved config, so --${recipeOptions[0]} cannot change it; only ${RESUME_OPTIONS.map((k) => `--${k}`).join(', ')} go with --resume`);
    }
  }
  const resumed = v.resume ? loadRun(v.resume as string) : undefined;
  const config = resumed ? { ...resumed.config, epochs: resumedEpochs(v, resumed) } : trainConfig(v);
  // Without --backend, DEEPFIT_BACKEND (or native) stays in force.
  backend.use(oneOf(v.backend, 'backend', ['native', 'reference'] as const) ?? backend.current());
  const threads = number(v.threads, 'threads', { min: 1, max: 1024, integer: true });
  if (threads !== undefined && backend.current() === 'native') backend.setThreads(threads);
  const outDir = v.out !== undefined ? path.resolve(v.out as string) : resumed?.dir;
  if (outDir) {
    checkOutDir(outDir);
    checkOutIsFree(outDir, resumed?.dir, !!v.force);
  }
  return { config, resumed, json: !!v.json, outDir };
}

function backendLabel(): string {
  if (backend.current() !== 'native') return `${backend.current()} backend`;
  const info = backend.info();
  return `native backend (${info.isa}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}

function writeReport(s: Session & { outDir: string }, title: string, model: ModelConfig, sizes: string, result: FitResult, final: Record<string, number | string | null>, confusion: { matrix: number[][]; classes: string[] } | undefined): void {
  const config = { ...s.config, model, backend: backend.current(), isa: backend.current() === 'native' ? backend.info().isa : null, samples: sizes };
  writeFileAtomic(path.join(s.outDir, 'report.html'), [renderReport({ title, config, history: result.history, final, diagnostics: result.diagnostics, confusion })]);
}

/** Returns the exit status: 1 when no epoch finished (the loss was not finite from the start). */
export function runTrain(argv: string[], out: (s: string) => void): number {
  const v = parse('train', argv, TRAIN_SPEC);
  if (v.help) {
    out(`usage: deepfit train [options]\n\n${helpText(TRAIN_SPEC)}`);
    return 0;
  }
  const started = Date.now();
  const session = startSession(v);
  const { config, json, resumed } = session;
  const splits = loadSplits(config);
  const created = session.outDir === undefined;
  const s = { ...session, outDir: session.outDir ?? createRunDir(defaultOut(config)) };
  try {
    return trainInto(s, splits, started, out);
  } catch (e) {
    // A default run directory that a failure left empty is not kept.
    if (created && fs.readdirSync(s.outDir).length === 0) fs.rmdirSync(s.outDir);
    throw e;
  }
}

/** The network, optimizer and schedule; from a resumed run's saved config, a failure names the checkpoint. */
function rebuildable<T>(checkpoint: string | undefined, build: () => T): T {
  if (!checkpoint) return build();
  try {
    return build();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`${checkpoint}: its saved config cannot be rebuilt (${(e as Error).message})`);
  }
}

function trainInto(s: Session & { outDir: string }, splits: Splits, started: number, out: (s: string) => void): number {
  const { config, json, resumed } = s;
  const standardizer = new data.Standardizer().fit(splits.train);
  const [train, val, test] = [splits.train, splits.val, splits.test].map((d) => standardizer.transform(d));
  const modelConfig: ModelConfig = { inputs: train.d, classes: splits.classes.length, ...config.model };
  const { model, optimizer, scheduler, interval } = rebuildable(resumed?.lastCheckpoint, () => {
    if (resumed) {
      checkModelConfig(modelConfig);
      if (!OPTIMIZERS.includes(config.optimizer)) throw new RangeError(`its optimizer ${JSON.stringify(config.optimizer)} is unknown`);
      if (!SCHEDULES.includes(config.schedule)) throw new RangeError(`its schedule ${JSON.stringify(config.schedule)} is unknown`);
    }
    manualSeed(config.seed);
    const model = buildModel(modelConfig);
    const optimizer = buildOptimizer(model, config.optimizer, config.lr, config.weightDecay);
    const stepsPerEpoch = Math.ceil(train.n / config.batchSize);
    const { scheduler, interval } = buildScheduler(optimizer, config.schedule, { epochs: config.epochs, stepsPerEpoch, lr: config.lr, patience: config.patience });
    return { model, optimizer, scheduler, interval };
  });
  // Only now, with the run rebuilt, does a new directory get the resumed run's checkpoints.
  if (resumed) carryCheckpoints(resumed.dir, s.outDir);
  const sizes = `${train.n}/${val.n}/${test.n}`;
  if (!json) {
    out(`deepfit train: ${config.dataset}, ${sizes} samples (train/val/test), ${train.d} features, ${modelConfig.classes} classes; MLP ${[train.d, ...config.model.hidden, modelConfig.classes].join('-')}, ${config.optimizer}, ${config.schedule} schedule, ${backendLabel()}`);
    out(TABLE_HEAD);
    for (const r of resumed?.history ?? []) out(tableRow(r));
  }
  const result = fit(model, train, {
    valData: val,
    epochs: config.epochs,
    batchSize: config.batchSize,
    optimizer,
    scheduler,
    schedulerInterval: interval,
    clipGradNorm: config.clipGradNorm,
    earlyStopping: { monitor: 'valLoss', patience: config.patience, restoreBestWeights: true },
    checkpoint: { dir: s.outDir, meta: { config, model: modelConfig, standardizer: standardizer.toJSON(), classes: splits.classes } },
    log: path.join(s.outDir, 'metrics.jsonl'),
    seed: config.seed,
    // The table rows are the per-epoch lines; the bar adds the live view on a terminal.
    progress: !json && process.stderr.isTTY ? 'bar' : 'none',
    resume: resumed?.lastCheckpoint,
    onEpochEnd: json ? undefined : (r) => out(tableRow(r)),
  });
  const testEval = evaluate(model, test, { lossFn: new nn.CrossEntropyLoss() });
  const seconds = (Date.now() - started) / 1000;
  const final = {
    'test accuracy': testEval.accuracy,
    'test loss': testEval.loss,
    'best epoch': result.bestEpoch,
    'best val loss': result.bestValue,
    epochs: result.history.length,
    'stopped because': result.stopReason,
    seconds,
  };
  // A confusion matrix of more classes would not be readable in the report (and grows as classes²).
  const confusion = modelConfig.classes <= REPORT_MAX_CLASSES ? { matrix: confusionMatrix(test.labels, testEval.predictions, modelConfig.classes), classes: splits.classes } : undefined;
  writeReport(s, `deepfit · ${config.dataset} · test accuracy ${testEval.accuracy.toFixed(4)}`, modelConfig, sizes, result, final, confusion);
  if (json) {
    // The kept weights (checkpoint.safetensors, the test metrics) are the best epoch's; `last` is where training stopped.
    const best = result.history.find((r) => r.epoch === result.bestEpoch) ?? null;
    const last = result.history[result.history.length - 1] ?? null;
    out(JSON.stringify({ testAccuracy: testEval.accuracy, testLoss: testEval.loss, bestEpoch: result.bestEpoch, epochs: result.history.length, stopReason: result.stopReason, seconds, out: s.outDir, best, last, diagnostics: result.diagnostics, config }));
    return result.bestEpoch > 0 ? 0 : 1;
  }
  for (const d of result.diagnostics) out(formatDiagnostic(d));
  const written = RUN_FILES.filter((f) => fs.existsSync(path.join(s.outDir, f)));
  if (result.bestEpoch > 0) out(`best epoch ${result.bestEpoch} (${result.monitor} ${result.bestValue.toFixed(4)}), stopped: ${result.stopReason}; ${seconds.toFixed(1)} s`);
  else out(`no epoch finished (stopped: ${result.stopReason}), so no checkpoint was written; ${seconds.toFixed(1)} s`);
  out(`run directory: ${shownPath(s.outDir)} (${written.join(', ')})`);
  out(`test accuracy: ${testEval.accuracy.toFixed(4)}${result.bestEpoch > 0 ? '' : ' (the initial weights)'}`);
  return result.bestEpoch > 0 ? 0 : 1;
}

const REPORT_MAX_CLASSES = 100;
const RUN_FILES = ['metrics.jsonl', 'checkpoint.safetensors', 'last.safetensors', 'report.html'];
