import { RootLogger } from './logger';

/** What a `tmsh` command line asks for, after its flags are read (by oclif or by the fast path). */
export interface TmshInvocation {
  /** `-c "cmd; cmd"`. */
  command?: string;
  /** Command words (`tmsh list ltm pool p1`), joined into one line as on BIG-IP. */
  words: string[];
  /** BIG-IP's -q (no pager question). openltm never pages, so it changes nothing; accepted for scripts. */
  quiet: boolean;
  store?: string;
  logLevel?: string;
  logFile?: string;
}

/**
 * Runs tmsh: one-shot when there is a command, else the shell. Returns the exit status. Shared by
 * the oclif command and the fast path, so both behave identically.
 */
export async function runTmshInvocation(inv: TmshInvocation): Promise<number> {
  const log = new RootLogger({ level: inv.logLevel, file: inv.logFile });
  const { joinArgs } = await import('./command-line');
  const text = inv.command ?? (inv.words.length > 0 ? joinArgs(inv.words) : undefined);
  const { withExecutor } = await import('./open-executor');
  const { processOutput } = await import('./output');
  return withExecutor({ store: inv.store, log }, processOutput, async (executor) => {
    if (text === undefined) {
      const { runShell } = await import('./interactive');
      return runShell(executor, log);
    }
    const { runOneShot } = await import('./one-shot');
    return runOneShot(executor, text, processOutput, (err) => log.error({ err }, 'command failed unexpectedly'));
  });
}

const VALUE_FLAGS: Readonly<Record<string, keyof TmshInvocation>> = {
  '-c': 'command',
  '--command': 'command',
  '--store': 'store',
  '--log-level': 'logLevel',
  '--log-file': 'logFile',
};

/**
 * The fast path's reader for the common scripted forms (`tmsh -c "..."`, `tmsh [-q] list ltm pool`):
 * flags before the command words only, as BIG-IP's tmsh takes them. Returns undefined for anything
 * else (help, the shell, unknown flags), which then goes through oclif.
 */
export function fastTmshArgs(argv: readonly string[]): TmshInvocation | undefined {
  const inv: TmshInvocation = { words: [], quiet: false };
  let i = 0;
  for (; i < argv.length && argv[i].startsWith('-'); i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (arg === '-q' || arg === '--quiet') inv.quiet = true;
    else if (arg === '--') {
      i++;
      break;
    } else if (VALUE_FLAGS[name]) {
      const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) return undefined;
      (inv as unknown as Record<string, string>)[VALUE_FLAGS[name]] = value;
    } else return undefined;
  }
  inv.words = argv.slice(i);
  if (inv.command === undefined && inv.words.length === 0) return undefined;
  if (inv.command !== undefined && inv.words.length > 0) return undefined;
  return inv;
}
