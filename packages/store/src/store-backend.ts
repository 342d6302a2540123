/**
 * Where the store keeps its data: one seam, two drivers. The SQLite backend (one file, the
 * embedded default) and the etcd backend (a cluster shared by many hosts) both give the Store an
 * ObjectRepository and a StatusStore to run the command logic against, and transactions around
 * it; the Store never knows which one it runs on.
 */
import type { StatusReport } from '@openltm/model';
import type { ChangedObject, ObjectRepository } from './object-repository';
import type { ReportInfo, StatusStore } from './status';

export interface StoreBackend {
  readonly repo: ObjectRepository;
  readonly status: StatusStore;
  /** The store's address for messages: a file path or an etcd URL. */
  readonly location: string;
  /** 'sqlite' or 'etcd'. */
  readonly driver: string;
  /**
   * Runs `fn` as one atomic transaction: everything it wrote commits, or (when it throws)
   * nothing does. A backend with optimistic concurrency may run `fn` again on a newer snapshot
   * when another writer committed first, so `fn` must be a function of the store's contents.
   */
  write<T>(fn: () => T): T;
  /** Runs `fn` on one consistent snapshot. */
  read<T>(fn: () => T): T;
  /** The committed configuration generation, bumped by every committed change. */
  generation(): number;
  /** Objects changed by generations after `generation`, or undefined when unknown (read everything). */
  changesSince(generation: number): ChangedObject[] | undefined;
  /** Publishes the data plane's status; false when it was skipped (the next report will do). */
  writeStatus(report: StatusReport, options: { busyTimeoutMs?: number }): boolean;
  /** The last status report's generation and time. */
  statusInfo(): ReportInfo | undefined;
  /** Calls `listener` when the configuration may have changed (a hint); returns the unsubscribe function. */
  watch(listener: () => void): () => void;
  close(): void;
}
