/**
 * The embedded driver: one SQLite file. Writers take SQLite's write lock up front (BEGIN
 * IMMEDIATE) and wait up to the busy timeout for another process; past it they fail with a clear
 * BUSY error. Every commit that changed something bumps the generation once. Readers (WAL) are
 * never blocked by a writer.
 */
import { watch, type FSWatcher } from 'node:fs';
import type { StatusReport } from '@openltm/model';
import { openDatabase, type Db, type OpenOptions } from './database';
import type { ChangedObject } from './object-repository';
import { SqliteRepository } from './sqlite-repository';
import { StatusTable, type ReportInfo } from './status';
import type { StoreBackend } from './store-backend';
import { busyError, isBusy } from './transaction';

export class SqliteBackend implements StoreBackend {
  readonly repo: SqliteRepository;
  readonly status: StatusTable;
  readonly driver = 'sqlite';

  private constructor(
    private readonly db: Db,
    readonly location: string,
    private readonly busyTimeoutMs: number | undefined,
  ) {
    this.repo = new SqliteRepository(db);
    this.status = new StatusTable(db, () => (this.repo.dirty = true));
  }

  /** Opens (creating, 0600) and migrates the file. */
  static open(file: string, options: OpenOptions = {}): SqliteBackend {
    try {
      return new SqliteBackend(openDatabase(file, options).db, file, options.busyTimeoutMs);
    } catch (err) {
      if (isBusy(err)) throw busyError(file, options.busyTimeoutMs);
      throw err;
    }
  }

  write<T>(fn: () => T): T {
    const tx = this.db.transaction(() => {
      this.repo.refresh();
      const result = fn();
      this.repo.bumpGeneration();
      return result;
    });
    try {
      const result = tx.immediate();
      this.repo.committed();
      return result;
    } catch (err) {
      this.repo.invalidate();
      if (isBusy(err)) throw busyError(this.location, this.busyTimeoutMs);
      throw err;
    }
  }

  read<T>(fn: () => T): T {
    try {
      return this.db.transaction(() => {
        this.repo.refresh();
        return fn();
      }).deferred();
    } catch (err) {
      if (isBusy(err)) throw busyError(this.location, this.busyTimeoutMs);
      throw err;
    }
  }

  generation(): number {
    return this.repo.generation();
  }

  changesSince(generation: number): ChangedObject[] | undefined {
    return this.repo.changesSince(generation);
  }

  /**
   * better-sqlite3 is synchronous, so a report never waits long for a writer (a big `load` holds
   * the lock for seconds): after `busyTimeoutMs` (default 100) it gives up.
   */
  writeStatus(report: StatusReport, options: { busyTimeoutMs?: number }): boolean {
    const previous = this.busyTimeoutMs ?? 5000;
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 100))}`);
    try {
      this.status.write(report);
      return true;
    } catch (err) {
      if (isBusy(err)) return false;
      throw err;
    } finally {
      this.db.pragma(`busy_timeout = ${previous}`);
    }
  }

  statusInfo(): ReportInfo | undefined {
    return this.read(() => this.status.reportInfo());
  }

  /** Every commit writes the WAL file, so a watch on it (inotify) says when to look. */
  watch(listener: () => void): () => void {
    let watcher: FSWatcher | undefined;
    try {
      watcher = watch(`${this.location}-wal`, { persistent: false }, () => listener());
      watcher.on('error', () => watcher?.close());
    } catch {
      // No watch (no WAL file yet, or no inotify): the data plane's poll still notices.
    }
    return () => watcher?.close();
  }

  close(): void {
    this.db.close();
  }
}
