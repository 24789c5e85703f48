// The warning signs on synthetic histories: each fires when its pattern is
// present, once, and not on a healthy run.
import { describe, it, expect, vi } from 'vitest';
import { DiagnosticsMonitor, formatDiagnostic } from '../src/train/diagnostics';
import { makeProgress } from '../src/train/progress';
import type { EpochResult } from '../src/train/types';

function epochs(rows: [number, number | null, number?][]): EpochResult[] {
  return rows.map(([trainLoss, valLoss, maxGradNorm = 1], i) => ({
    epoch: i + 1,
    trainLoss,
    trainAccuracy: 0.5,
    valLoss,
    valAccuracy: valLoss === null ? null : 0.5,
    lr: 1e-3,
    gradNorm: 1,
    maxGradNorm,
    seconds: 1,
    samplesPerSec: 1,
  }));
}

/** Feeds the history epoch by epoch, as fit() does; returns the kinds found. */
function run(h: EpochResult[], clipping = false): string[] {
  const m = new DiagnosticsMonitor(10, clipping);
  for (let i = 1; i <= h.length; i++) m.afterEpoch(h.slice(0, i));
  m.finish(h);
  return m.found.map((d) => d.kind);
}

describe('diagnostics', () => {
  it('a healthy run raises nothing', () => {
    expect(run(epochs([[2, 1.9], [1, 1.1], [0.5, 0.6], [0.3, 0.45], [0.2, 0.4], [0.15, 0.39]]))).toEqual([]);
  });

  it('overfitting: val loss up three epochs in a row while train loss falls, reported once', () => {
    const h = epochs([[2, 1.9], [1, 1.0], [0.5, 0.6], [0.3, 0.65], [0.2, 0.7], [0.1, 0.8], [0.05, 0.9]]);
    expect(run(h)).toEqual(['overfitting']);
    const m = new DiagnosticsMonitor(10, false);
    for (let i = 1; i <= h.length; i++) m.afterEpoch(h.slice(0, i));
    expect(m.found[0].epoch).toBe(6);
    expect(formatDiagnostic(m.found[0])).toMatch(/^warning \(epoch 6\): the train\/val gap is growing.*\n  likely causes: .*\n  try: use early stopping/);
  });

  it('underfitting: both losses above half of chance level at the end', () => {
    expect(run(epochs([[2.3, 2.3], [2.0, 2.0], [1.8, 1.8], [1.6, 1.7]]))).toEqual(['underfitting']);
  });

  it('a loss that has not fallen after three epochs', () => {
    expect(run(epochs([[2.3, null], [2.31, null], [2.29, null], [1.0, null]]))).toEqual(['loss-not-falling']);
  });

  it('exploding gradient norms, naming clipping as the fix only when it is off', () => {
    const h = epochs([[2, 1.9, 2], [1, 1.0, 3], [0.5, 0.6, 500]]);
    expect(run(h)).toEqual(['exploding-gradients']);
    const m = new DiagnosticsMonitor(10, true);
    for (let i = 1; i <= h.length; i++) m.afterEpoch(h.slice(0, i));
    expect(m.found[0].message).toMatch(/a batch reached 500, 500× the first epoch's mean of 1\.00 \(before clipping\)/);
    expect(m.found[0].fixes[0]).toBe('lower the clipping threshold');
    expect(run(epochs([[2, 1.9, 2], [1, 1.0, Infinity]]))).toEqual(['exploding-gradients']);
  });

  it('dead ReLUs per layer above one half', () => {
    const h = epochs([[2, 1.9], [1, 1.0]]);
    h[0].deadRelu = { '2': 0.4, '6': 0.75 };
    h[1].deadRelu = { '2': 0.6, '6': 0.8 };
    const m = new DiagnosticsMonitor(10, false);
    m.afterEpoch(h.slice(0, 1));
    m.afterEpoch(h);
    expect(m.found.map((d) => [d.epoch, d.message])).toEqual([
      [1, '75% of the ReLU units of layer 6 are dead (zero for every probed sample)'],
      [2, '60% of the ReLU units of layer 2 are dead (zero for every probed sample)'],
    ]);
  });
});

describe('progress', () => {
  it("'lines' writes one line per epoch; 'none' writes nothing", () => {
    const written: string[] = [];
    const stream = { write: (s: string) => void written.push(s), isTTY: false } as unknown as NodeJS.WriteStream;
    const [r] = epochs([[0.5, 0.25]]);
    const lines = makeProgress('lines', stream);
    lines.startEpoch(1, 3, 10);
    lines.batch(5, 0.5, 100);
    lines.endEpoch(r, 3);
    expect(written).toEqual(['epoch 1/3  train loss 0.5000 acc 0.5000  val loss 0.2500 acc 0.5000  lr 1.00e-3  1 samples/s  1.00s\n']);
    const auto = makeProgress('auto', stream);
    auto.endEpoch(r, 3);
    expect(written.length).toBe(2);
    const spy = vi.fn();
    makeProgress('none', { write: spy } as unknown as NodeJS.WriteStream).endEpoch(r, 3);
    expect(spy).not.toHaveBeenCalled();
  });
});
