import type { RootLogger } from './logger';
import type { Executor } from './executor';
import { resolveStorePath } from './store-path';

/** What every mode needs to reach the configuration: which store, and a (lazily made) logger. */
export interface OpenOptions {
  /** --store; falls back to OPENLTM_STORE, then ~/.openltm/config.db. */
  store?: string;
  log: RootLogger;
}

/**
 * Opens the store and returns the one executor every mode uses. The parser and store modules
 * (chevrotain, better-sqlite3) are loaded here, not when the CLI starts, so `--help` stays instant.
 */
export function openExecutor(opts: OpenOptions): Executor {
  const path = resolveStorePath(opts.store);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { TmshSession } = require('./session') as typeof import('./session');
  return TmshSession.open(path, opts.log);
}
