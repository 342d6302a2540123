import { mkdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ConfigError, ErrorCodes } from '@openltm/model';

/** Where openltm keeps per-user state (history, the default store). */
export function stateDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.HOME || homedir(), '.openltm');
}

const REASONS: Readonly<Record<string, string>> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'read-only file system',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a component of the path is not a directory',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on device',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** A file-system error in words (`permission denied`), without a stack or errno noise. */
export function fsReason(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  return (code && REASONS[code]) ?? (err instanceof Error ? err.message : String(err));
}

/** The one-line error for a store path that cannot be used. */
export function storePathError(path: string, what: string, err: unknown): ConfigError {
  return new ConfigError(ErrorCodes.FILE, `Cannot use the configuration store ${path}: ${what}: ${fsReason(err)}.`);
}

/**
 * Creates the missing directories of `dir` one level at a time (0700). Not mkdirSync's
 * `recursive`, which spins forever under /proc (Node 20) instead of failing.
 */
function makeDirs(dir: string, storePath: string): void {
  const missing: string[] = [];
  for (let d = dir; ; d = dirname(d)) {
    try {
      if (!statSync(d).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') throw storePathError(storePath, `cannot use directory ${d}`, err);
      if (dirname(d) === d) throw storePathError(storePath, `cannot use directory ${d}`, err);
      missing.unshift(d);
    }
  }
  for (const d of missing) {
    try {
      mkdirSync(d, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw storePathError(storePath, `cannot create directory ${d}`, err);
    }
  }
}

/**
 * The configuration store to open: `--store PATH|URL`, else OPENLTM_STORE, else ~/.openltm/config.db.
 * Creates the containing directory (0700) so the first run just works. A path that cannot be used
 * is a ConfigError with one clear line (never a hang, never `internal error`).
 */
export function resolveStorePath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const chosen = flag || env.OPENLTM_STORE || join(stateDir(env), 'config.db');
  // An etcd cluster (etcd://h1:2379,h2:2379): no file to create.
  if (/^etcds?:\/\//i.test(chosen)) return chosen;
  const path = resolve(chosen);
  makeDirs(dirname(path), path);
  return path;
}

/** The shell's history file: ~/.openltm/history (OPENLTM_HISTORY overrides it). */
export function historyPath(env: NodeJS.ProcessEnv = process.env): string {
  return env.OPENLTM_HISTORY || join(stateDir(env), 'history');
}
