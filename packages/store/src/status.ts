/**
 * Status and statistics written by the data plane (one row per object, JSON) and the baselines
 * `reset-stats` records, so `show` prints counters minus the baseline while the data plane keeps
 * counting.
 */
import type { MemberStatus, PersistFlush, PersistRecordFilters, PersistRecordStatus, StatusReport, VirtualStatus } from '@openltm/model';
import { flushesToPrune } from './persist-flushes';
import type { Db } from './database';

export interface StatusView {
  virtual(name: string): VirtualStatus | undefined;
  member(pool: string, member: string): MemberStatus | undefined;
  /** `up`, `down`, `unchecked`, `checking` for `list`'s member `state`, when known. */
  memberState(pool: string, member: string): string | undefined;
  baseline(kind: string, name: string): Record<string, number> | undefined;
  /** The generation the last report reflected, when it was made, and the process model that made it. */
  reportInfo(): ReportInfo | undefined;
  /** Manual-resume tokens by `<pool> <member>`: each administrator resume moves one. */
  resumeTokens(): Record<string, number>;
  /** The persistence records the data plane last reported. */
  persistence(): { total: number; records: PersistRecordStatus[] } | undefined;
  /** The `delete ltm persistence persist-records` requests kept, oldest first. */
  persistFlushes(): PersistFlush[];
}

/** The status a command reads and the two writes commands make (inside their transaction). */
export interface StatusStore extends StatusView {
  /** Records an administrator's resume of a member. */
  markResumed(pool: string, member: string): void;
  setBaseline(kind: string, name: string, counters: Record<string, number>): void;
  /**
   * Records a `delete ltm persistence persist-records` request (the next sequence number) and
   * prunes old ones; the commit bumps the generation, so the daemon reads it.
   */
  addPersistFlush(filters: PersistRecordFilters, at: number): PersistFlush;
}

export interface ReportInfo {
  generation: number;
  at: number;
  cmp?: { workers: number; cpus: number };
  /** Connections reset because no serving virtual matched, by local port. */
  unmatched?: Record<string, number>;
}

/** The kinds of status rows a report writes (one `persist` row, named ''). */
type RowKind = 'virtual' | 'member' | 'persist';

/** The rows of one kind as this writer last committed them: the object handed in and its JSON. */
class WrittenRows {
  readonly rows = new Map<string, { obj: object | undefined; json: string }>();
  /** The list of the last report: the same array again means the same objects, nothing to do. */
  last?: readonly object[];
}

export class StatusTable implements StatusStore {
  private readonly st;
  /** What this writer last committed, per kind (undefined until its first report). */
  private written?: Record<RowKind, WrittenRows>;

  constructor(
    private readonly db: Db,
    /** Called when a command's write must bump the configuration generation (the daemon reads it). */
    private readonly configChanged: () => void = () => undefined,
  ) {
    this.st = {
      put: db.prepare('INSERT OR REPLACE INTO status (kind, name, data) VALUES (?, ?, ?)'),
      get: db.prepare('SELECT data FROM status WHERE kind = ? AND name = ?').pluck(),
      keys: db.prepare("SELECT kind, name FROM status WHERE kind IN ('virtual', 'member', 'persist')"),
      del: db.prepare('DELETE FROM status WHERE kind = ? AND name = ?'),
      putBase: db.prepare('INSERT OR REPLACE INTO stats_baseline (kind, name, data) VALUES (?, ?, ?)'),
      getBase: db.prepare('SELECT data FROM stats_baseline WHERE kind = ? AND name = ?').pluck(),
      resumes: db.prepare("SELECT name, data FROM status WHERE kind = 'resume'"),
      flushes: db.prepare("SELECT data FROM status WHERE kind = 'persist-flush'").pluck(),
    };
  }

