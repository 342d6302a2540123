import { resolve } from 'node:path';
import type TmshCommand from './tmsh-command';

/** The cli package root: oclif reads its package.json (the `oclif` block) from here. */
const PACKAGE_ROOT = resolve(__dirname, '..');

/**
 * `tmsh -c "list ltm pool" | head -1`: a reader that goes away is not an error worth a stack trace.
 * Every write to the store has committed before its output is printed.
 */
function quietOnBrokenPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    process.exit(process.exitCode ?? 0);
  });
}

/** Loads oclif (only when needed: the tmsh fast path never does). */
function oclif(): typeof import('@oclif/core') {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const core = require('@oclif/core') as typeof import('@oclif/core');
  // The bins always run compiled code: never let oclif look for ts-node or tsx (jest sets NODE_ENV=test).
  core.settings.enableAutoTranspile = false;
  return core;
}

async function finish(core: typeof import('@oclif/core'), run: Promise<unknown>): Promise<void> {
  try {
    await run;
    await core.flush();
  } catch (err) {
    await core.handle(err as Error);
  }
}

/** `openltm <command> ...`: oclif dispatches to src/commands. */
export function runOpenltm(argv: string[] = process.argv.slice(2)): Promise<void> {
  quietOnBrokenPipe();
  const core = oclif();
  return finish(core, core.run(argv, PACKAGE_ROOT));
}

/**
 * `tmsh ...`: a single-command oclif CLI; the tmsh grammar owns the arguments after the flags.
 * Scripted one-shots (`tmsh -c "..."`, `tmsh list ltm pool p1`) take a fast path that does not load
 * oclif (a third of the cold start); the shell, help and any other flag go through oclif.
 */
export function runTmsh(argv: string[] = process.argv.slice(2)): Promise<void> {
  quietOnBrokenPipe();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const invocation = require('./tmsh-invocation') as typeof import('./tmsh-invocation');
  // OPENLTM_TMSH_FAST_PATH=0 sends everything through oclif (bench/cli.js measures the difference).
  const fast = process.env.OPENLTM_TMSH_FAST_PATH === '0' ? undefined : invocation.fastTmshArgs(argv);
  if (fast) {
    return invocation.runTmshInvocation(fast).then(
      (code) => void (process.exitCode = code),
      (err: unknown) => {
        process.stderr.write(`tmsh: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 70;
      },
    );
  }
  const core = oclif();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Tmsh = (require('./tmsh-command') as { default: typeof TmshCommand }).default;
  return finish(core, Tmsh.run(argv, PACKAGE_ROOT));
}
