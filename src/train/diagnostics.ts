// The training recipe's warning signs, checked after each epoch and reported
// in plain words with their likely causes and fixes. Each kind is reported
// once per run (dead ReLUs once per layer), so a long run does not repeat itself.
import type { Diagnostic, EpochResult } from './types';

/** Epochs after which a loss that has not fallen is worth a warning. */
const EARLY_EPOCHS = 3;
/** A batch gradient norm this many times the first epoch's mean is "exploding". */
const EXPLODE_FACTOR = 50;
/** A layer with more dead units than this is reported. */
const DEAD_FRACTION = 0.5;
/** Consecutive epochs of rising val loss with falling train loss that mean overfitting. */
const OVERFIT_EPOCHS = 3;

export function nonFiniteLoss(epoch: number, batch: number, loss: number): Diagnostic {
  return {
    kind: 'non-finite-loss',
    severity: 'error',
    epoch,
    message: `the training loss became ${loss} at epoch ${epoch}, batch ${batch}; training stopped and ${epoch > 1 ? `the weights of epoch ${epoch - 1}, the last good one,` : 'the initial weights'} were kept`,
    causes: ['the learning rate is too high', 'no gradient clipping, so one large gradient blew the weights up', 'bad data: NaN or Inf in the features, or unscaled features'],
    fixes: ['lower the learning rate (e.g. by 10×)', 'clip gradients (clipGradNorm: 1 in fit, --clip-grad-norm 1 on the command line)', 'standardize the features and check the data for NaN/Inf'],
  };
}

export class DiagnosticsMonitor {
  readonly found: Diagnostic[] = [];
  private readonly reported = new Set<string>();

  constructor(private readonly numClasses: number, private readonly clipping: boolean) {}

  private report(key: string, d: Diagnostic): Diagnostic[] {
    if (this.reported.has(key)) return [];
    this.reported.add(key);
    this.found.push(d);
    return [d];
  }

  add(d: Diagnostic): void {
    this.report(d.kind, d);
  }

  /** Checks the history after an epoch; returns the newly found signs. */
  afterEpoch(history: EpochResult[]): Diagnostic[] {
    const e = history[history.length - 1];
    return [...this.lossNotFalling(history), ...this.exploding(history), ...this.deadRelu(e), ...this.overfitting(history)];
  }

  private lossNotFalling(h: EpochResult[]): Diagnostic[] {
    if (h.length !== EARLY_EPOCHS) return [];
    const first = h[0].trainLoss;
    const last = h[h.length - 1].trainLoss;
    if (!(last >= first * 0.98)) return [];
    return this.report('loss-not-falling', {
      kind: 'loss-not-falling',
      severity: 'warning',
      epoch: h.length,
      message: `the training loss has not fallen over the first ${EARLY_EPOCHS} epochs (${first.toPrecision(4)} → ${last.toPrecision(4)})`,
      causes: ['the learning rate is too low (or too high, so it bounces)', 'dead units: ReLUs stuck at zero pass no gradient', 'the labels do not match the features'],
      fixes: ['try a learning rate 3–10× higher (or lower)', 'use He (kaiming) init, BatchNorm or LeakyReLU', 'check that the labels line up with the samples'],
    });
  }

  private exploding(h: EpochResult[]): Diagnostic[] {
    const e = h[h.length - 1];
    const base = h[0].gradNorm;
    const blown = !Number.isFinite(e.maxGradNorm) || (base > 0 && h.length > 1 && e.maxGradNorm > EXPLODE_FACTOR * base);
    if (!blown) return [];
    return this.report('exploding-gradients', {
      kind: 'exploding-gradients',
      severity: 'warning',
      epoch: e.epoch,
      message: `gradient norms are exploding: a batch reached ${e.maxGradNorm.toPrecision(3)}, ${(e.maxGradNorm / base).toFixed(0)}× the first epoch's mean of ${base.toPrecision(3)}${this.clipping ? ' (before clipping)' : ''}`,
      causes: ['the learning rate is too high', 'no gradient clipping', 'no normalization in a deep network'],
      fixes: [this.clipping ? 'lower the clipping threshold' : 'clip gradients (clipGradNorm: 1)', 'lower the learning rate or add warmup', 'add BatchNorm'],
    });
  }

  private deadRelu(e: EpochResult): Diagnostic[] {
    const out: Diagnostic[] = [];
    for (const [layer, fraction] of Object.entries(e.deadRelu ?? {})) {
      if (fraction <= DEAD_FRACTION) continue;
      out.push(
        ...this.report(`dead-relu:${layer}`, {
          kind: 'dead-relu',
          severity: 'warning',
          epoch: e.epoch,
          message: `${(100 * fraction).toFixed(0)}% of the ReLU units of layer ${layer} are dead (zero for every probed sample)`,
          causes: ['a learning rate too high pushed their biases negative', 'poor initialization for ReLU'],
          fixes: ['lower the learning rate', 'use He (kaiming) init and BatchNorm before the ReLU', 'try LeakyReLU or GELU'],
        }),
      );
    }
    return out;
  }

  private overfitting(h: EpochResult[]): Diagnostic[] {
    if (h.length <= OVERFIT_EPOCHS || h[h.length - 1].valLoss === null) return [];
    const w = h.slice(-OVERFIT_EPOCHS - 1);
    for (let i = 1; i < w.length; i++) {
      if (!((w[i].valLoss as number) > (w[i - 1].valLoss as number) && w[i].trainLoss < w[i - 1].trainLoss)) return [];
    }
    const e = h[h.length - 1];
    return this.report('overfitting', {
      kind: 'overfitting',
      severity: 'warning',
      epoch: e.epoch,
      message: `the train/val gap is growing: val loss rose for ${OVERFIT_EPOCHS} epochs (to ${(e.valLoss as number).toPrecision(4)}) while train loss fell (to ${e.trainLoss.toPrecision(4)}) — overfitting`,
      causes: ['the model is large for the amount of data', 'too little regularization', 'training for too long'],
      fixes: ['use early stopping with restoreBestWeights', 'raise dropout or weight decay', 'get more data or augment it, or use a smaller model'],
    });
  }

  /** Checks the finished run for underfitting (both losses high). */
  finish(h: EpochResult[]): Diagnostic[] {
    const e = h[h.length - 1];
    if (!e || e.valLoss === null || this.found.some((d) => d.kind === 'non-finite-loss')) return [];
    // Chance level is ln(C); still above half of it means the model learned little.
    const high = 0.5 * Math.log(Math.max(2, this.numClasses));
    if (!(e.trainLoss > high && e.valLoss > high)) return [];
    return this.report('underfitting', {
      kind: 'underfitting',
      severity: 'warning',
      epoch: e.epoch,
      message: `both losses are still high at the end (train ${e.trainLoss.toPrecision(4)}, val ${e.valLoss.toPrecision(4)}; chance is ${Math.log(Math.max(2, this.numClasses)).toPrecision(4)}) — underfitting`,
      causes: ['the model is too small', 'too few epochs or a learning rate too low', 'too much regularization'],
      fixes: ['train longer or raise the learning rate', 'widen or deepen the network', 'lower dropout and weight decay'],
    });
  }
}

/** One diagnostic as plain text lines. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.severity} (epoch ${d.epoch}): ${d.message}\n  likely causes: ${d.causes.join('; ')}\n  try: ${d.fixes.join('; ')}`;
}
