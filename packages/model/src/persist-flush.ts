/**
 * `delete ltm persistence persist-records [filters]` as data. The command does not reach the
 * daemon: the store keeps the recent requests (a sequence number, the filters resolved to full
 * paths, when it was given) and the daemon's desired state carries them; the table owner removes
 * what each request it has not applied yet names, and `show` hides what a request removed before
 * the daemon's next report. Both use the one matcher below.
 */
import type { PersistRecordStatus } from './runtime-status';

/**
 * BIG-IP's record filters, as a record is compared with them: `pool` and `virtual` are full
 * paths (the command resolves them against its folder), addresses are in canonical text.
 */
export interface PersistRecordFilters {
  'client-addr'?: string;
  'node-addr'?: string;
  'node-port'?: string;
  pool?: string;
  virtual?: string;
  mode?: string;
}

export interface PersistFlush {
  /** Increases by one with each request (never reused, even when older requests are pruned). */
  seq: number;
  /** When the command was given (ms since epoch): records made up to then are removed. */
  at: number;
  filters: PersistRecordFilters;
}

/** The part of a record the filters and flushes look at. */
export type FilteredRecord = Pick<PersistRecordStatus, 'mode' | 'clientAddr' | 'nodeAddr' | 'pool' | 'virtual'>;

/** Whether a record passes every filter given (no filter: every record). */
export function persistRecordMatches(r: FilteredRecord, f: PersistRecordFilters): boolean {
  const node = /^(.*)[:.](\d+)$/.exec(r.nodeAddr);
  if (f['client-addr'] !== undefined && f['client-addr'] !== r.clientAddr) return false;
  if (f['node-addr'] !== undefined && f['node-addr'] !== node?.[1]) return false;
  if (f['node-port'] !== undefined && f['node-port'] !== node?.[2]) return false;
  if (f.pool !== undefined && f.pool !== r.pool) return false;
  if (f.virtual !== undefined && f.virtual !== r.virtual) return false;
  return f.mode === undefined || f.mode === r.mode;
}

/**
 * Whether `flush` removes a record made at `created`: it existed when the command was given
 * (made at or before `at`; a record made later is untouched, even one for the same client)
 * and it matches the filters.
 */
export function flushRemoves(flush: PersistFlush, r: FilteredRecord, created: number): boolean {
  return created <= flush.at && persistRecordMatches(r, flush.filters);
}

/** The requests not applied yet (seq above `appliedSeq`), oldest first. */
export function pendingFlushes(flushes: readonly PersistFlush[], appliedSeq: number): PersistFlush[] {
  return flushes.filter((f) => f.seq > appliedSeq).sort((a, b) => a.seq - b.seq);
}
