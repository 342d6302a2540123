/**
 * One transaction per command, per script and per file load: everything commits or nothing does.
 * Writers take SQLite's write lock up front (BEGIN IMMEDIATE) and wait up to the busy timeout for
 * another process; past it they fail with a clear BUSY error. Every commit that changed something
 * bumps the generation once.
 */
import { ConfigError, ErrorCodes } from '@openltm/model';
import type { Db } from './database';
import type { ObjectRepository } from './object-repository';
import { ObjectOperations } from './object-operations';
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

export class Transactions {
  constructor(
    private readonly db: Db,
    private readonly repo: ObjectRepository,
    private readonly busy: () => ConfigError,
  ) {}

  /** Runs `fn` in one write transaction; the reference and rule checks run before the commit. */
  write<T>(fn: (ops: ObjectOperations) => T): T {
    const tx = this.db.transaction(() => {
      this.repo.refresh();
      const ops = new ObjectOperations(this.repo);
      const result = fn(ops);
      ops.check();
      this.repo.bumpGeneration();
      return result;
    });
    try {
      const result = tx.immediate();
      this.repo.committed();
      return result;
    } catch (err) {
      this.repo.invalidate();
      if (isBusy(err)) throw this.busy();
      throw err;
    }
  }

  /** Runs `fn` on one consistent snapshot (WAL: never blocked by a writer). */
  read<T>(fn: (ops: ObjectOperations) => T): T {
    try {
      return this.db.transaction(() => {
        this.repo.refresh();
        return fn(new ObjectOperations(this.repo));
      }).deferred();
    } catch (err) {
      if (isBusy(err)) throw this.busy();
      throw err;
    }
  }
}
