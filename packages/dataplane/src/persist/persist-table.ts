/**
 * The persistence records of the whole data plane: one table, in the process that owns it (the
 * primary when there are workers, so that a record made by a session on one worker is found by
 * the next session on any worker). A record maps a key (mode, masked client address, and the
 * virtual and pool it applies to) to a member; it lives `timeout` seconds after its last use.
 */
import { flushRemoves, pendingFlushes, type PersistFlush, type PersistRecordStatus } from '@openltm/model';

/** What a session records: the key and everything `show ltm persistence persist-records` prints. */
export interface PersistEntry {
  key: string;
  mode: 'source-address';
  value: string;
  virtual: string;
  virtualAddr: string;
  pool: string;
  member: string;
  nodeAddr: string;
  clientAddr: string;
  /** Seconds the record lives after its last use; 0 = until its member is unavailable. */
  timeout: number;
}

interface Row extends PersistEntry {
  lastUsed: number;
  created: number;
}

/** What applying a snapshot's flush requests did, for the log. */
export interface FlushResult {
  /** Requests applied now. */
  applied: number;
  /** Records they removed. */
  removed: number;
  /** Requests pruned from the store before this table saw them (their records stay). */
  missed: number;
}

/**
 * Bounds the table against a flood of distinct client addresses: past it, the least recently
 * used record gives way (its client is then load-balanced afresh, which is all a record saves).
 */
export const MAX_PERSIST_RECORDS = 200_000;
/** `show` lists at most this many records (the newest); the total is always given. */
export const MAX_SHOWN_RECORDS = 10_000;

export class PersistTable {
  /** In order of last use, oldest first: a Map keeps insertion order, and a use re-inserts. */
  private readonly rows = new Map<string, Row>();
  /** The last report, handed out again while nothing changed (the status writer then skips it cheaply). */
  private last?: { total: number; records: PersistRecordStatus[] };
  private changed = true;
  /** The last flush request applied (undefined until the first snapshot). */
  private appliedSeq?: number;

  constructor(
    private readonly now: () => number = Date.now,
    private readonly max = MAX_PERSIST_RECORDS,
  ) {}

  get size(): number {
    return this.rows.size;
  }

  /** The member of a live record for `key`, which is refreshed (the session is about to use it). */
  lookup(key: string): string | undefined {
    const row = this.rows.get(key);
    if (!row) return undefined;
    const now = this.now();
    this.rows.delete(key);
    this.changed = true;
    if (expired(row, now)) return undefined;
    row.lastUsed = now;
    this.rows.set(key, row);
    return row.member;
  }

  /** A session went to `entry.member`: the record is made, or replaces the one for the same key. */
  record(entry: PersistEntry): void {
    this.rows.delete(entry.key);
    while (this.rows.size >= this.max) this.rows.delete(this.rows.keys().next().value!);
    const now = this.now();
    this.rows.set(entry.key, { ...entry, lastUsed: now, created: now });
    this.changed = true;
  }

  /**
   * Applies the `delete ltm persistence persist-records` requests of a desired-state snapshot
   * that this table has not applied yet: each removes the matching records made before it was
   * given. Snapshots repeat the requests the store keeps, so the highest sequence applied is
   * remembered. The first snapshot only sets it: the table was made with the daemon and holds
   * nothing an earlier request could name (the first reconcile comes before any listener).
   */
  applyFlushes(flushes: readonly PersistFlush[]): FlushResult {
    const result: FlushResult = { applied: 0, removed: 0, missed: 0 };
    if (this.appliedSeq === undefined) {
      this.appliedSeq = flushes.reduce((max, f) => Math.max(max, f.seq), 0);
      return result;
    }
    const pending = pendingFlushes(flushes, this.appliedSeq);
    if (pending.length === 0) return result;
    result.missed = Math.max(0, pending[0]!.seq - this.appliedSeq - 1);
    for (const flush of pending) {
      for (const [key, row] of this.rows) {
        if (!flushRemoves(flush, row, row.created)) continue;
        this.rows.delete(key);
        result.removed++;
      }
      result.applied++;
    }
    this.appliedSeq = pending[pending.length - 1]!.seq;
    if (result.removed > 0) this.changed = true;
    return result;
  }

  /** Forgets every record. */
  clear(): void {
    this.rows.clear();
    this.changed = true;
  }

  /** Drops expired records; the rest, newest first, for the status report. */
  report(): { total: number; records: PersistRecordStatus[] } {
    const now = this.now();
    for (const [key, row] of this.rows) {
      if (!expired(row, now)) continue;
      this.rows.delete(key);
      this.changed = true;
    }
    if (!this.changed && this.last) return this.last;
    this.changed = false;
    const records: PersistRecordStatus[] = [];
    const rows = [...this.rows.values()];
    for (let i = rows.length - 1; i >= 0 && records.length < MAX_SHOWN_RECORDS; i--) {
      const { key: _key, ...shown } = rows[i]!;
      records.push(shown);
    }
    this.last = { total: this.rows.size, records };
    return this.last;
  }
}

function expired(row: Row, now: number): boolean {
  return row.timeout > 0 && now - row.lastUsed >= row.timeout * 1000;
}
