import { ConfigError, ErrorCodes } from '@openltm/model';
import type { Executor } from './executor';
import type { RootLogger } from './logger';
import type { Output } from './output';
import { describeError, exitCodeFor } from './error-report';
import { fsReason, resolveStorePath } from './store-path';

/** What every mode needs to reach the configuration: which store, and the root logger. */
export interface OpenOptions {
  /** --store; falls back to OPENLTM_STORE, then ~/.openltm/config.db. */
  store?: string;
  log: RootLogger;
}

/**
 * Opens the store and returns the one executor every mode uses. The parser and store modules
 * (chevrotain, better-sqlite3) are loaded here, not when the CLI starts, so `--help` stays instant.
 * A store that cannot be opened (not a database, no permission) is bad input: a ConfigError.
 */
export function openExecutor(opts: OpenOptions): Executor {
  const path = resolveStorePath(opts.store);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TmshSession } = require('./session') as typeof import('./session');
  try {
    return TmshSession.open(path, opts.log);
  } catch (err) {
    if (ConfigError.is(err)) throw err;
    opts.log.debug({ err, store: path }, 'cannot open the store');
    throw new ConfigError(ErrorCodes.FILE, `Cannot open the configuration store ${path}: ${fsReason(err)}`);
  }
}

/**
 * Opens the executor, runs `use`, and closes it; returns the exit status. A store that cannot be
 * opened is reported like any other error (BIG-IP style on stderr, status 1).
 */
export async function withExecutor(opts: OpenOptions, output: Output, use: (executor: Executor) => Promise<number>): Promise<number> {
  let executor: Executor;
  try {
    executor = openExecutor(opts);
  } catch (err) {
    output.stderr(describeError(err));
    return exitCodeFor(err);
  }
  try {
    return await use(executor);
  } finally {
    executor.close();
  }
}
