/**
 * The persistence records of the whole data plane: one table, in the process that owns it (the
 * primary when there are workers, so that a record made by a session on one worker is found by
 * the next session on any worker). A record maps a key (mode, masked client address, and the
 * virtual and pool it applies to) to a member; it lives `timeout` seconds after its last use.
 */
import type { PersistRecordStatus } from '@openltm/model';

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
    this.rows.set(entry.key, { ...entry, lastUsed: this.now() });
    this.changed = true;
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
