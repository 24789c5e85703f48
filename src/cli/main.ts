#!/usr/bin/env node
// deepfit: the command line. `deepfit train` trains the default recipe on the
// shipped digits data; see `deepfit --help`.
import { NativeAddonError } from '../backend/native';
import { closest, UsageError } from './args';
import { runBench } from './bench';
import { runPredict } from './predict';
import { runTrain } from './train';
import { runVerify } from './verify';

const COMMANDS = ['train', 'predict', 'verify', 'bench'];
const USAGE = `usage: deepfit <command> [options]

commands:
  train     train an MLP (default: the shipped digits data) and write a run directory
  predict   predict classes for a CSV file with a trained checkpoint
  verify    check that native kernels match the reference bit for bit on this machine
  bench     run the benchmark suites (from a clone of the repository)

Run 'deepfit <command> --help' for a command's options.`;

export function main(argv: string[]): number {
  const out = (s: string) => void process.stdout.write(s + '\n');
  const err = (s: string) => void process.stderr.write(s + '\n');
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'train':
        return runTrain(rest, out);
      case 'predict':
        runPredict(rest, out, err);
        return 0;
      case 'verify':
        return runVerify(rest, out);
      case 'bench':
        return runBench(rest, err);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        // Asked for, the usage is the output; without a command it is an error message.
        (command === undefined ? err : out)(USAGE);
        return command === undefined ? 2 : 0;
      default: {
        const guess = closest(command, COMMANDS);
        throw new UsageError(`deepfit: unknown command '${command}'.${guess ? ` Did you mean '${guess}'?` : ''} Commands: ${COMMANDS.join(', ')}.`);
      }
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(e.message);
      return 2;
    }
    // Only train takes --backend; verify and bench measure the addon itself.
    const advice = command === 'train' ? '\n  Or add --backend reference to run the pure TypeScript kernels.' : '';
    const message = e instanceof NativeAddonError ? `${e.problem.replace(/^deepfit: /, '')}${advice}` : (e as Error).message;
    err(`deepfit ${command}: ${message}`);
    if (process.env.DEEPFIT_DEBUG) err((e as Error).stack ?? '');
    return 1;
  }
}

/**
 * A reader that went away (`deepfit train | head -1`) is the normal end of a
 * pipeline, not a failure: stop quietly with status 0, like other Unix tools.
 */
function exitQuietlyOnEpipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    // Any other failure to write (a full disk, /dev/full) is one line and status 1.
    if (stream !== process.stderr) {
      try {
        process.stderr.write(`deepfit: cannot write the output: ${e.message}\n`);
      } catch {}
    }
    process.exit(1);
  });
}

if (require.main === module) {
  exitQuietlyOnEpipe(process.stdout);
  exitQuietlyOnEpipe(process.stderr);
  process.exitCode = main(process.argv.slice(2));
}
