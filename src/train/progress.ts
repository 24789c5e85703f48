// Progress output: a cli-progress bar on a TTY (epoch, batch, loss, ETA,
// samples/s), plain lines otherwise, nothing when switched off.
import { SingleBar, Presets } from 'cli-progress';
import type { EpochResult } from './types';

/** 'auto': bar and epoch lines on a TTY, lines otherwise; 'bar': the live bar alone; 'lines'; 'none'. */
export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';

export interface Progress {
  startEpoch(epoch: number, epochs: number, batches: number): void;
  batch(done: number, loss: number, samplesPerSec: number): void;
  endEpoch(r: EpochResult, epochs: number): void;
  message(text: string): void;
  stop(): void;
}

const num = (v: number | null, digits = 4) => (v === null ? '—' : v.toFixed(digits));

/** One line per epoch. */
export function epochLine(r: EpochResult, epochs: number): string {
  return (
    `epoch ${r.epoch}/${epochs}  train loss ${num(r.trainLoss)} acc ${num(r.trainAccuracy)}  ` +
    `val loss ${num(r.valLoss)} acc ${num(r.valAccuracy)}  lr ${r.lr.toExponential(2)}  ` +
    `${Math.round(r.samplesPerSec)} samples/s  ${r.seconds.toFixed(2)}s`
  );
}

class BarProgress implements Progress {
  private bar: SingleBar | undefined;
  /** withLines: also leave one line per finished epoch (callers printing their own rows pass false). */
  constructor(private readonly stream: NodeJS.WriteStream, private readonly withLines: boolean) {}
  startEpoch(epoch: number, epochs: number, batches: number): void {
    this.bar = new SingleBar(
      {
        format: `epoch ${epoch}/${epochs} [{bar}] {value}/{total} batches | loss {loss} | {sps} samples/s | ETA {eta_formatted}`,
        stream: this.stream,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 20,
      },
      Presets.shades_classic,
    );
    this.bar.start(batches, 0, { loss: '—', sps: '—' });
  }
  batch(done: number, loss: number, sps: number): void {
    this.bar?.update(done, { loss: loss.toFixed(4), sps: Math.round(sps) });
  }
  endEpoch(r: EpochResult, epochs: number): void {
    this.bar?.stop();
    this.bar = undefined;
    if (this.withLines) this.stream.write(epochLine(r, epochs) + '\n');
  }
  message(text: string): void {
    this.stream.write(text + '\n');
  }
  stop(): void {
    this.bar?.stop();
  }
}

class LineProgress implements Progress {
  constructor(private readonly stream: NodeJS.WritableStream) {}
  startEpoch(): void {}
  batch(): void {}
  endEpoch(r: EpochResult, epochs: number): void {
    this.stream.write(epochLine(r, epochs) + '\n');
  }
  message(text: string): void {
    this.stream.write(text + '\n');
  }
  stop(): void {}
}

class NoProgress implements Progress {
  startEpoch(): void {}
  batch(): void {}
  endEpoch(): void {}
  message(): void {}
  stop(): void {}
}

/** @internal */
export function makeProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (mode === 'none') return new NoProgress();
  if (mode === 'bar') return new BarProgress(stream, false);
  if (mode === 'auto' && stream.isTTY) return new BarProgress(stream, true);
  return new LineProgress(stream);
}
