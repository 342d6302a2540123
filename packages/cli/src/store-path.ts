import { mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

/** Where openltm keeps per-user state (history, the default store). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.openltm');
}

/**
 * The configuration store to open: `--store PATH`, else OPENLTM_STORE, else ~/.openltm/config.db.
 * Creates the containing directory (0700) so the first run just works.
 */
export function resolveStorePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag || env.OPENLTM_STORE || join(stateDir(env), 'config.db');
  const path = resolve(chosen);
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  return path;
}

/** The shell's history file: ~/.openltm/history (OPENLTM_HISTORY overrides it). */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENLTM_HISTORY || join(stateDir(env), 'history');
}
