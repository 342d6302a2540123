/**
 * What every backend's transactions share: the dry-run rollback and the BUSY error.
 */
import { ConfigError, ErrorCodes } from '@openltm/model';
import type { ExecuteResult } from './session';

/** Thrown to roll back a transaction whose work was only a check (dry runs, `verify`). */
export class DryRun extends Error {
  constructor(readonly result?: ExecuteResult) {
    super('dry run');
  }
}

export function isBusy(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_BUSY_SNAPSHOT' || code === 'SQLITE_LOCKED';
}

export function busyError(file: string, busyTimeoutMs: number | undefined): ConfigError {
  return new ConfigError(
    ErrorCodes.BUSY,
    `The configuration store ${file} is busy: another process held it for longer than ${busyTimeoutMs ?? 5000} ms. Nothing was changed; try again.`,
  );
}
