import { readFileSync } from 'node:fs';
import { ConfigError, ErrorCodes } from '@openltm/model';
import type { Executor } from './executor';
import type { Output } from './output';
import { asLines } from './output';
import { describeError, exitCodeFor } from './error-report';

/** A file is "large" (worth a progress bar) from this many statement-ish lines on. */
const PROGRESS_THRESHOLD_LINES = 500;

export interface LoadOptions {
  dryRun: boolean;
  quiet: boolean;
  output: Output;
  /** Where a progress bar may be drawn; only when it is a terminal. */
  progressStream?: NodeJS.WriteStream;
}

/**
 * `openltm load -f FILE`: applies a tmsh script atomically and returns the exit status. A bad line
 * changes nothing; the report names the file, line and column. `-` reads stdin.
 */
export async function loadScriptFile(executor: Executor, file: string, opts: LoadOptions): Promise<number> {
  const source = file === '-' ? '<stdin>' : file;
  let text: string;
  try {
    text = readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (err) {
    opts.output.stderr(`${new ConfigError(ErrorCodes.FILE, `Cannot read ${source}: ${(err as Error).message}`).toString()}\n`);
    return 1;
  }
  const progress = !opts.quiet && opts.progressStream?.isTTY && countLines(text) >= PROGRESS_THRESHOLD_LINES
    ? startProgress(opts.progressStream)
    : undefined;
  try {
    const report = await executor.loadScript(text, { source, dryRun: opts.dryRun, onProgress: progress?.update });
    progress?.stop();
    if (report.output) opts.output.stdout(asLines(report.output));
    for (const w of report.warnings ?? []) opts.output.stderr(`${w}\n`);
    if (!opts.quiet) {
      const verb = opts.dryRun ? 'Validated' : 'Loaded';
      const note = opts.dryRun ? ' (dry run: nothing changed)' : '';
      opts.output.stderr(`${verb} ${report.statements} statement${report.statements === 1 ? '' : 's'} from ${source}${note}\n`);
    }
    return 0;
  } catch (err) {
    progress?.stop();
    opts.output.stderr(describeError(err, text, source));
    if (!opts.quiet) opts.output.stderr(`Nothing was changed: ${source} was not applied.\n`);
    return exitCodeFor(err);
  }
}

function countLines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function startProgress(stream: NodeJS.WriteStream): { update: (done: number, total: number) => void; stop: () => void } {
  // Loaded only for large files on a terminal: cli-progress is not needed on the common path.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { SingleBar, Presets } = require('cli-progress') as typeof import('cli-progress');
  const bar = new SingleBar(
    { stream, format: 'Applying [{bar}] {value}/{total} statements', clearOnComplete: true, hideCursor: true },
    Presets.shades_classic,
  );
  let started = false;
  return {
    update: (done, total) => {
      if (!started) {
        bar.start(total, 0);
        started = true;
      }
      bar.update(done);
    },
    stop: () => started && bar.stop(),
  };
}
