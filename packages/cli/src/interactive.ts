import type { RootLogger } from './logger';
import type { Executor } from './executor';
import { processOutput } from './output';
import { Shell } from './shell/shell';
import { localIdentity } from './shell/prompt';
import { historyPath } from './store-path';

/**
 * Runs the shell on the process's terminal: interactive (prompt, Tab, `?`, history) when stdin is a
 * TTY, otherwise a plain read loop over piped input. Resolves with the exit status.
 */
export function runShell(executor: Executor, log: RootLogger): Promise<number> {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const shell = new Shell({
    executor,
    input: process.stdin,
    terminal: process.stdout,
    output: processOutput,
    identity: localIdentity(),
    interactive,
    historyFile: historyPath(),
    onInternalError: (err) => log.error({ err }, 'command failed unexpectedly'),
  });
  return shell.run();
}