  /**
   * Makes the status match a new report (one transaction; does not bump the generation). Only
   * rows that changed since this writer's last report are written, and rows of objects no longer
   * reported are deleted: with thousands of idle virtuals a report costs a few row writes. An
   * object handed in again (the same object) costs one lookup and no JSON, and the same list of
   * virtuals as last time costs nothing at all (the data plane reuses both when nothing changed).
   */
  write(report: StatusReport): void {
    // The first report of this writer also removes rows a previous daemon left behind.
    const written = this.written ?? this.rowsInStore();
    const puts: Array<{ kind: RowKind; name: string; obj: object; json: string }> = [];
    const dels: Array<{ kind: RowKind; name: string }> = [];
    const plan = <T extends object>(kind: RowKind, list: readonly T[], nameOf: (o: T) => string): void => {
      const known = written[kind];
      if (known.last === list) return;
      let matched = 0;
      for (const obj of list) {
        const name = nameOf(obj);
        const row = known.rows.get(name);
        if (row) matched++;
        if (row?.obj === obj) continue;
        puts.push({ kind, name, obj, json: JSON.stringify(obj) });
      }
      // Names are unique: only when fewer matched than were written did some go.
      if (matched < known.rows.size) {
        const names = new Set(list.map(nameOf));
        for (const name of known.rows.keys()) if (!names.has(name)) dels.push({ kind, name });
      }
    };
    plan('virtual', report.virtuals, (v) => v.name);
    plan('member', report.members, (m) => `${m.pool} ${m.member}`);
    plan('persist', report.persistence ? [report.persistence] : [], () => '');
    const info: ReportInfo = { generation: report.generation, at: report.at, ...(report.cmp ? { cmp: report.cmp } : {}), ...(report.unmatched ? { unmatched: report.unmatched } : {}) };
    this.db.transaction(() => {
      for (const d of dels) this.st.del.run(d.kind, d.name);
      for (const p of puts) if (written[p.kind].rows.get(p.name)?.json !== p.json) this.st.put.run(p.kind, p.name, p.json);
      this.st.put.run('report', '', JSON.stringify(info));
    }).immediate();
    // Committed: remember it (a failed write leaves the bookkeeping as it was, so the next retries).
    for (const d of dels) written[d.kind].rows.delete(d.name);
    for (const p of puts) written[p.kind].rows.set(p.name, { obj: p.obj, json: p.json });
    written.virtual.last = report.virtuals;
    written.member.last = report.members;
    this.written = written;
  }

  /** The virtual and member rows in the store now, as a writer that wrote nothing yet sees them. */
  private rowsInStore(): Record<RowKind, WrittenRows> {
    const out = { virtual: new WrittenRows(), member: new WrittenRows(), persist: new WrittenRows() };
    for (const r of this.st.keys.all() as Array<{ kind: RowKind; name: string }>) out[r.kind].rows.set(r.name, { obj: undefined, json: '' });
    return out;
  }

  private read<T>(kind: string, name: string): T | undefined {
    const data = this.st.get.get(kind, name) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as T);
  }

  virtual(name: string): VirtualStatus | undefined {
    return this.read<VirtualStatus>('virtual', name);
  }

  member(pool: string, member: string): MemberStatus | undefined {
    return this.read<MemberStatus>('member', `${pool} ${member}`);
  }

  memberState(pool: string, member: string): string | undefined {
    const m = this.member(pool, member);
    // `list` prints the state word BIG-IP lists (and `load` reads back): a held member is down.
    return m?.monitorStatus === 'down-manual-resume' ? 'down' : m?.monitorStatus;
  }

  /** Records an administrator's resume of a member (inside the command's transaction). */
  markResumed(pool: string, member: string): void {
    const name = `${pool} ${member}`;
    const token = this.read<number>('resume', name) ?? 0;
    this.st.put.run('resume', name, JSON.stringify(token + 1));
  }

  resumeTokens(): Record<string, number> {
    const rows = this.st.resumes.all() as { name: string; data: string }[];
    return Object.fromEntries(rows.map((r) => [r.name, JSON.parse(r.data) as number]));
  }

  persistence(): { total: number; records: PersistRecordStatus[] } | undefined {
    return this.read('persist', '');
  }

  persistFlushes(): PersistFlush[] {
    return (this.st.flushes.all() as string[]).map((d) => JSON.parse(d) as PersistFlush).sort((a, b) => a.seq - b.seq);
  }

  addPersistFlush(filters: PersistRecordFilters, at: number): PersistFlush {
    const kept = this.persistFlushes();
    // The newest request is never pruned, so the highest sequence number only grows.
    const flush: PersistFlush = { seq: (kept[kept.length - 1]?.seq ?? 0) + 1, at, filters };
    this.st.put.run('persist-flush', String(flush.seq), JSON.stringify(flush));
    for (const old of flushesToPrune([...kept, flush], at)) this.st.del.run('persist-flush', String(old.seq));
    this.configChanged();
    return flush;
  }

  reportInfo(): ReportInfo | undefined {
    return this.read('report', '');
  }

  baseline(kind: string, name: string): Record<string, number> | undefined {
    const data = this.st.getBase.get(kind, name) as string | undefined;
    return data === undefined ? undefined : (JSON.parse(data) as Record<string, number>);
  }

  setBaseline(kind: string, name: string, counters: Record<string, number>): void {
    this.st.putBase.run(kind, name, JSON.stringify(counters));
  }
}
